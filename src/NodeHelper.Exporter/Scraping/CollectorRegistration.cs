using Microsoft.Extensions.DependencyInjection.Extensions;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The seams of the composition root: the scrape machinery, and one collector per upstream. Each upstream's
/// folder has an <c>Add…Collector</c> that registers its options, its client and its collector with these, so
/// Program.cs names each upstream once and a new one is its folder plus one line there.
/// </summary>
internal static class CollectorRegistration
{
    /// <summary>/metrics: the deadline's options, the exporter's own metrics, and the service that runs every registered collector.</summary>
    public static IServiceCollection AddScraping(this IServiceCollection services, ScrapeOptions options)
    {
        // A test's clock, when it brought one.
        services.TryAddSingleton(TimeProvider.System);
        return services.AddSingleton(options)
            .AddSingleton<ExporterSelfMetrics>()
            .AddSingleton(_ => new Upstreams.Updates.RunningVersions())
            .AddSingleton<CollectorHealth>()
            .AddSingleton<ScrapeService>();
    }

    /// <summary>A collector; scrapes run them in the order they were registered.</summary>
    public static IServiceCollection AddCollector(this IServiceCollection services, Func<IServiceProvider, IMetricsCollector> create) =>
        services.AddSingleton(create);

    /// <summary>Fires when the exporter stops: what ends a collector's fetch in flight, which no single scrape may cancel.</summary>
    public static CancellationToken Stopping(this IServiceProvider services) =>
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>The log of a collector's items (its RPC methods, queries, paths), in the collector's own category.</summary>
    public static ItemLog ItemLog<TCollector>(this IServiceProvider services, string collector) =>
        new(services.GetRequiredService<ILogger<TCollector>>(), collector);
}
