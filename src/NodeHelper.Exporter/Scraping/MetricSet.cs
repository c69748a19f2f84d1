using System.Buffers;
using System.Globalization;
using System.Text;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// One collector's series for one scrape: "const metrics", as client_golang's exporters write them at collect
/// time. Each scrape gets a new, empty set, so values are always this scrape's, label sets that vanished upstream
/// vanish here, and concurrent scrapes share nothing. Rendered in the Prometheus text format (0.0.4).
/// prometheus-net's registries did this job at about 1 ms of CPU and 40 % of the allocations of a whole-stack
/// scrape (measured), so this is the exporter's one metric model, its own process metrics included.
/// It trusts no caller: an invalid metric or label name, a second family of the same name, or a second sample with
/// the same label values throws <see cref="InvalidMetricException"/>, and the collector that wrote it fails rather
/// than an exposition that Prometheus would half-drop (client_golang's registry checks the same at gather time).
/// </summary>
internal sealed class MetricSet
{
    private readonly List<MetricFamily> _families = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Families in the order they were first written.</summary>
    public IReadOnlyList<MetricFamily> Families => _families;

    /// <summary>The names of the families that have a sample: those the exposition will hold.</summary>
    public IEnumerable<string> ExposedNames => _families.Where(f => f.Samples.Count > 0).Select(f => f.Name);

    public void Gauge(string name, string help, double value) => Family(name, help).Unlabelled().Set(value);

    /// <summary>A counter kept by the upstream (bytes since it started): exported at the upstream's value.</summary>
    public void Counter(string name, string help, double value) => CounterFamily(name, help).Unlabelled().Set(value);

    public MetricFamily Family(string name, string help, params string[] labelNames) => Add(name, help, "gauge", labelNames);

    /// <summary>A labelled counter kept by the upstream; set each child with IncTo (or Set).</summary>
    public MetricFamily CounterFamily(string name, string help, params string[] labelNames) => Add(name, help, "counter", labelNames);

    /// <summary>
    /// Counts items by one label. Every known value is present, 0 when no item has it, so alerts and graphs never
    /// see a series vanish; values the exporter does not know are counted as "other", which keeps the number of
    /// series bounded whatever the upstream sends. No item at all is every count at 0; nothing is written when there
    /// are items but none carries the field (an older upstream without it).
    /// </summary>
    public void Counts(string name, string help, string labelName, string[] known, IEnumerable<string?> values)
    {
        var counts = known.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var other = 0;
        var items = 0;
        var any = false;
        foreach (var value in values)
        {
            items++;
            if (value is null)
            {
                continue;
            }

            any = true;
            if (counts.TryGetValue(value, out var n))
            {
                counts[value] = n + 1;
            }
            else
            {
                other++;
            }
        }

        if (!any && items > 0)
        {
            return;
        }

        var family = Family(name, help, labelName);
        foreach (var (value, n) in counts)
        {
            family.WithLabels(value).Set(n);
        }

        if (other > 0)
        {
            family.WithLabels("other").Set(other);
        }
    }

    /// <summary>Renders every family that has a sample, in the text format.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var text = new StringBuilder(256);

        // One encoder across the builder's chunks: a surrogate pair split between two chunks is still one character.
        var encoder = Encoding.UTF8.GetEncoder();
        foreach (var family in _families)
        {
            if (family.Samples.Count == 0)
            {
                continue;
            }

            text.Clear();
            text.Append("# HELP ").Append(family.Name).Append(' ');
            AppendEscaped(text, family.Help, escapeQuotes: false);
            text.Append("\n# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var (labels, value) in family.Samples)
            {
                text.Append(family.Name);
                if (labels.Length > 0)
                {
                    text.Append('{');
                    for (var i = 0; i < labels.Length; i++)
                    {
                        text.Append(i == 0 ? "" : ",").Append(family.LabelNames[i]).Append("=\"");
                        AppendEscaped(text, labels[i], escapeQuotes: true);
                        text.Append('"');
                    }

                    text.Append('}');
                }

                text.Append(' ').Append(FormatValue(value)).Append('\n');
            }

            foreach (var chunk in text.GetChunks())
            {
                encoder.Convert(chunk.Span, output, flush: false, out _, out _);
            }
        }

        encoder.Convert([], output, flush: true, out _, out _);
    }

    /// <summary>The text format's spelling of a sample value: shortest round-trip decimal, +Inf, -Inf, NaN.</summary>
    internal static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private MetricFamily Add(string name, string help, string type, string[] labelNames)
    {
        if (!IsMetricName(name))
        {
            throw new InvalidMetricException($"'{UpstreamException.Clip(name, 80)}' is not a valid metric name.");
        }

        for (var i = 0; i < labelNames.Length; i++)
        {
            if (!IsLabelName(labelNames[i]) || Array.IndexOf(labelNames, labelNames[i]) != i)
            {
                throw new InvalidMetricException($"{name}: '{UpstreamException.Clip(labelNames[i], 80)}' is not a valid label name, or is repeated.");
            }
        }

        if (!_names.Add(name))
        {
            throw new InvalidMetricException($"{name} is written twice in one collector's output.");
        }

        var family = new MetricFamily(name, help, type, labelNames);
        _families.Add(family);
        return family;
    }

    /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]*, the text format's metric names.</summary>
    internal static bool IsMetricName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>[a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).</summary>
    internal static bool IsLabelName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || name.StartsWith("__", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>HELP escapes backslash and newline; label values also the double quote (text format 0.0.4).</summary>
    private static void AppendEscaped(StringBuilder text, string value, bool escapeQuotes)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '"' when escapeQuotes => text.Append("\\\""),
                _ => text.Append(c),
            };
        }
    }
}
