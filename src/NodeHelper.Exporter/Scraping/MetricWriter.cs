using Prometheus;

namespace NodeHelper.Exporter.Scraping;

/// <summary>Short forms for writing one scrape's series into a collector's fresh registry.</summary>
internal readonly struct MetricWriter(IMetricFactory factory)
{
    public void Gauge(string name, string help, double value) => factory.CreateGauge(name, help).Set(value);

    /// <summary>A counter kept by the upstream (bytes since it started): exported at the upstream's value.</summary>
    public void Counter(string name, string help, double value) => factory.CreateCounter(name, help).IncTo(value);

    public Gauge Family(string name, string help, params string[] labelNames) => factory.CreateGauge(name, help, labelNames);

    /// <summary>A labelled counter kept by the upstream; set each child with IncTo.</summary>
    public Counter CounterFamily(string name, string help, params string[] labelNames) => factory.CreateCounter(name, help, labelNames);

    /// <summary>
    /// Counts items by one label. Every known value is present, 0 when no item has it, so alerts and graphs never
    /// see a series vanish; values the exporter does not know are counted as "other", which keeps the number of
    /// series bounded whatever the upstream sends. Nothing is written when no item carries the field at all.
    /// </summary>
    public void Counts(string name, string help, string labelName, string[] known, IEnumerable<string?> values)
    {
        var counts = known.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var other = 0;
        var any = false;
        foreach (var value in values)
        {
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

        if (!any)
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
}

/// <summary>Keeps label values that come from an upstream short and few.</summary>
internal static class LabelValue
{
    /// <summary>Most distinct values taken from one upstream list (indexes, networks) for one label.</summary>
    public const int MaxDistinct = 32;

    private const int MaxLength = 128;

    public static string Clip(string value) => value.Length <= MaxLength ? value : value[..MaxLength];
}
