using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// The series one collector wrote in one reading, looked up by name and labels: the status page shows what a scrape
/// exports, read from the same <see cref="MetricSet"/>, never a second opinion of the upstream.
/// </summary>
internal sealed class MetricReading(MetricSet? metrics)
{
    private readonly Dictionary<string, MetricFamily> _families =
        metrics?.Families.ToDictionary(f => f.Name, StringComparer.Ordinal) ?? new Dictionary<string, MetricFamily>(StringComparer.Ordinal);

    public bool Has(string name) => _families.TryGetValue(name, out var f) && f.Samples.Count > 0;

    /// <summary>The value of the sample whose labels include each "label=value" given; null when absent or not finite.</summary>
    public double? Value(string name, params string[] match)
    {
        foreach (var (labels, value) in Samples(name))
        {
            if (match.All(m => Matches(labels, m)))
            {
                return double.IsFinite(value) ? value : null;
            }
        }

        return null;
    }

    /// <summary>Every sample of a family, its labels by name.</summary>
    public IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string name)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            yield break;
        }

        foreach (var (values, value) in family.Samples)
        {
            var labels = new Dictionary<string, string>(family.LabelNames.Length, StringComparer.Ordinal);
            for (var i = 0; i < family.LabelNames.Length; i++)
            {
                labels[family.LabelNames[i]] = values[i];
            }

            yield return (labels, value);
        }
    }

    /// <summary>A label of a family's first sample (an _info family's version), null when the family is absent.</summary>
    public string? Label(string name, string label) => Samples(name).Select(s => s.Labels[label]).FirstOrDefault();

    /// <summary>The sum of a family's finite samples, null when it has none.</summary>
    public double? Sum(string name)
    {
        double? sum = null;
        foreach (var (_, value) in Samples(name))
        {
            if (double.IsFinite(value))
            {
                sum = (sum ?? 0) + value;
            }
        }

        return sum;
    }

    private static bool Matches(IReadOnlyDictionary<string, string> labels, string match)
    {
        var eq = match.IndexOf('=', StringComparison.Ordinal);
        return labels.TryGetValue(match[..eq], out var v) && v == match[(eq + 1)..];
    }
}
