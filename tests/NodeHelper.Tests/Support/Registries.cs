using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Tests.Support;

/// <summary>Runs one collector into a fresh metric set, as a scrape does, and reads the rendered text back.</summary>
internal static class Registries
{
    /// <summary>The collector's own output; throws what it throws when its upstream fails.</summary>
    public static async Task<Exposition> CollectAsync(IMetricsCollector collector)
    {
        var metrics = new MetricSet();
        await collector.CollectAsync(metrics, CancellationToken.None);
        return Render(metrics);
    }

    /// <summary>
    /// The collector's part of a whole scrape, as the scrape machinery writes it: on a failure its up gauge at 0 and
    /// what it adds, plus the scrape's success and reason series for it.
    /// </summary>
    public static async Task<Exposition> ScrapeAsync(IMetricsCollector collector, double deadlineSeconds = 10)
    {
        var scrape = new ScrapeService([collector], new ScrapeOptions(), new ExporterSelfMetrics(), new CollectorHealth(TimeProvider.System), NullLogger<ScrapeService>.Instance);
        var outcomes = await scrape.RunAsync([collector], TimeSpan.FromSeconds(deadlineSeconds), CancellationToken.None);
        var text = new ArrayBufferWriter<byte>();
        scrape.Write(outcomes, text);
        return Exposition.Parse(Encoding.UTF8.GetString(text.WrittenSpan));
    }

    /// <summary>Only the collector's own series of <see cref="ScrapeAsync"/>: no scrape bookkeeping, no process metrics.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> UpstreamSeriesAsync(IMetricsCollector collector, string prefix) =>
        (await ScrapeAsync(collector)).Series.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    public static Exposition Render(MetricSet metrics)
    {
        var text = new ArrayBufferWriter<byte>();
        metrics.WriteTo(text);
        return Exposition.Parse(Encoding.UTF8.GetString(text.WrittenSpan));
    }
}
