using System.Text.RegularExpressions;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Lnd;

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
    /// with peers and a real MariaDB (after the block stats and directory sizes are in), LND with a force close and an HTLC, a pruned node, one warming up.</summary>
    private static async Task<Dictionary<string, (string Type, HashSet<string> Labels)>> ScrapeAsync(MariaDbFixture mariadb)
    {
        await using var whole = await WholeStack.StartAsync(mariadb);
        var (stack, exporter) = (whole.Stack, whole.Exporter);
        var scrapes = new List<Exposition> { await whole.WaitForEverySeriesAsync() };

        // LND with a force close and an HTLC in flight: the series that exist only then.
        stack.Lnd.State.AddForceClose(new LndForceClose("aa:0", "02b6", 100_000, 60_000, stack.Lnd.State.BlockHeight + 144, []));
        stack.Lnd.State.AddHtlc(new LndHtlc("821261518687043586", Incoming: true, 2_000, stack.Lnd.State.BlockHeight + 400));
        scrapes.Add((await exporter.ScrapeAsync()).Metrics);
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
