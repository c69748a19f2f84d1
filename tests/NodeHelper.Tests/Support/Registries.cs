using System.Text;
using NodeHelper.Exporter.Scraping;
using Prometheus;

namespace NodeHelper.Tests.Support;

/// <summary>Runs one collector into a fresh registry, as a scrape does, and reads the result back.</summary>
internal static class Registries
{
    public static async Task<Exposition> CollectAsync(IMetricsCollector collector)
    {
        var registry = Metrics.NewCustomRegistry();
        await collector.CollectAsync(Metrics.WithCustomRegistry(registry), CancellationToken.None);
        return await ExportAsync(registry);
    }

    public static async Task<Exposition> WriteFailureAsync(IMetricsCollector collector, Exception error)
    {
        var registry = Metrics.NewCustomRegistry();
        collector.WriteFailure(Metrics.WithCustomRegistry(registry), error);
        return await ExportAsync(registry);
    }

    public static async Task<Exposition> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Exposition.Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
