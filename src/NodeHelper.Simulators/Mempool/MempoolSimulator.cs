using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Mempool;

/// <summary>Ways the mempool backend (or the network in front of it) can fail besides not being in sync.</summary>
public enum MempoolFault
{
    /// <summary>Answers as captured.</summary>
    None,

    /// <summary>Every endpoint answers HTTP 500 with an error text, as Express does on an exception.</summary>
    Http500,

    /// <summary>Every endpoint answers 200 with a body that is not what it should be.</summary>
    Garbage,

    /// <summary>Accepts requests and never answers.</summary>
    NeverAnswers,
}

/// <summary>What the simulated backend reports; starts as the capture (in sync, tip 150).</summary>
public sealed class MempoolState
{
    public MempoolFault Fault { get; set; }

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>While false the backend answers as captured during its start: fees/recommended 503, init-data with a loading indicator.</summary>
    public bool Synced { get; set; } = true;

    public long TipHeight { get; set; } = 150;

    public string Version { get; set; } = "?";

    /// <summary>fees/recommended: fastest, half hour, hour, economy, minimum (sat/vB).</summary>
    public (double Fastest, double HalfHour, double Hour, double Economy, double Minimum) Fees { get; set; } = (1, 1, 1, 1, 1);

    public long MempoolCount { get; set; } = 5;

    public long MempoolVsize { get; set; } = 906;

    public long MempoolTotalFee { get; set; } = 11788;

    /// <summary>Endpoints (as "init-data", "mempool") that answer HTTP 500 while the others answer.</summary>
    public HashSet<string> FailingEndpoints { get; } = [];

    /// <summary>init-data's loadingIndicators, percent; the capture's when null.</summary>
    public Dictionary<string, double>? LoadingIndicators { get; set; }
}

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
                    ["fastestFee"] = fastest, ["halfHourFee"] = halfHour, ["hourFee"] = hour, ["economyFee"] = economy, ["minimumFee"] = minimum,
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

/// <summary>The public front end behind nginx: an HTML page over HTTP or HTTPS, with a status and a certificate of the test's choosing.</summary>
public sealed class FrontendSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private int _disposed;

    private FrontendSimulator(WebApplication app, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    public int StatusCode { get; set; } = 200;

    public TimeSpan Latency { get; set; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Plain HTTP, or HTTPS with a self-signed certificate that expires at <paramref name="certificateNotAfter"/>.</summary>
    public static async Task<FrontendSimulator> StartAsync(DateTimeOffset? certificateNotAfter = null, int port = 0)
    {
        var certificate = certificateNotAfter is { } notAfter ? SelfSignedCertificate.Create(notAfter) : null;
        var app = SimulatorHost.Create(port, certificate);
        var simulator = new FrontendSimulator(app, certificate);
        app.Run(simulator.HandleAsync);
        await app.StartAsync();
        simulator.Url = SimulatorHost.BaseUrl(app);
        return simulator;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _certificate?.Dispose();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, context.RequestAborted);
        }

        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(StatusCode < 400
            ? "<!DOCTYPE html><html><head><title>mempool - Bitcoin Explorer</title></head><body><app-root></app-root></body></html>"
            : "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
            Encoding.UTF8);
    }
}
