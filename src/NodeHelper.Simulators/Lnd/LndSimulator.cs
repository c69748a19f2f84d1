using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// A loopback LND REST API (grpc-gateway over lnrpc) over HTTPS with its own self-signed certificate, written as a PEM
/// file like LND's tls.cert, and a binary macaroon file whose hex the <c>Grpc-Metadata-macaroon</c> header must carry on
/// every call but <c>/v1/state</c>. getinfo and channels come from real captures (Fixtures/lnd), the rest is built from
/// lnrpc/lightning.swagger.json with LND's JSON encoding. Scriptable through <see cref="State"/>, and from outside
/// (the demo, a curl) through the simulator's own control endpoints under /simulator/ (see <see cref="ControlAsync"/>),
/// which need no macaroon and exist only here, not in LND.
/// </summary>
/// <remarks>
/// LND's errors, as the REST proxy gives them: a gRPC status as JSON, <c>{"code":2,"message":...,"details":[]}</c>, with
/// HTTP 500, because LND returns plain Go errors (gRPC code 2, Unknown) and grpc-gateway maps Unknown to 500.
/// <list type="bullet">
/// <item>no macaroon: "expected 1 macaroon, got 0" (lightningnetwork/lnd issue #6411, a REST answer quoted in full);</item>
/// <item>a wrong macaroon: "verification failed: signature mismatch after caveat verification", HTTP 500 (Ride-The-Lightning/RTL
///   issue #1516 quotes LND's REST answer: statusCode 500, body {"code":2,"message":"verification failed: ...","details":[]});</item>
/// <item>before RPC_ACTIVE, every call but the State service and the WalletUnlocker: the messages of lnd
///   rpcperms/interceptor.go (ErrWaitingToStart, ErrNoWallet, ErrWalletLocked "wallet locked, unlock it to enable full
///   RPC access", ErrRPCStarting). The RPC state interceptor runs before the macaroon interceptor (the chain's order in
///   that file), so a locked LND answers "wallet locked" whatever macaroon is sent; /v1/state is in its macaroon whitelist.</item>
/// </list>
/// Simplification: a macaroon that is not even a macaroon (random bytes, bad hex) gets the signature-mismatch answer
/// here; real LND says it cannot decode or unmarshal it, with the same code 2 and status 500.
/// </remarks>
public sealed class LndSimulator : IAsyncDisposable
{
    public const string MacaroonHeader = "Grpc-Metadata-macaroon";

    private const string Json = "application/json";
    private static readonly string CapturedGetInfo = Fixtures.Read("lnd/getinfo.json");

    /// <summary>The URL words for <see cref="LndWalletState"/>: LND's state names, lower case, dashes for underscores.</summary>
    private static readonly Dictionary<string, LndWalletState> WalletWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["waiting-to-start"] = LndWalletState.WaitingToStart,
        ["non-existing"] = LndWalletState.NonExisting,
        ["locked"] = LndWalletState.Locked,
        ["unlocked"] = LndWalletState.Unlocked,
        ["rpc-active"] = LndWalletState.RpcActive,
        ["server-active"] = LndWalletState.ServerActive,
        ["active"] = LndWalletState.ServerActive,
    };

    private readonly LndSimulatorOptions _options;
    private readonly string? _ownedDirectory;
    private readonly Lock _lock = new();
    private WebApplication _app = null!;
    private X509Certificate2 _certificate;
    private string _macaroonHex = "";
    private int _requests;
    private int _forceCloseCount;
    private int _disposed;

    private LndSimulator(LndSimulatorOptions options, string directory, string? ownedDirectory)
    {
        _options = options;
        _ownedDirectory = ownedDirectory;
        TlsCertFile = Path.Join(directory, "tls.cert");
        MacaroonFile = Path.Join(directory, "readonly.macaroon");
        _certificate = NewCertificate();
    }

    public LndState State { get; } = new();

    /// <summary>https://127.0.0.1:port/</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The PEM certificate LND would write as ~/.lnd/tls.cert: the one to pin.</summary>
    public string TlsCertFile { get; }

    /// <summary>The binary macaroon (as readonly.macaroon): send its bytes as hex in <see cref="MacaroonHeader"/>.</summary>
    public string MacaroonFile { get; }

    /// <summary>Requests to LND's API received so far (the simulator's own /simulator/ controls are not counted).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>The certificate served now (it differs from <see cref="TlsCertFile"/> after <see cref="ServeOtherCertificate"/>).</summary>
    public X509Certificate2 ServedCertificate
    {
        get
        {
            lock (_lock)
            {
                return _certificate;
            }
        }
    }

    public static async Task<LndSimulator> StartAsync(LndSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LndSimulatorOptions();
        string? owned = null;
        var directory = options.Directory;
        if (directory is null)
        {
            owned = directory = Directory.CreateTempSubdirectory("nodehelper-sim-lnd-").FullName;
        }

        var simulator = new LndSimulator(options, directory, owned);
        simulator.WriteCertificateFile();
        simulator.RotateMacaroon();
        var app = SimulatorHost.Create(options.Port, () => simulator.ServedCertificate);
        simulator._app = app;
        simulator.Url = await SimulatorHost.ServeAsync(app, "lnd", simulator.HandleAsync, cancellationToken);
        return simulator;
    }

    /// <summary>A new macaroon file (as after <c>lncli bakemacaroon</c> replaced it); the old one is refused from now on.</summary>
    public void RotateMacaroon()
    {
        // A v2 macaroon is binary and starts with version byte 2; the rest only has to be unguessable here.
        var bytes = new byte[1 + 160];
        bytes[0] = 2;
        RandomNumberGenerator.Fill(bytes.AsSpan(1));
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // LND writes readonly.macaroon 0644 and admin.macaroon 0600; be strict as for the admin one.
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(MacaroonFile, create))
        {
            file.Write(bytes);
        }

        lock (_lock)
        {
            _macaroonHex = Convert.ToHexStringLower(bytes);
        }
    }

    /// <summary>
    /// Serves a different self-signed certificate on the same port, leaving <see cref="TlsCertFile"/> as it was: what a
    /// client pinned to the file meets when something else answers on LND's port, or LND regenerated its certificate
    /// and the copy the client reads is stale. With <paramref name="rewriteFile"/> the file follows (a regeneration
    /// the client can see).
    /// </summary>
    public void ServeOtherCertificate(bool rewriteFile = false)
    {
        lock (_lock)
        {
            _certificate = NewCertificate();
        }

        if (rewriteFile)
        {
            WriteCertificateFile();
        }
    }

    /// <summary>Stops listening (connections refused) and removes the files it owns. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }

    private X509Certificate2 NewCertificate() =>
        SelfSignedCertificate.Create(_options.CertificateNotAfter ?? DateTimeOffset.UtcNow.AddMonths(14));

    private void WriteCertificateFile()
    {
        string pem;
        lock (_lock)
        {
            pem = _certificate.ExportCertificatePem();
        }

        File.WriteAllText(TlsCertFile, pem + "\n", Encoding.ASCII);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/simulator", out var command))
        {
            await ControlAsync(context, command.Value ?? "");
            return;
        }

        Interlocked.Increment(ref _requests);
        var state = State.Take();
        var path = context.Request.Path.Value ?? "";
        var response = context.Response;
        if (state.Latency > TimeSpan.Zero)
        {
            await Task.Delay(state.Latency, context.RequestAborted);
        }

        if (path == "/v1/graph/info" && state.GraphInfoLatency > TimeSpan.Zero)
        {
            await Task.Delay(state.GraphInfoLatency, context.RequestAborted);
        }

        if (State.PathLatency.TryGetValue(path, out var slow))
        {
            await Task.Delay(slow, context.RequestAborted);
        }

        var isState = path == "/v1/state";
        switch (state.Fault)
        {
            case LndFault.Unauthorized:
                response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            case LndFault.Forbidden:
                response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            case LndFault.Http500:
                await WriteAsync(response, 500, GrpcStatus(13, "internal error"));
                return;
            case LndFault.Garbage:
                await WriteAsync(response, 200, "<html>this is not JSON</html>");
                return;
            case LndFault.NeverAnswers:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case LndFault.HugeBody:
                await SimulatorHost.WriteHugeJsonAsync(context, "{\"alias\":\"", "\"}");
                return;
            default:
                break;
        }

        if (!isState)
        {
            // LND's interceptor order: the RPC state first, then the macaroon.
            if (StateError(state.WalletState) is { } stateError)
            {
                await WriteAsync(response, 500, GrpcStatus(2, stateError));
                return;
            }

            if (MacaroonError(context, state.Fault) is { } macaroonError)
            {
                await WriteAsync(response, 500, GrpcStatus(2, macaroonError));
                return;
            }
        }

        var (status, body) = Answer(path, state);
        if (status == 200 && State.Rewrites.TryGetValue(path, out var rewrite))
        {
            body = rewrite(JsonNode.Parse(body)!).ToJsonString();
        }

        if (state.Fault == LndFault.TruncatedBody)
        {
            // Half the announced body, then a FIN: what a client sees when LND dies mid-answer.
            var bytes = Encoding.UTF8.GetBytes(body);
            response.StatusCode = status;
            response.ContentType = Json;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await response.Body.FlushAsync();
            context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            context.Abort();
            return;
        }

        await WriteAsync(response, status, body);
    }

    /// <summary>
    /// The simulator's own controls, for the demo and for scripting it from outside; they exist only in the simulator.
    /// They live under /simulator/ on the same HTTPS port, outside LND's API: no macaroon, no fault or latency applies
    /// to them, and they are not counted in <see cref="RequestCount"/>. A change is a POST (204 No Content):
    /// <list type="bullet">
    /// <item>fault/{name}: an <see cref="LndFault"/> by name (fault/None mends it);</item>
    /// <item>wallet/{state}: what /v1/state says, in LND's names in lower case with dashes: waiting-to-start,
    ///   non-existing, locked, unlocked, rpc-active, server-active (or just active);</item>
    /// <item>synced/{chain|graph}/{true|false}: getinfo's synced_to_chain or synced_to_graph;</item>
    /// <item>channel/{chan_id}/{active|inactive}: a channel of the capture goes inactive (its peer vanished) or back;</item>
    /// <item>force-close[?blocks=N]: a channel force closed, its funds in limbo maturing N blocks (144) above the height;</item>
    /// <item>htlc[?blocks=N]: an HTLC in flight in an active channel, expiring N blocks (12) above the height;</item>
    /// <item>clear: back to the capture (<see cref="LndState.Reset"/>: the block height stays);</item>
    /// </list>
    /// and GET requests answers <see cref="RequestCount"/> as text. Anything else is 404, a known command with the
    /// other method 405, a bad ?blocks= 400.
    /// </summary>
    private async Task ControlAsync(HttpContext context, string command)
    {
        var response = context.Response;
        var parts = command.Trim('/').Split('/');
        var isPost = HttpMethods.IsPost(context.Request.Method);
        if (parts is ["requests"])
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await RefuseMethodAsync(response, "GET");
                return;
            }

            response.ContentType = "text/plain";
            await response.WriteAsync(RequestCount.ToString(CultureInfo.InvariantCulture));
            return;
        }

        Action? change = parts switch
        {
            ["fault", var name] when Enum.GetNames<LndFault>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } known =>
                () => State.Fault = Enum.Parse<LndFault>(known),
            ["wallet", var word] when WalletWords.TryGetValue(word, out var walletState) => () => State.WalletState = walletState,
            ["synced", "chain", var flag] when bool.TryParse(flag, out var synced) => () => State.SyncedToChain = synced,
            ["synced", "graph", var flag] when bool.TryParse(flag, out var synced) => () => State.SyncedToGraph = synced,
            ["channel", var chanId, "active" or "inactive"] when CapturedChannels.All.Any(c => c.ChanId == chanId) =>
                () => State.SetChannelActive(chanId, parts[2] == "active"),
            ["force-close"] => () => AddForceClose(Blocks(context, 144)),
            ["htlc"] => () => AddHtlcNearExpiry(Blocks(context, 12)),
            ["clear"] => State.Reset,
            _ => null,
        };
        if (change is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync(
                "unknown simulator command: POST /simulator/fault/{name}, wallet/{locked|active|...}, synced/{chain|graph}/{true|false}, "
                + $"channel/{{{string.Join('|', CapturedChannels.All.Select(c => c.ChanId))}}}/{{active|inactive}}, force-close, htlc, clear; GET /simulator/requests\n");
            return;
        }

        if (!isPost)
        {
            await RefuseMethodAsync(response, "POST");
            return;
        }

        try
        {
            change();
        }
        catch (FormatException e)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync(e.Message + "\n");
            return;
        }

        response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task RefuseMethodAsync(HttpResponse response, string allowed)
    {
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        response.Headers.Allow = allowed;
        await response.WriteAsync($"use {allowed}\n");
    }

    /// <summary>?blocks=N, 0 to 100000, or the default.</summary>
    private static int Blocks(HttpContext context, int fallback)
    {
        var text = context.Request.Query["blocks"].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var blocks) && blocks <= 100_000
            ? blocks
            : throw new FormatException($"blocks must be a whole number from 0 to 100000, not '{text}'");
    }

    /// <summary>
    /// A channel force closed by this node: 600,000 sat of its 1,000,000 in limbo until <paramref name="blocks"/> above
    /// the height (LND's to_self_delay, 144 by default for small channels), and no HTLCs. A channel point of its own, so
    /// each call adds one more.
    /// </summary>
    private void AddForceClose(int blocks)
    {
        var n = Interlocked.Increment(ref _forceCloseCount);
        var point = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"simulated force close {n}"))) + ":0";
        State.AddForceClose(new LndForceClose(point, CapturedChannels.All[^1].RemotePubkey, 1_000_000, 600_000, State.BlockHeight + blocks, []));
    }

    /// <summary>An outgoing HTLC of 10,000 sat in the first active channel, expiring <paramref name="blocks"/> above the height.</summary>
    private void AddHtlcNearExpiry(int blocks)
    {
        var active = State.Take().ChannelActive;
        var channel = CapturedChannels.All.FirstOrDefault(c => active.TryGetValue(c.ChanId, out var on) ? on : c.Active);
        State.AddHtlc(new LndHtlc((channel == default ? CapturedChannels.All[0] : channel).ChanId, Incoming: false, 10_000, State.BlockHeight + blocks));
    }

    private static string? StateError(LndWalletState state) => state switch
    {
        LndWalletState.WaitingToStart => "waiting to start, RPC services not available",
        LndWalletState.NonExisting => "wallet not created, create one to enable full RPC access",
        LndWalletState.Locked => "wallet locked, unlock it to enable full RPC access",
        LndWalletState.Unlocked => "the RPC server is in the process of starting up, but not yet ready to accept calls",
        _ => null,
    };

    private string? MacaroonError(HttpContext context, LndFault fault)
    {
        var values = context.Request.Headers[MacaroonHeader];
        if (values.Count == 0)
        {
            return "expected 1 macaroon, got 0";
        }

        if (values.Count > 1)
        {
            return $"expected 1 macaroon, got {values.Count}";
        }

        string expected;
        lock (_lock)
        {
            expected = _macaroonHex;
        }

        var sent = values[0] ?? "";
        var matches = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(sent.ToLowerInvariant()), Encoding.ASCII.GetBytes(expected));
        return fault == LndFault.MacaroonRejected || !matches
            ? "verification failed: signature mismatch after caveat verification"
            : fault == LndFault.PermissionDenied ? "permission denied" : null;
    }

    private static (int Status, string Body) Answer(string path, LndStateSnapshot state) => path switch
    {
        "/v1/state" => (200, new JsonObject { ["state"] = WalletStateName(state.WalletState) }.ToJsonString()),
        "/v1/getinfo" => (200, GetInfo(state)),
        "/v1/channels" => (200, Channels(state)),
        "/v1/balance/channels" => (200, ChannelBalance(state)),
        "/v1/balance/blockchain" => (200, WalletBalance(state)),
        "/v1/channels/pending" => (200, PendingChannels(state)),
        "/v1/graph/info" => (200, NetworkInfo(state)),
        "/v1/fees" => (200, FeeReport(state)),
        "/v1/peers" => (200, Peers(state)),
        // grpc-gateway's answer to a path it has no route for.
        _ => (404, GrpcStatus(5, "Not Found")),
    };

    private static string WalletStateName(LndWalletState state) => state switch
    {
        LndWalletState.WaitingToStart => "WAITING_TO_START",
        LndWalletState.NonExisting => "NON_EXISTING",
        LndWalletState.Locked => "LOCKED",
        LndWalletState.Unlocked => "UNLOCKED",
        LndWalletState.RpcActive => "RPC_ACTIVE",
        _ => "SERVER_ACTIVE",
    };

    private static string GetInfo(LndStateSnapshot s)
    {
        var info = JsonNode.Parse(CapturedGetInfo)!;
        var unchanged =
            s.BlockHeight == info["block_height"]!.GetValue<long>()
            && Str(s.BestHeaderTimestamp) == info["best_header_timestamp"]!.GetValue<string>()
            && s.SyncedToChain == info["synced_to_chain"]!.GetValue<bool>()
            && s.SyncedToGraph == info["synced_to_graph"]!.GetValue<bool>()
            && s.NumPeers == info["num_peers"]!.GetValue<int>()
            && s.NumActiveChannels == info["num_active_channels"]!.GetValue<int>()
            && s.NumInactiveChannels == info["num_inactive_channels"]!.GetValue<int>()
            && s.NumPendingChannels == info["num_pending_channels"]!.GetValue<int>();
        if (unchanged)
        {
            return CapturedGetInfo;
        }

        info["block_height"] = s.BlockHeight;
        info["best_header_timestamp"] = Str(s.BestHeaderTimestamp);
        info["synced_to_chain"] = s.SyncedToChain;
        info["synced_to_graph"] = s.SyncedToGraph;
        info["num_peers"] = s.NumPeers;
        info["num_active_channels"] = s.NumActiveChannels;
        info["num_inactive_channels"] = s.NumInactiveChannels;
        info["num_pending_channels"] = s.NumPendingChannels;
        return info.ToJsonString();
    }

    private static string Channels(LndStateSnapshot s)
    {
        if (s.Htlcs.Count == 0 && s.ChannelActive.All(kv => CapturedChannels.IsActive(kv.Key) == kv.Value))
        {
            return CapturedChannels.Raw;
        }

        var channels = JsonNode.Parse(CapturedChannels.Raw)!;
        foreach (var channel in channels["channels"]!.AsArray())
        {
            var chanId = channel!["chan_id"]!.GetValue<string>();
            if (s.ChannelActive.TryGetValue(chanId, out var active))
            {
                channel["active"] = active;
            }

            var htlcs = s.Htlcs.Where(h => h.ChanId == chanId).ToList();
            if (htlcs.Count > 0)
            {
                var list = new JsonArray();
                foreach (var (h, index) in htlcs.Select((h, i) => (h, i)))
                {
                    list.Add(new JsonObject
                    {
                        ["incoming"] = h.Incoming,
                        ["amount"] = Str(h.AmountSat),
                        ["hash_lock"] = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes($"{chanId}/{index}"))),
                        ["expiration_height"] = h.ExpirationHeight,
                        ["htlc_index"] = Str(index),
                        ["forwarding_channel"] = "0",
                        ["forwarding_htlc_index"] = "0",
                        ["locked_in"] = true,
                    });
                }

                channel["pending_htlcs"] = list;
                channel["unsettled_balance"] = Str(htlcs.Sum(h => h.AmountSat));
            }
        }

        return channels.ToJsonString();
    }

    private static string ChannelBalance(LndStateSnapshot s)
    {
        var local = CapturedChannels.All.Sum(c => c.Local);
        var remote = CapturedChannels.All.Sum(c => c.Remote);
        var pendingLocal = s.PendingOpen.Sum(p => p.CapacitySat);
        return new JsonObject
        {
            ["balance"] = Str(local),
            ["pending_open_balance"] = Str(pendingLocal),
            ["local_balance"] = Amount(local),
            ["remote_balance"] = Amount(remote),
            ["unsettled_local_balance"] = Amount(s.Htlcs.Where(h => !h.Incoming).Sum(h => h.AmountSat)),
            ["unsettled_remote_balance"] = Amount(s.Htlcs.Where(h => h.Incoming).Sum(h => h.AmountSat)),
            ["pending_open_local_balance"] = Amount(pendingLocal),
            ["pending_open_remote_balance"] = Amount(0),
        }.ToJsonString();
    }

    private static string WalletBalance(LndStateSnapshot s) => new JsonObject
    {
        ["total_balance"] = Str(s.ConfirmedBalanceSat + s.UnconfirmedBalanceSat),
        ["confirmed_balance"] = Str(s.ConfirmedBalanceSat),
        ["unconfirmed_balance"] = Str(s.UnconfirmedBalanceSat),
        ["locked_balance"] = Str(s.LockedBalanceSat),
        ["reserved_balance_anchor_chan"] = Str(s.ReservedBalanceAnchorChanSat),
        ["account_balance"] = new JsonObject
        {
            ["default"] = new JsonObject
            {
                ["confirmed_balance"] = Str(s.ConfirmedBalanceSat),
                ["unconfirmed_balance"] = Str(s.UnconfirmedBalanceSat),
            },
        },
    }.ToJsonString();

    private static string PendingChannels(LndStateSnapshot s)
    {
        var forceClosing = new JsonArray();
        foreach (var f in s.ForceCloses)
        {
            var htlcs = new JsonArray();
            foreach (var h in f.PendingHtlcs)
            {
                htlcs.Add(new JsonObject
                {
                    ["incoming"] = h.Incoming,
                    ["amount"] = Str(h.AmountSat),
                    ["outpoint"] = h.Outpoint,
                    ["maturity_height"] = h.MaturityHeight,
                    ["blocks_til_maturity"] = h.MaturityHeight - s.BlockHeight,
                    ["stage"] = h.Stage,
                });
            }

            forceClosing.Add(new JsonObject
            {
                ["channel"] = PendingChannel(f.ChannelPoint, f.RemotePubkey, f.CapacitySat, f.LimboBalanceSat),
                ["closing_txid"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(f.ChannelPoint))),
                ["limbo_balance"] = Str(f.LimboBalanceSat + f.PendingHtlcs.Sum(h => h.AmountSat)),
                ["maturity_height"] = f.MaturityHeight,
                ["blocks_til_maturity"] = f.MaturityHeight - s.BlockHeight,
                ["recovered_balance"] = "0",
                ["pending_htlcs"] = htlcs,
                ["anchor"] = "LIMBO",
            });
        }

        var waiting = new JsonArray();
        foreach (var (point, capacity, limbo) in s.WaitingClose)
        {
            waiting.Add(new JsonObject
            {
                ["channel"] = PendingChannel(point, CapturedChannels.All[0].RemotePubkey, capacity, limbo),
                ["limbo_balance"] = Str(limbo),
                ["commitments"] = new JsonObject
                {
                    ["local_txid"] = "",
                    ["remote_txid"] = "",
                    ["remote_pending_txid"] = "",
                    ["local_commit_fee_sat"] = "2345",
                    ["remote_commit_fee_sat"] = "2345",
                    ["remote_pending_commit_fee_sat"] = "0",
                },
            });
        }

        var opening = new JsonArray();
        foreach (var (point, capacity) in s.PendingOpen)
        {
            opening.Add(new JsonObject
            {
                ["channel"] = PendingChannel(point, CapturedChannels.All[0].RemotePubkey, capacity, capacity - 2345),
                ["confirmation_height"] = 0,
                ["commit_fee"] = "2345",
                ["commit_weight"] = "772",
                ["fee_per_kw"] = "1793",
            });
        }

        var totalLimbo = s.ForceCloses.Sum(f => f.LimboBalanceSat + f.PendingHtlcs.Sum(h => h.AmountSat))
            + s.WaitingClose.Sum(w => w.LimboBalanceSat);
        return new JsonObject
        {
            ["total_limbo_balance"] = Str(totalLimbo),
            ["pending_open_channels"] = opening,
            ["pending_closing_channels"] = new JsonArray(),
            ["pending_force_closing_channels"] = forceClosing,
            ["waiting_close_channels"] = waiting,
        }.ToJsonString();
    }

    private static JsonObject PendingChannel(string channelPoint, string remotePubkey, long capacity, long local) => new()
    {
        ["remote_node_pub"] = remotePubkey,
        ["channel_point"] = channelPoint,
        ["capacity"] = Str(capacity),
        ["local_balance"] = Str(local),
        ["remote_balance"] = "0",
        ["local_chan_reserve_sat"] = Str(capacity / 100),
        ["remote_chan_reserve_sat"] = Str(capacity / 100),
        ["initiator"] = "INITIATOR_LOCAL",
        ["commitment_type"] = "ANCHORS",
        ["num_forwarding_packages"] = "0",
    };

    private static string NetworkInfo(LndStateSnapshot s)
    {
        var (nodes, channels, capacity) = s.Graph;
        var average = channels == 0 ? 0 : (double)capacity / channels;
        return new JsonObject
        {
            ["graph_diameter"] = 0,
            ["avg_out_degree"] = nodes == 0 ? 0 : 2.0 * channels / nodes,
            ["max_out_degree"] = 4021,
            ["num_nodes"] = nodes,
            ["num_channels"] = channels,
            ["total_network_capacity"] = Str(capacity),
            ["avg_channel_size"] = average,
            ["min_channel_size"] = "1100",
            ["max_channel_size"] = "1000000000",
            ["median_channel_size_sat"] = "2000000",
            ["num_zombie_chans"] = "131208",
        }.ToJsonString();
    }

    private static string FeeReport(LndStateSnapshot s)
    {
        var fees = new JsonArray();
        foreach (var c in CapturedChannels.All)
        {
            fees.Add(new JsonObject
            {
                ["chan_id"] = c.ChanId,
                ["channel_point"] = c.ChannelPoint,
                ["base_fee_msat"] = "1000",
                ["fee_per_mil"] = "1",
                ["fee_rate"] = 0.000001,
            });
        }

        return new JsonObject
        {
            ["channel_fees"] = fees,
            ["day_fee_sum"] = Str(s.FeeSums.Day),
            ["week_fee_sum"] = Str(s.FeeSums.Week),
            ["month_fee_sum"] = Str(s.FeeSums.Month),
        }.ToJsonString();
    }

    private static string Peers(LndStateSnapshot s)
    {
        var peers = new JsonArray();
        for (var i = 0; i < s.NumPeers; i++)
        {
            // Deterministic, valid-looking compressed public keys; peers with channels first (the capture's two).
            var pubkey = i < 2
                ? CapturedChannels.All[i == 0 ? 0 : 2].RemotePubkey
                : "02" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));
            peers.Add(new JsonObject
            {
                ["pub_key"] = pubkey,
                ["address"] = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{i % 250}:9735"),
                ["bytes_sent"] = Str(100_000 + i),
                ["bytes_recv"] = Str(200_000 + i),
                ["sat_sent"] = "0",
                ["sat_recv"] = "0",
                ["inbound"] = i % 3 == 2,
                ["ping_time"] = Str(50_000 + (i * 100)),
                ["sync_type"] = i < 3 ? "ACTIVE_SYNC" : "PASSIVE_SYNC",
                ["features"] = new JsonObject(),
                ["errors"] = new JsonArray(),
                ["flap_count"] = 0,
                ["last_flap_ns"] = "0",
                ["last_ping_payload"] = "",
            });
        }

        return new JsonObject { ["peers"] = peers }.ToJsonString();
    }

    private static JsonObject Amount(long sat) => new() { ["sat"] = Str(sat), ["msat"] = Str(sat * 1000) };

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A gRPC status as grpc-gateway v2 writes it (lnd 0.14 and later).</summary>
    private static string GrpcStatus(int code, string message) =>
        new JsonObject { ["code"] = code, ["message"] = message, ["details"] = new JsonArray() }.ToJsonString();

    private static async Task WriteAsync(HttpResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = Json;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }
}
