using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench ARGS=--phases` (`--phases --peers 1000`: a mainnet-sized node): where a scrape's time and allocations go
/// inside the exporter, phase by phase, in-process (time per call and bytes allocated per call on the calling thread); and the status page's two
/// renderings of one whole-stack reading, HTML and JSON.
/// </summary>
internal static class Phases
{
    /// <param name="mainnetPeers">With a number, a mainnet-sized node with that many peers (`--phases --peers 1000`); the captured node without.</param>
    public static async Task RunAsync(int iterations, int? mainnetPeers = null)
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions
        {
            Mainnet = mainnetPeers is { } peers ? new NodeHelper.Simulators.Mainnet.MainnetProfile { Peers = peers } : null,
        });
        var options = new BitcoindOptions { Url = bitcoind.Url, CookieFile = bitcoind.CookieFile! };
        using var client = new BitcoindRpcClient(options, new BitcoindCredentials(options));
        var source = new BitcoindSnapshotSource(client, options);
        var plan = new BitcoindBatchPlan(options.FeeTargets, blockStatsHash: null);
        await source.FetchAsync(CancellationToken.None);
        var snapshot = await source.FetchAsync(CancellationToken.None);
        var batchAnswer = await FetchRawAsync(bitcoind, plan);
        var batchBytes = System.Text.Encoding.UTF8.GetBytes(batchAnswer);
        var self = new ExporterSelfMetrics();

        Console.WriteLine("| phase | time per call | allocated per call |");
        Console.WriteLine("|---|---|---|");
        await MeasureAsync("fetch: one batch POST + parse (includes the in-process simulator's own work)", iterations, () => source.FetchAsync(CancellationToken.None));
        await MeasureAsync($"parse, for comparison: a JsonDocument of the answer alone, which the exporter does not build ({batchBytes.Length / 1024.0:0} KiB)", iterations, () =>
        {
            JsonDocument.Parse(batchBytes).Dispose();
            return Task.CompletedTask;
        });
        await MeasureAsync("parse: batch answer to snapshot, one pass over its bytes (no I/O)", iterations, () =>
        {
            BitcoindSnapshotParser.Parse(plan, BatchReply.Parse(batchBytes, plan.Readers), out _);
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
        var status = StatusDocumentOf(filled);
        var facts = status.Components.Sum(c => c.Facts.Count);
        var html = StatusPage.Render(status, silencesAllowed: false);
        var json = JsonSerializer.SerializeToUtf8Bytes(status, StatusJsonContext.Default.StatusDocument);
        await MeasureAsync($"status page: render a whole-stack StatusDocument to HTML ({status.Components.Count} cards, {facts} facts, {status.Alerts.Items.Count} alerts; {html.Length / 1024.0:0.0} KiB)", iterations, () =>
        {
            StatusPage.Render(status, silencesAllowed: false);
            return Task.CompletedTask;
        });
        await MeasureAsync($"status JSON: serialise it ({json.Length / 1024.0:0.0} KiB)", iterations, () =>
        {
            JsonSerializer.Serialize(System.IO.Stream.Null, status, StatusJsonContext.Default.StatusDocument);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// A whole-stack status document: bitcoind's card from the snapshot read above (the page's own facts code over a
    /// real reading), nine more cards of ten facts each built by hand, three firing alerts, no history (as in the
    /// benchmark's stack, with no Prometheus to ask).
    /// </summary>
    private static StatusDocument StatusDocumentOf(MetricSet bitcoindMetrics)
    {
        var now = DateTimeOffset.UtcNow;
        var reading = new MetricReading(bitcoindMetrics);
        var components = new List<ComponentStatus>
        {
            new("bitcoind", ComponentCards.Title("bitcoind"), "bitcoind JSON-RPC: chain, sync, peers, mempool, fee estimates, indexes", "up",
                now.AddHours(-30), false, null, "good", ComponentCards.Facts("bitcoind", reading, reading, now)),
        };
        string[] others = ["electrum", "mempool", "mempool_frontend", "lnd", "mariadb", "host", "services", "posture", "backups"];
        foreach (var name in others)
        {
            var facts = Enumerable.Range(0, 10).Select(i => i switch
            {
                0 => new StatusFact("version", "Version", null, null, "v0.18.4-beta commit=v0.18.4-beta", "neutral"),
                1 => new StatusFact("tip_height", "Tip height", 871_234 + i, null, "871,235", "neutral"),
                2 => new StatusFact("lag_blocks", "Behind bitcoind", 0, "blocks", "in step", "good"),
                3 => new StatusFact("duration", "Answered in", 0.0042, "seconds", "4 ms", "neutral"),
                4 => new StatusFact("disk_free.bitcoind", "Disk of bitcoind", 412_000_000_000, "bytes", "384 GiB free of 1.8 TiB (21 %)", "attention"),
                5 => new StatusFact("tls_expiry", "TLS certificate expires", now.AddDays(40).ToUnixTimeSeconds(), "seconds", "in 40 days", "good"),
                6 => new StatusFact("channels_active", "Channels active", 12, null, "12", "neutral"),
                7 => new StatusFact("channel_local", "In channels (ours)", 4_250_000, "sat", "0.0425 BTC", "neutral"),
                8 => new StatusFact("synced", "Synced", 1, null, "yes", "good"),
                _ => new StatusFact("fee_hour", "Fee, an hour", 12.5, "sat/vB", "12.5 sat/vB", "neutral"),
            }).ToList();
            components.Add(new ComponentStatus(name, ComponentCards.Title(name), $"{name}: what its collector reads, in one line", "up",
                now.AddHours(-30), false, null, name == "host" ? "attention" : "good", facts));
        }

        var alerts = Enumerable.Range(0, 3).Select(i => new AlertItem($"{i:x16}", $"NodeHelperAlert{i}", i == 0 ? "critical" : "warning", others[i],
            $"Something about {others[i]} that needs a look & <escaping> ({i})", now.AddMinutes(-15 * (i + 1)), "firing", [], "https://example.org/runbook",
            new Dictionary<string, string> { ["alertname"] = $"NodeHelperAlert{i}", ["severity"] = "warning", ["scope"] = others[i], ["instance"] = "node1:9338" })).ToList();
        return new StatusDocument(1, now, ExporterSelfMetrics.Version,
            new StatusVerdict("problems", "Problems", [.. alerts.Select(a => a.Summary)]), components,
            new AlertsSection("alertmanager", null, false, alerts, [], null), new HistorySection(null, null, [], []), 30);
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
