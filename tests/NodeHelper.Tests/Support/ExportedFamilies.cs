using System.Text.RegularExpressions;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Collectors;

namespace NodeHelper.Tests.Support;

/// <summary>
/// What the exporter really exports, learnt from real scrapes of the whole simulated stack with a real MariaDB.
/// Taken once per test run and shared: the README's metric table and the alert rules are both checked against it.
/// </summary>
internal static partial class ExportedFamilies
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Dictionary<string, (string Type, HashSet<string> Labels)>? _families;

    public static async Task<IReadOnlyDictionary<string, (string Type, HashSet<string> Labels)>> OfWholeStackAsync(MariaDbFixture mariadb)
    {
        await Gate.WaitAsync();
        try
        {
            return _families ??= await ScrapeAsync(mariadb);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Every family with its type and label names, over scrapes that between them show every series: the whole stack
    /// with peers and a real MariaDB (after the block stats and directory sizes are in), a pruned node, one warming up.</summary>
    private static async Task<Dictionary<string, (string Type, HashSet<string> Labels)>> ScrapeAsync(MariaDbFixture mariadb)
    {
        var database = mariadb.UniqueName("mempool");
        await MariaDbCollectorTests.CreateMempoolDatabaseAsync(mariadb.Server, database);
        await using var stack = await SimulatedStack.StartAsync();
        await using var exporter = await ExporterUnderTest.StartAsync(stack.Settings(
            "--MariaDb:Enabled=true", $"--MariaDb:ConnectionString=Server={mariadb.Server.Socket};User ID=root", $"--MariaDb:MempoolDatabase={database}"));
        stack.Bitcoind.State.SetPeerCount(6);
        var scrapes = new List<Exposition>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var scrape = (await exporter.ScrapeAsync()).Metrics;
            if (scrape.Names.Contains("bitcoind_latest_block_height") && scrape.Names.Contains("nodehelper_directory_size_bytes"))
            {
                scrapes.Add(scrape);
                break;
            }

            await Task.Delay(100);
        }

        scrapes.Should().HaveCount(1, "block stats and directory sizes arrive within a few scrapes");
        stack.Bitcoind.State.Pruned = true;
        scrapes.Add((await exporter.ScrapeAsync()).Metrics);
        stack.Bitcoind.State.Fault = BitcoindFault.WarmingUp;
        scrapes.Add((await exporter.ScrapeAsync()).Metrics);

        var families = new Dictionary<string, (string Type, HashSet<string> Labels)>();
        foreach (var scrape in scrapes)
        {
            foreach (var series in scrape.Series.Keys)
            {
                var name = series.Split('{')[0];
                var labels = LabelNamePattern().Matches(series).Select(m => m.Groups[1].Value);
                if (!families.TryGetValue(name, out var family))
                {
                    family = (scrape.Types[name], []);
                    families[name] = family;
                }

                family.Labels.UnionWith(labels);
            }
        }

        return families;
    }

    [GeneratedRegex("[{,]([a-z_]+)=\"")]
    private static partial Regex LabelNamePattern();
}
