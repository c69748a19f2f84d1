using System.Buffers;
using System.Globalization;
using System.Text;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>One metric family of a <see cref="MetricSet"/>: its samples, each a set of label values and a value.</summary>
internal sealed class MetricFamily(string name, string help, string type, string[] labelNames)
{
    public string Name { get; } = name;

    public string Help { get; } = help;

    /// <summary>"gauge" or "counter".</summary>
    public string Type { get; } = type;

    public string[] LabelNames { get; } = labelNames;

    public List<(string[] Labels, double Value)> Samples { get; } = [];

    /// <summary>The label sets written so far, to refuse a second sample with the same ones.</summary>
    private HashSet<string>? _labelSets;

    /// <summary>The sample with these label values, one per label name, in order.</summary>
    public Sample WithLabels(params string[] values)
    {
        if (values.Length != LabelNames.Length)
        {
            throw new ArgumentException($"{Name} has {LabelNames.Length} labels, not {values.Length}.", nameof(values));
        }

        return new Sample(this, values);
    }

    public Sample Unlabelled() => WithLabels();

    private void Add(string[] labels, double value)
    {
        var unique = labels.Length == 0
            ? Samples.Count == 0
            : (_labelSets ??= new HashSet<string>(StringComparer.Ordinal)).Add(string.Join('\u0000', labels));
        if (!unique)
        {
            throw new InvalidMetricException(
                $"{Name}{{{string.Join(',', LabelNames.Zip(labels, (n, v) => $"{n}=\"{UpstreamException.Clip(v, 40)}\""))}}} is written twice.");
        }

        Samples.Add((labels, value));
    }

    /// <summary>A sample about to be written: Set for a gauge, IncTo for an upstream-kept counter (the same thing here).</summary>
    public readonly struct Sample(MetricFamily family, string[] labels)
    {
        public void Set(double value) => family.Add(labels, value);

        public void IncTo(double value) => Set(value);
    }
}
