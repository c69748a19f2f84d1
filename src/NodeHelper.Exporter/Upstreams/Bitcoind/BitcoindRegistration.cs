using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

internal static class BitcoindRegistration
{
    /// <summary>The bitcoind collector and what it needs, when Bitcoind:Enabled.</summary>
    public static IServiceCollection AddBitcoindCollector(this IServiceCollection services, BitcoindOptions options)
    {
        if (!options.Enabled)
        {
            return services;
        }

        return services.AddSingleton(options)
            .AddSingleton<BitcoindCredentials>()
            .AddSingleton<BitcoindRpcClient>()
            .AddSingleton<BitcoindSnapshotSource>()
            .AddCollector(s => new BitcoindCollector(s.GetRequiredService<BitcoindSnapshotSource>(), s.ItemLog<BitcoindCollector>("bitcoind"), s.Stopping(), s.GetRequiredService<RunningVersions>()));
    }
}
