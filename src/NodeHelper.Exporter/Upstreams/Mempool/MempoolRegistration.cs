using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Upstreams.Mempool;

internal static class MempoolRegistration
{
    /// <summary>The mempool backend's collector, when Mempool:Enabled.</summary>
    public static IServiceCollection AddMempoolCollector(this IServiceCollection services, MempoolOptions options) =>
        !options.Enabled
            ? services
            : services.AddSingleton(new MempoolClient(options))
                .AddCollector(s => new MempoolCollector(s.GetRequiredService<MempoolClient>(), s.ItemLog<MempoolCollector>("mempool"), s.Stopping(), s.GetRequiredService<RunningVersions>()));

    /// <summary>
    /// The front end's probe, whenever Mempool:FrontendUrl is set: it stands in front of the backend, not inside it,
    /// so it is probed even when the backend's own collector is off.
    /// </summary>
    public static IServiceCollection AddMempoolFrontendCollector(this IServiceCollection services, MempoolOptions options) =>
        options.FrontendUrl is null
            ? services
            : services.AddCollector(s => new MempoolFrontendCollector(new MempoolFrontendClient(options), s.Stopping()));
}
