using System.Buffers;
using System.Text;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Tests.Support;

/// <summary>Runs one collector into a fresh metric set, as a scrape does, and reads the rendered text back.</summary>
internal static class Registries
{
    public static async Task<Exposition> CollectAsync(IMetricsCollector collector)
    {
        var metrics = new MetricSet();
        await collector.CollectAsync(metrics, CancellationToken.None);
        return Render(metrics);
    }

    public static Task<Exposition> WriteFailureAsync(IMetricsCollector collector, Exception error)
    {
        var metrics = new MetricSet();
        collector.WriteFailure(metrics, error);
        return Task.FromResult(Render(metrics));
    }

    public static Exposition Render(MetricSet metrics)
    {
        var text = new ArrayBufferWriter<byte>();
        metrics.WriteTo(text);
        return Exposition.Parse(Encoding.UTF8.GetString(text.WrittenSpan));
    }
}
