using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

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

    public static async Task<MempoolSimulator> StartAsync(int port = 0)
    {
        var app = SimulatorHost.Create(port);
        var simulator = new MempoolSimulator(app);
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
                return (200, Json, mempool.ToJsonString());
            case "init-data":
                var init = Captured(State.Synced ? "init-data" : "init-data-starting");
                if (State.LoadingIndicators is { } indicators)
                {
                    init["loadingIndicators"] = new JsonObject(indicators.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value)));
                }

                return (200, Json, init.ToJsonString());
            default:
                var file = endpoint.Replace('/', '-') + ".json";
                return Fixtures.Exists("mempool/" + file)
                    ? (200, Json, Fixtures.Read("mempool/" + file))
                    : (404, "text/html; charset=utf-8", "Cannot GET /api/v1/" + endpoint);
        }
    }

    private static JsonNode Captured(string name) => JsonNode.Parse(Fixtures.Read($"mempool/{name}.json"))!;
}
