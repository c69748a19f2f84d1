using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Upstreams.Electrum;

internal static class ElectrumRegistration
{
    /// <summary>The Electrum server's probe, when Electrum:Enabled.</summary>
    public static IServiceCollection AddElectrumCollector(this IServiceCollection services, ElectrumOptions options) =>
        !options.Enabled
            ? services
            : services.AddSingleton(new ElectrumClient(options))
                .AddCollector(s => new ElectrumCollector(s.GetRequiredService<ElectrumClient>(), s.Stopping(), s.GetRequiredService<RunningVersions>()));
}
