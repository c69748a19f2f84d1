using NodeHelper.Tests.Collectors;

namespace NodeHelper.Tests.Support;

/// <summary>
/// The exporter with every collector over the whole simulated stack and a real MariaDB (a database of its own,
/// with the mempool backend's tables), as a node that runs everything looks. Stopped on dispose.
/// </summary>
internal sealed class WholeStack : IAsyncDisposable
{
    private WholeStack(SimulatedStack stack, ExporterUnderTest exporter)
    {
        Stack = stack;
        Exporter = exporter;
    }

    public SimulatedStack Stack { get; }

    public ExporterUnderTest Exporter { get; }

    public static async Task<WholeStack> StartAsync(MariaDbFixture mariadb)
    {
        var database = mariadb.UniqueName("mempool");
        await MariaDbCollectorTests.CreateMempoolDatabaseAsync(mariadb.Server, database);
        var stack = await SimulatedStack.StartAsync();
        try
        {
            var exporter = await ExporterUnderTest.StartAsync(stack.Settings(
                "--MariaDb:Enabled=true", $"--MariaDb:ConnectionString=Server={mariadb.Server.Socket};User ID=root", $"--MariaDb:MempoolDatabase={database}"));
            stack.Bitcoind.State.SetPeerCount(6);
            return new WholeStack(stack, exporter);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Scrapes until the series that arrive late (the latest block's stats, measured directory sizes, the counted upgrades, update checks, LND's graph) are there.</summary>
    public async Task<Exposition> WaitForEverySeriesAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var scrape = (await Exporter.ScrapeAsync()).Metrics;
            // (and the versions the updates collector compares, read by the other collectors in an earlier scrape)
            if (scrape.Names.Contains("bitcoind_latest_block_height") && scrape.Names.Contains("nodehelper_directory_size_bytes")
                && scrape.Names.Contains("nodehelper_apt_upgrades_pending") && scrape.Family("nodehelper_update_available").Count >= 3
                && scrape.Names.Contains("lnd_graph_nodes"))
            {
                return scrape;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("block stats, directory sizes, pending upgrades, update checks and LND's graph did not arrive within 100 scrapes");
    }

    public async ValueTask DisposeAsync()
    {
        await Exporter.DisposeAsync();
        await Stack.DisposeAsync();
    }
}
