using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench ARGS=--phases`: where a scrape's time and allocations go inside the exporter, phase by phase,
/// in-process (time per call and bytes allocated per call on the calling thread).
/// </summary>
internal static class Phases
{
    public static async Task RunAsync(int iterations)
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var options = new BitcoindOptions { Url = bitcoind.Url, CookieFile = bitcoind.CookieFile! };
        using var client = new BitcoindRpcClient(options, new BitcoindCredentials(options));
        var source = new BitcoindSnapshotSource(client, options);
        var plan = new BitcoindBatchPlan(options.FeeTargets, blockStatsHash: null);
        await source.FetchAsync(CancellationToken.None);
        var snapshot = await source.FetchAsync(CancellationToken.None);
        var batchAnswer = await FetchRawAsync(bitcoind, plan);
        var self = new ExporterSelfMetrics();

        Console.WriteLine("| phase | time per call | allocated per call |");
        Console.WriteLine("|---|---|---|");
        await MeasureAsync("fetch: one batch POST + parse (includes the in-process simulator's own work)", iterations, () => source.FetchAsync(CancellationToken.None));
        await MeasureAsync("parse: batch answer to snapshot (no I/O)", iterations, () =>
        {
            using var reply = BatchReply.Parse(JsonDocument.Parse(batchAnswer), plan.Calls.Count);
            BitcoindSnapshotParser.Parse(plan, reply, out _);
            return Task.CompletedTask;
        });
        await MeasureAsync("emit: snapshot into a fresh metric set", iterations, () =>
        {
            BitcoindCollector.WriteSnapshot(new MetricSet(), snapshot);
            return Task.CompletedTask;
        });
        var filled = new MetricSet();
        BitcoindCollector.WriteSnapshot(filled, snapshot);
        await MeasureAsync("render: that set as text", iterations, () =>
        {
            filled.WriteTo(new System.Buffers.ArrayBufferWriter<byte>(32 * 1024));
            return Task.CompletedTask;
        });
        await MeasureAsync("export: the exporter's own metrics, written and rendered", iterations, () =>
        {
            var own = new MetricSet();
            self.WriteTo(own);
            own.WriteTo(new System.Buffers.ArrayBufferWriter<byte>(4 * 1024));
            return Task.CompletedTask;
        });
    }

    private static async Task<string> FetchRawAsync(BitcoindSimulator bitcoind, BitcoindBatchPlan plan)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = bitcoind.CurrentAuthorization();
        using var content = new ByteArrayContent(BatchReply.WriteRequest(plan.Calls));
        using var response = await http.PostAsync(bitcoind.Url, content);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task MeasureAsync(string phase, int iterations, Func<Task> action)
    {
        for (var i = 0; i < Math.Min(iterations, 200); i++)
        {
            await action();
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            await action();
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds / iterations;
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)iterations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {phase} | {seconds * 1e6:0} µs | {bytes / 1024:0.0} KiB |"));
    }
}
