using System.Globalization;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Mainnet;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench`, mainnet part (`--part mainnet`): the bitcoind collector alone against a mainnet-sized simulated node,
/// one fresh exporter per row: 10, 125 and 1,000 peers with a full 300 MB mempool of 150,000 transactions, and 125
/// peers with a small mempool. As the bitcoind part, each timed scrape is paired with a direct POST of the same batch
/// to the simulator, so the exporter's overhead is the scrape minus the upstream's own round trip under the same
/// noise. Then whether the cost grows linearly (or better) with the peers, and the goal: a 125-peer mainnet scrape
/// within 2 ms of the upstream's round trip.
/// </summary>
internal static class MainnetBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The goal's bound on the median scrape minus the median upstream round trip at 125 peers.</summary>
    private const double OverheadGoalSeconds = 0.002;

    private static readonly (string Label, MainnetProfile Profile)[] Rows =
    [
        ("10 peers, full mempool", new MainnetProfile { Peers = 10 }),
        ("125 peers, full mempool", new MainnetProfile()),
        ("1,000 peers, full mempool", new MainnetProfile { Peers = 1000 }),
        ("125 peers, small mempool", new MainnetProfile { MempoolTransactions = 3_000, MempoolUsageBytes = 6_000_000 }),
    ];

    public static async Task<bool> RunAsync(string exporterDirectory, int warmup, int scrapes)
    {
        var results = new List<(string Label, MainnetProfile Profile, Measured Figures)>();
        foreach (var (label, profile) in Rows)
        {
            var figures = await MeasureAsync(exporterDirectory, profile, warmup, scrapes);
            if (figures is null)
            {
                return false;
            }

            results.Add((label, profile, figures));
        }

        Console.WriteLine();
        Console.WriteLine($"NodeHelper mainnet-sized benchmark: the bitcoind collector alone, one fresh exporter per row, {warmup} scrapes to warm up, then {scrapes} timed scrapes each paired with a direct POST of the same batch");
        Console.WriteLine($"exporter: {exporterDirectory}");
        Console.WriteLine($"node: height {new MainnetProfile().Height:N0}, {new MainnetProfile().ChainTips} chain tips, a {new MainnetProfile().BlockWeight:N0} WU latest block; full mempool: 150,000 transactions, "
            + $"{MainnetNode.For(new MainnetProfile()).Mempool.VsizeBytes / 1e6:0.0} MvB, usage {new MainnetProfile().MempoolUsageBytes / 1e6:0.0} of 300 MB; small mempool: 3,000 transactions");
        Console.WriteLine();
        Console.WriteLine("| bitcoind | answer | scrape median / p95 | upstream alone, median | overhead at the median | overhead per pair, median / p95 | CPU per scrape | allocated per scrape | resident (peak) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (label, _, f) in results)
        {
            Console.WriteLine($"| {label} | {f.AnswerBytes / 1024.0:0} KiB | {Program.Ms(f.ScrapeMedian)} / {Program.Ms(f.ScrapeP95)} | {Program.Ms(f.UpstreamMedian)} | {Program.Ms(f.Overhead)} | "
                + $"{Program.Ms(f.PairedMedian)} / {Program.Ms(f.PairedP95)} | {Program.Ms(f.CpuPerScrape)} | {f.AllocatedPerScrape / 1024:0.0} KiB | {f.Rss / 1048576.0:0.0} MiB ({f.Peak / 1048576.0:0.0}) |");
        }

        // Linear or better: what each peer adds from 125 to 1,000 is no more than what each added from 10 to 125.
        var (ten, mainnet, thousand) = (results[0].Figures, results[1].Figures, results[2].Figures);
        Console.WriteLine();
        foreach (var (measure, read) in new (string, Func<Measured, double>)[]
                 {
                     ("exporter CPU", f => f.CpuPerScrape),
                     ("overhead at the median", f => f.Overhead),
                     ("allocations", f => f.AllocatedPerScrape),
                 })
        {
            var early = (read(mainnet) - read(ten)) / 115;
            var late = (read(thousand) - read(mainnet)) / 875;
            var unit = measure == "allocations" ? $"{early:0} B and {late:0} B" : $"{early * 1e6:0.0} µs and {late * 1e6:0.0} µs";
            // Within 25 %: two differences of noisy medians on a shared machine.
            var linear = late <= (early * 1.25) + (measure == "allocations" ? 64 : 2e-6);
            Console.WriteLine($"{measure} per peer, 10 to 125 and 125 to 1,000 peers: {unit}: {(linear ? "linear or better" : "WORSE than linear")}");
        }

        var small = results[3].Figures;
        Console.WriteLine($"mempool size, 125 peers: full minus small mempool, exporter CPU per scrape {Program.Ms(mainnet.CpuPerScrape - small.CpuPerScrape)}, allocations {(mainnet.AllocatedPerScrape - small.AllocatedPerScrape) / 1024:0.0} KiB (getmempoolinfo is a summary: the mempool's size is not in the answer's)");
        Console.WriteLine($"125-peer mainnet scrape within 2 ms of the upstream's own round trip (median scrape - median upstream): {Program.Ms(mainnet.Overhead)} {(mainnet.Overhead < OverheadGoalSeconds ? "MET" : "MISSED")}");
        return true;
    }

    private static async Task<Measured?> MeasureAsync(string exporterDirectory, MainnetProfile profile, int warmup, int scrapes)
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = profile });
        var port = Program.FreePort();
        using var exporter = Program.StartExporter(exporterDirectory, port, [$"--Bitcoind:Url={bitcoind.Url}", $"--Bitcoind:CookieFile={bitcoind.CookieFile}",
            "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"]);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await Program.WaitUntilListeningAsync(http);
            for (var i = 0; i < warmup; i++)
            {
                await Program.ScrapeAsync(http);
            }

            // The batch the exporter really sends once its block's stats are known: the steady state of a node.
            var batch = bitcoind.RequestBodies[^1];
            using var upstream = new HttpClient { BaseAddress = bitcoind.Url };
            int answerBytes;
            upstream.DefaultRequestHeaders.Authorization = bitcoind.CurrentAuthorization();
            using (var content = new StringContent(batch, System.Text.Encoding.UTF8, "application/json"))
            using (var answer = await upstream.PostAsync("", content))
            {
                answerBytes = (await answer.Content.ReadAsByteArrayAsync()).Length;
            }

            for (var i = 0; i < warmup; i++)
            {
                await Program.PostBatchAsync(upstream, batch);
            }

            var first = await Program.ScrapeAsync(http);
            var scrapeTimes = new double[scrapes];
            var upstreamTimes = new double[scrapes];
            var last = first.Body;
            for (var i = 0; i < scrapes; i++)
            {
                upstreamTimes[i] = await Program.PostBatchAsync(upstream, batch);
                var scrape = await Program.ScrapeAsync(http);
                scrapeTimes[i] = scrape.Seconds;
                last = scrape.Body;
            }

            if (Program.Value(last, "bitcoind_up") != 1
                || Program.Value(last, "bitcoind_rpc_call_success{method=\"getpeerinfo\"}") != 1
                || Program.Value(last, "bitcoind_connections{direction=\"inbound\"}") + Program.Value(last, "bitcoind_connections{direction=\"outbound\"}") != profile.Peers)
            {
                await Console.Error.WriteLineAsync($"{profile.Peers} peers: the scrape did not read the whole node: the benchmark would measure failures.");
                return null;
            }

            var memory = Program.Memory(exporter.Id);
            var paired = scrapeTimes.Zip(upstreamTimes, (s, u) => s - u).ToArray();
            return new Measured(
                answerBytes,
                Program.Percentile(scrapeTimes, 0.5),
                Program.Percentile(scrapeTimes, 0.95),
                Program.Percentile(upstreamTimes, 0.5),
                Program.Percentile(paired, 0.5),
                Program.Percentile(paired, 0.95),
                (Program.Value(last, "process_cpu_seconds_total") - Program.Value(first.Body, "process_cpu_seconds_total")) / scrapes,
                (Program.Value(last, "dotnet_gc_allocated_bytes_total") - Program.Value(first.Body, "dotnet_gc_allocated_bytes_total")) / scrapes,
                memory.Rss,
                memory.Peak);
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync();
        }
    }

    private sealed record Measured(int AnswerBytes, double ScrapeMedian, double ScrapeP95, double UpstreamMedian, double PairedMedian, double PairedP95,
        double CpuPerScrape, double AllocatedPerScrape, long Rss, long Peak)
    {
        /// <summary>Median scrape minus median upstream round trip: the definition the goal uses.</summary>
        public double Overhead => ScrapeMedian - UpstreamMedian;
    }
}
