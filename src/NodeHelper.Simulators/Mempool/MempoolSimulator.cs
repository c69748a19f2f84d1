using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NodeHelper.Simulators.Mainnet;

namespace NodeHelper.Simulators.Mempool;

/// <summary>
/// A loopback mempool.space backend answering /api/v1/... from the captured answers, with a scriptable tip,
/// fees, mempool and sync state, and the faults: 503 while not in sync, HTTP 500, garbage, silence, slowness.
/// </summary>
public sealed class MempoolSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _disposed;

    private MempoolSimulator(WebApplication app) => _app = app;

    public MempoolState State { get; } = new();

    /// <summary>The API base, ending in /api/v1/.</summary>
    public Uri Url { get; private set; } = null!;

    public int RequestCount => Volatile.Read(ref _requests);

    public static Task<MempoolSimulator> StartAsync(int port = 0) => StartAsync(new MempoolSimulatorOptions { Port = port });

    public static async Task<MempoolSimulator> StartAsync(MempoolSimulatorOptions options)
    {
        var app = SimulatorHost.Create(options.Port);
        var simulator = new MempoolSimulator(app);
        if (options.Mainnet is { } mainnet)
        {
            simulator.State.UseMainnet(mainnet);
        }

        app.Run(simulator.HandleAsync);
        await app.StartAsync();
        simulator.Url = new Uri(SimulatorHost.BaseUrl(app), "api/v1/");
        return simulator;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (State.Latency > TimeSpan.Zero)
        {
            await Task.Delay(State.Latency, context.RequestAborted);
        }

        var response = context.Response;
        switch (State.Fault)
        {
            case MempoolFault.NeverAnswers:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case MempoolFault.Http500:
                response.StatusCode = 500;
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync("Error: connect ECONNREFUSED 127.0.0.1:3306");
                return;
            case MempoolFault.Garbage:
                response.ContentType = "application/json; charset=utf-8";
                await response.WriteAsync("<html>not the answer</html>");
                return;
            default:
                break;
        }

        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/v1/", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            await response.WriteAsync("Cannot GET " + path);
            return;
        }

        var endpoint = path["/api/v1/".Length..];
        if (State.FailingEndpoints.Contains(endpoint))
        {
            response.StatusCode = 500;
            await response.WriteAsync("Internal Server Error");
            return;
        }

        var (status, type, body) = Answer(endpoint);
        response.StatusCode = status;
        response.ContentType = type;
        await response.WriteAsync(body);
    }

    private (int Status, string ContentType, string Body) Answer(string endpoint)
    {
        const string Json = "application/json; charset=utf-8";
        switch (endpoint)
        {
            case "backend-info":
                var info = Captured("backend-info");
                info["version"] = State.Version;
                return (200, Json, info.ToJsonString());
            case "blocks/tip/height":
                return (200, "text/plain; charset=utf-8", State.TipHeight.ToString(CultureInfo.InvariantCulture));
            case "fees/recommended" when !State.Synced:
                // As captured while starting: 503 with a plain text body.
                return (503, "text/html; charset=utf-8", "Service Unavailable");
            case "fees/recommended":
                var (fastest, halfHour, hour, economy, minimum) = State.Fees;
                return (200, Json, new JsonObject
                {
                    ["fastestFee"] = fastest,
                    ["halfHourFee"] = halfHour,
                    ["hourFee"] = hour,
                    ["economyFee"] = economy,
                    ["minimumFee"] = minimum,
                }.ToJsonString());
            case "mempool":
                var mempool = Captured("mempool");
                mempool["count"] = State.MempoolCount;
                mempool["vsize"] = State.MempoolVsize;
                mempool["total_fee"] = State.MempoolTotalFee;
                if (State.Mainnet is { } node)
                {
                    mempool["fee_histogram"] = new JsonArray([.. node.Mempool.FeeHistogram.Select(b => (JsonNode)new JsonArray(b.FeeRate, b.Vsize))]);
                }

                return (200, Json, mempool.ToJsonString());
            case "init-data":
                var init = Captured(State.Synced ? "init-data" : "init-data-starting");
                if (State.LoadingIndicators is { } indicators)
                {
                    init["loadingIndicators"] = new JsonObject(indicators.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value)));
                }

                if (State.Mainnet is { } mainnet && State.Synced)
                {
                    MainnetInitData(init, mainnet);
                }

                return (200, Json, init.ToJsonString());
            case "fees/mempool-blocks" when State.Mainnet is { } projected:
                return (200, Json, ProjectedBlocks(projected).ToJsonString());
            default:
                var file = endpoint.Replace('/', '-') + ".json";
                return Fixtures.Exists("mempool/" + file)
                    ? (200, Json, Fixtures.Read("mempool/" + file))
                    : (404, "text/html; charset=utf-8", "Cannot GET /api/v1/" + endpoint);
        }
    }

    private static JsonArray ProjectedBlocks(MainnetNode node) =>
    [
        .. node.Mempool.ProjectedBlocks.Select(b => (JsonNode)new JsonObject
        {
            ["blockSize"] = b.SizeBytes,
            ["blockVSize"] = b.VsizeBytes,
            ["nTx"] = b.Transactions,
            ["totalFees"] = b.TotalFeesSat,
            ["medianFee"] = b.MedianFeeRate,
            ["feeRange"] = new JsonArray([.. b.FeeRange.Select(r => (JsonNode)r)]),
        }),
    ];

    /// <summary>
    /// init-data as the backend of a mainnet node sends it: its mempool (bitcoind's getmempoolinfo), projected blocks,
    /// fees, the difficulty period the tip is in, and the last eight blocks at the tip's heights.
    /// </summary>
    private void MainnetInitData(JsonNode init, MainnetNode node)
    {
        var (profile, mempool, block) = (node.Profile, node.Mempool, node.LatestBlock);
        var info = init["mempoolInfo"]!;
        info["size"] = mempool.Transactions;
        info["bytes"] = mempool.VsizeBytes;
        info["usage"] = mempool.UsageBytes;
        info["total_fee"] = mempool.TotalFeeSat / 100_000_000m;
        info["maxmempool"] = mempool.MaxBytes;
        info["mempoolminfee"] = Math.Round((decimal)mempool.MinFeeRate / 100_000m, 8);
        init["mempool-blocks"] = ProjectedBlocks(node);
        var (fastest, halfHour, hour, economy, minimum) = State.Fees;
        init["fees"] = new JsonObject { ["fastestFee"] = fastest, ["halfHourFee"] = halfHour, ["hourFee"] = hour, ["economyFee"] = economy, ["minimumFee"] = minimum };
        init["vBytesPerSecond"] = 2_412;

        // The difficulty period: 2,016 blocks from a multiple of 2,016.
        var next = ((State.TipHeight / 2016) + 1) * 2016;
        var remaining = next - State.TipHeight;
        var da = init["da"]!;
        da["progressPercent"] = (2016 - remaining) * 100.0 / 2016;
        da["difficultyChange"] = 1.87;
        da["remainingBlocks"] = remaining;
        da["remainingTime"] = remaining * 588_000;
        da["estimatedRetargetDate"] = ((profile.TipTime + 240) * 1000) + (remaining * 588_000);
        da["previousRetarget"] = 3.12;
        da["previousTime"] = profile.TipTime - ((2016 - remaining) * 588);
        da["nextRetargetHeight"] = next;
        da["timeAvg"] = 588_000;
        da["adjustedTimeAvg"] = 588_000;
        da["expectedBlocks"] = 2016.0 - remaining - 0.4;

        var blocks = init["blocks"]!.AsArray();
        for (var i = 0; i < blocks.Count; i++)
        {
            var height = State.TipHeight - blocks.Count + 1 + i;
            var entry = blocks[i]!;
            var tip = height == State.TipHeight;
            entry["id"] = Bitcoind.BitcoindResponder.HashAt(height);
            entry["previousblockhash"] = Bitcoind.BitcoindResponder.HashAt(height - 1);
            entry["height"] = height;
            entry["timestamp"] = profile.TipTime - ((State.TipHeight - height) * 600);
            entry["mediantime"] = profile.TipTime - ((State.TipHeight - height) * 600) - 3000;
            entry["difficulty"] = 149_301_205_959_699.9;
            entry["tx_count"] = tip ? block.Transactions : block.Transactions - 150 + (i * 37);
            entry["weight"] = tip ? block.TotalWeight + MainnetBlock.CoinbaseWeight : profile.BlockWeight - (i * 211);
            entry["size"] = tip ? block.TotalSize + 250 : block.TotalSize - (i * 3_100);
            var extras = entry["extras"]!;
            extras["totalFees"] = tip ? block.TotalFee : block.TotalFee - (i * 41_000);
            extras["reward"] = block.Subsidy + extras["totalFees"]!.GetValue<long>();
            extras["medianFee"] = block.FeeRatePercentiles[2];
            extras["feeRange"] = new JsonArray([.. block.FeeRatePercentiles.Select(p => (JsonNode)p)]);
        }
    }

    private static JsonNode Captured(string name) => JsonNode.Parse(Fixtures.Read($"mempool/{name}.json"))!;
}
