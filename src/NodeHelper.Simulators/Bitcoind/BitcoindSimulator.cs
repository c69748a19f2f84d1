using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>
/// A loopback bitcoind JSON-RPC server: answers single calls and batches exactly as the captured bitcoind does
/// (status codes, JSON-RPC 1.0 and 2.0 shapes, 401 without a body), and plays the faults of <see cref="BitcoindFault"/>.
/// Control endpoints under /simulator/ let the demo and end-to-end tests script it from outside.
/// </summary>
public sealed class BitcoindSimulator : IAsyncDisposable
{

    private readonly WebApplication _app;
    private readonly BitcoindSimulatorOptions _options;
    private readonly BitcoindResponder _responder;
    private readonly string? _ownedCookieDirectory;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _bodies = new();
    private int _requests;
    private int _disposed;
    private volatile string _expectedAuthorization = "";

    private BitcoindSimulator(WebApplication app, BitcoindSimulatorOptions options, string? ownedCookieDirectory)
    {
        _app = app;
        _options = options;
        _ownedCookieDirectory = ownedCookieDirectory;
        _responder = new BitcoindResponder(State);
        CookieFile = options.User is null ? Path.Join(options.CookieDirectory ?? ownedCookieDirectory, ".cookie") : null;
    }

    public BitcoindState State { get; } = new();

    public Uri Url { get; private set; } = null!;

    /// <summary>The cookie file, in cookie mode.</summary>
    public string? CookieFile { get; }

    /// <summary>JSON-RPC requests (HTTP requests to /) received so far.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Bodies of the JSON-RPC requests received, newest last (the last 100).</summary>
    public IReadOnlyList<string> RequestBodies => [.. _bodies];

    public static async Task<BitcoindSimulator> StartAsync(BitcoindSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BitcoindSimulatorOptions();
        var app = SimulatorHost.Create(options.Port);
        string? ownedDirectory = null;
        if (options.User is null && options.CookieDirectory is null)
        {
            ownedDirectory = Directory.CreateTempSubdirectory("nodehelper-sim-bitcoind-").FullName;
        }

        var simulator = new BitcoindSimulator(app, options, ownedDirectory);
        if (options.Mainnet is { } mainnet)
        {
            simulator.State.UseMainnet(mainnet);
        }

        simulator.WriteCredentials();
        simulator.Url = await SimulatorHost.ServeAsync(app, "bitcoind", simulator.HandleAsync, cancellationToken);
        return simulator;
    }

    /// <summary>What a bitcoind restart does to cookie authentication: a new cookie; the old one is refused from now on.</summary>
    public void RotateCookie()
    {
        if (CookieFile is null)
        {
            throw new InvalidOperationException("The simulator uses rpcuser/rpcpassword, not a cookie.");
        }

        WriteCredentials();
    }

    /// <summary>Stops listening (a stopped bitcoind: connections are refused) and removes its cookie. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownedCookieDirectory is not null && Directory.Exists(_ownedCookieDirectory))
        {
            Directory.Delete(_ownedCookieDirectory, recursive: true);
        }
    }

    private void WriteCredentials()
    {
        string userAndPassword;
        if (CookieFile is not null)
        {
            userAndPassword = "__cookie__:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            // As bitcoind writes it: readable by its owner only (it runs with umask 077; -rpccookieperms=group opens it to the group).
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var cookie = new FileStream(CookieFile, create))
            {
                cookie.Write(System.Text.Encoding.ASCII.GetBytes(userAndPassword));
            }
        }
        else
        {
            userAndPassword = $"{_options.User}:{_options.Password}";
        }

        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userAndPassword));
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/simulator", out var command))
        {
            await ControlAsync(context, command.Value ?? "");
            return;
        }

        Interlocked.Increment(ref _requests);
        if (State.Latency > TimeSpan.Zero)
        {
            await Task.Delay(State.Latency, context.RequestAborted);
        }

        var response = context.Response;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            // As captured: bitcoind answers anything but POST with 405 and a line of text.
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.ContentType = "text/html; charset=ISO-8859-1";
            await response.WriteAsync("JSONRPC server handles only POST requests");
            return;
        }

        if (State.Fault == BitcoindFault.Unauthorized || context.Request.Headers.Authorization != _expectedAuthorization)
        {
            // As captured: 401, a WWW-Authenticate header, and no body at all.
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate = "Basic realm=\"jsonrpc\"";
            response.ContentType = "text/html; charset=ISO-8859-1";
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _bodies.Enqueue(body);
        while (_bodies.Count > 100 && _bodies.TryDequeue(out _))
        {
        }

        switch (State.Fault)
        {
            case BitcoindFault.Forbidden:
                response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            case BitcoindFault.Http500:
                response.StatusCode = StatusCodes.Status500InternalServerError;
                response.ContentType = "text/html";
                await response.WriteAsync("<html><body><h1>500 Internal Server Error</h1></body></html>");
                return;
            case BitcoindFault.NotJson:
                response.ContentType = "application/json";
                await response.WriteAsync("<html>this is not JSON</html>");
                return;
            case BitcoindFault.NeverAnswers:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case BitcoindFault.HugeBody:
                await SimulatorHost.WriteHugeJsonAsync(context, "[{\"result\":\"", "\",\"error\":null,\"id\":0}]");
                return;
            default:
                break;
        }

        var (status, json) = Respond(body);
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (State.Fault == BitcoindFault.TruncatedBody)
        {
            // Half the announced body, then a FIN: what a client sees when bitcoind dies mid-answer.
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await response.Body.FlushAsync();
            context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            context.Abort();
            return;
        }

        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>The status and body bitcoind gives a request body, following its rules for single calls and batches.</summary>
    private (int Status, string Json) Respond(string body)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return (500, """{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}""" + "\n");
        }

        if (request is JsonArray batch)
        {
            // Batches always answer 200, each entry with its own result or error.
            var replies = new JsonArray();
            foreach (var entry in batch)
            {
                replies.Add(Reply(entry as JsonObject, out _));
            }

            if (State.Fault == BitcoindFault.WrongShape && replies.Count > 0)
            {
                replies[0]!["result"] = "not an object";
            }

            return (200, replies.ToJsonString() + "\n");
        }

        if (request is JsonObject single)
        {
            var reply = Reply(single, out var error);
            var jsonRpc2 = single["jsonrpc"]?.GetValue<string>() == "2.0";
            var status = error is null || jsonRpc2 ? 200 : error.Code == RpcFailure.MethodNotFound.Code ? 404 : 500;
            return (status, reply.ToJsonString() + "\n");
        }

        return (500, """{"result":null,"error":{"code":-32700,"message":"Top-level object parse error"},"id":null}""" + "\n");
    }

    private JsonObject Reply(JsonObject? request, out RpcFailure? error)
    {
        var id = request?["id"]?.DeepClone();
        var jsonRpc2 = request?["jsonrpc"]?.GetValue<string>() == "2.0";
        JsonNode? result = null;
        error = null;
        if (request?["method"]?.GetValue<string>() is not { } method)
        {
            error = new RpcFailure(-32600, "Missing method");
        }
        else
        {
            (result, error) = _responder.Answer(method, request["params"] as JsonArray);
        }

        var errorNode = error is null ? null : new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        if (jsonRpc2)
        {
            return error is null
                ? new JsonObject { ["jsonrpc"] = "2.0", ["result"] = result, ["id"] = id }
                : new JsonObject { ["jsonrpc"] = "2.0", ["error"] = errorNode, ["id"] = id };
        }

        return new JsonObject { ["result"] = result, ["error"] = errorNode, ["id"] = id };
    }

    /// <summary>
    /// POST /simulator/fault/{name}, /simulator/mine, /simulator/peers/{n}, /simulator/warmup-message (body),
    /// /simulator/rotate-cookie; GET /simulator/requests.
    /// </summary>
    private async Task ControlAsync(HttpContext context, string command)
    {
        var parts = command.Trim('/').Split('/');
        switch (parts)
        {
            case ["fault", var name] when Enum.TryParse<BitcoindFault>(name, ignoreCase: true, out var fault):
                State.Fault = fault;
                break;
            case ["mine"]:
                State.MineBlock(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                break;
            case ["peers", var n] when int.TryParse(n, out var count) && count is >= 0 and <= 1000:
                State.SetPeerCount(count);
                break;
            case ["rotate-cookie"] when CookieFile is not null:
                RotateCookie();
                break;
            case ["requests"]:
                await context.Response.WriteAsync(RequestCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync("unknown simulator command\n");
                return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The Authorization header value the simulator accepts now, for tests that talk to it directly.</summary>
    public AuthenticationHeaderValue CurrentAuthorization() =>
        AuthenticationHeaderValue.Parse(_expectedAuthorization);
}
