using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Electrum;

/// <summary>
/// A loopback Electrum server speaking newline-delimited JSON-RPC, answering from a captured Fulcrum session and
/// playing the faults: closed port (still indexing), silence, garbage, a 10 MB line with no newline, slowness.
/// </summary>
public sealed class ElectrumSimulator : IAsyncDisposable
{
    // Static fields initialise in order: the captured session first, then what is read from it.
    private static readonly Lazy<Dictionary<string, JsonNode>> CapturedAnswers = new(ReadSession);

    public static readonly uint CapturedTipTime = ReadHeaderTime(CapturedAnswers.Value["blockchain.headers.subscribe"]["result"]!["hex"]!.GetValue<string>());

    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener _listener;
    private Task _accepting;
    private int _connections;

    private ElectrumSimulator(TcpListener listener, X509Certificate2? certificate)
    {
        _listener = listener;
        _certificate = certificate;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync(listener);
    }

    public ElectrumState State { get; } = new();

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    public static Task<ElectrumSimulator> StartAsync(ElectrumSimulatorOptions? options = null)
    {
        options ??= new ElectrumSimulatorOptions();
        var listener = new TcpListener(IPAddress.Loopback, options.Port);
        listener.Start();
        var certificate = options.Tls ? SelfSignedCertificate.Create(DateTimeOffset.UtcNow.AddDays(90)) : null;
        var simulator = new ElectrumSimulator(listener, certificate);
        if (options.Mainnet is { } mainnet)
        {
            simulator.State.UseMainnet(mainnet);
        }

        return Task.FromResult(simulator);
    }

    /// <summary>Closes the port, as electrs and Fulcrum do while they build their index: connections are refused.</summary>
    public async Task StopListeningAsync()
    {
        _listener.Stop();
        await _accepting;
    }

    /// <summary>Opens the port again, on the same number: indexing is done.</summary>
    public void StartListening()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptLoopAsync(_listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _certificate?.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                stream = tls;
            }

            await using (stream)
            {
                using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (State.Latency > TimeSpan.Zero)
                    {
                        await Task.Delay(State.Latency, _stop.Token);
                    }

                    switch (State.Fault)
                    {
                        case ElectrumFault.Silent:
                            continue;
                        case ElectrumFault.Garbage:
                            await WriteAsync(stream, "\u0001\u0002 this is not JSON <html>\n");
                            continue;
                        case ElectrumFault.HugeLine:
                            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
                            for (var i = 0; i < 10; i++)
                            {
                                await stream.WriteAsync(chunk, _stop.Token);
                            }

                            await stream.FlushAsync(_stop.Token);
                            continue;
                        default:
                            break;
                    }

                    if (State.NotifyBeforeAnswers)
                    {
                        await WriteAsync(stream, Notification() + "\n");
                    }

                    var answer = Encoding.UTF8.GetBytes(Answer(line) + "\n");
                    await stream.WriteAsync(State.Fault == ElectrumFault.InvalidUtf8Version ? BreakUtf8(answer) : answer, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The client went away or the simulator is stopping.
        }
    }

    private async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }

    /// <summary>The answer the captured Fulcrum gives a request line, with the scripted tip and version written in.</summary>
    private string Answer(string line)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return $$"""{"error":{"code":-32700,"message":"Failed to parse Json from string: {{JsonEncodedText.Encode(line.Length > 40 ? line[..40] : line)}}"},"id":null,"jsonrpc":"2.0"}""";
        }

        var method = request["method"]?.GetValue<string>() ?? "";
        var answer = CapturedAnswers.Value.TryGetValue(method, out var captured)
            ? captured.DeepClone()
            : new JsonObject { ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Unsupported request: " + method }, ["jsonrpc"] = "2.0" };
        answer["id"] = State.Fault == ElectrumFault.FractionalId && request["id"] is JsonValue id && id.TryGetValue<int>(out var n)
            ? n + 0.5
            : request["id"]?.DeepClone();
        switch (method)
        {
            case "server.version":
                answer["result"] = new JsonArray(State.Fault == ElectrumFault.InvalidUtf8Version ? InvalidUtf8Marker : State.ServerVersion, "1.4");
                break;
            case "blockchain.headers.subscribe":
                answer["result"] = Tip();
                break;
            case "mempool.get_fee_histogram" when State.Mainnet is { } node:
                answer["result"] = new JsonArray([.. node.Mempool.FeeHistogram.Select(b => (JsonNode)new JsonArray(b.FeeRate, b.Vsize))]);
                break;
            case "blockchain.estimatefee" when State.Mainnet is { } node:
                // BTC per kB, as Electrum servers pass on bitcoind's estimatesmartfee.
                var target = request["params"] is JsonArray { Count: > 0 } p && p[0] is JsonValue v && v.TryGetValue<int>(out var blocks) ? blocks : 6;
                answer["result"] = Math.Round(node.Mempool.FeeRateWithin(Math.Max(2, target)) / 100_000, 8);
                break;
            default:
                break;
        }

        return answer.ToJsonString();
    }

    private const string InvalidUtf8Marker = "@@not-utf8@@";

    /// <summary>Replaces the marker with "Ful\xC3(crum 2.1.1": 0xC3 starts a two-byte sequence that '(' does not continue.</summary>
    private static byte[] BreakUtf8(byte[] answer)
    {
        var marker = Encoding.ASCII.GetBytes(InvalidUtf8Marker);
        var at = answer.AsSpan().IndexOf(marker);
        if (at < 0)
        {
            return answer;
        }

        byte[] broken = [.. "Ful"u8, 0xC3, .. "(crum 2.1.1"u8];
        return [.. answer.AsSpan(0, at), .. broken, .. answer.AsSpan(at + marker.Length)];
    }

    private JsonObject Tip() => new() { ["height"] = State.TipHeight, ["hex"] = Header(State.TipTime) };

    private string Notification() =>
        new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "blockchain.headers.subscribe", ["params"] = new JsonArray(Tip()) }.ToJsonString();

    private static string Header(uint time)
    {
        var header = Convert.FromHexString(CapturedAnswers.Value["blockchain.headers.subscribe"]["result"]!["hex"]!.GetValue<string>());
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(68, 4), time);
        return Convert.ToHexStringLower(header);
    }

    private static uint ReadHeaderTime(string hex) => BinaryPrimitives.ReadUInt32LittleEndian(Convert.FromHexString(hex).AsSpan(68, 4));

    /// <summary>The captured session, as method → answer: each '&gt;' line paired with the '&lt;' line after it.</summary>
    private static Dictionary<string, JsonNode> ReadSession()
    {
        var answers = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        string? method = null;
        foreach (var line in Fixtures.Read("electrum/fulcrum-session.txt").Split('\n'))
        {
            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                try
                {
                    method = JsonNode.Parse(line[2..])?["method"]?.GetValue<string>();
                }
                catch (JsonException)
                {
                    method = null;
                }
            }
            else if (line.StartsWith("< ", StringComparison.Ordinal) && method is not null)
            {
                answers[method] = JsonNode.Parse(line[2..])!;
            }
        }

        return answers;
    }
}
