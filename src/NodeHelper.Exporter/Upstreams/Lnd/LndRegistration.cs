using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Upstreams.Lnd;

internal static class LndRegistration
{
    /// <summary>LND's collector, when Lnd:Enabled.</summary>
    public static IServiceCollection AddLndCollector(this IServiceCollection services, LndOptions options) =>
        !options.Enabled
            ? services
            : services.AddSingleton(_ => new LndRestClient(options.Url, options.MacaroonFile, options.TlsCertFile, TimeSpan.FromSeconds(options.TimeoutSeconds)))
                .AddCollector(s => new LndCollector(
                    new LndSnapshotSource(s.GetRequiredService<LndRestClient>(), options.TimeoutSeconds, TimeProvider.System),
                    new LndLocalFiles(options),
                    options.PerChannel,
                    s.ItemLog<LndCollector>("lnd"),
                    s.Stopping(),
                    s.GetRequiredService<RunningVersions>()));
}
