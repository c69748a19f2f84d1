using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using NodeHelper.Simulators;
using NodeHelper.Simulators.Lnd;

namespace NodeHelper.Tests.Simulators;

/// <summary>
/// The LND simulator itself: pinned TLS, the macaroon check, LND's error answers, the faults, the captures, and its own
/// control endpoints under /simulator/ (the demo's), which change what LND's REST answers say.
/// </summary>
public sealed class LndSimulatorTests : IAsyncLifetime
{
    private LndSimulator _lnd = null!;

    public async Task InitializeAsync() => _lnd = await LndSimulator.StartAsync();

    public async Task DisposeAsync() => await _lnd.DisposeAsync();

    /// <summary>A client that trusts only the PEM file as its root, as the collector must.</summary>
    private static HttpClient Pinned(string certFile, double timeoutSeconds = 10)
    {
        var pinned = X509CertificateLoader.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(File.ReadAllText(certFile)));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            CustomTrustStore = { pinned },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
    }

    private HttpRequestMessage Get(string path, string? macaroonHex = "file")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_lnd.Url, path));
        if (macaroonHex is not null)
        {
            request.Headers.Add(LndSimulator.MacaroonHeader, macaroonHex == "file" ? Convert.ToHexString(File.ReadAllBytes(_lnd.MacaroonFile)) : macaroonHex);
        }

        return request;
    }

    /// <summary>A call to the simulator's own controls, as the demo's curl makes it: no macaroon.</summary>
    private async Task<(HttpStatusCode Status, string Body)> ControlAsync(string path, string method = "POST")
    {
        using var client = Pinned(_lnd.TlsCertFile);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(_lnd.Url, "simulator/" + path)));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string path, string? macaroonHex = "file")
    {
        using var client = Pinned(_lnd.TlsCertFile);
        using var response = await client.SendAsync(Get(path, macaroonHex));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheCertificateFilePinsTheConnectionAndAnotherSimulatorsCertificateIsRefused()
    {
        File.ReadAllText(_lnd.TlsCertFile).Should().StartWith("-----BEGIN CERTIFICATE-----");
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK);

        await using var other = await LndSimulator.StartAsync();
        using var client = Pinned(_lnd.TlsCertFile);
        var call = () => client.GetAsync(new Uri(other.Url, "v1/state"));
        await call.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task ADifferentCertificateOnTheSamePortIsRefused()
    {
        _lnd.ServeOtherCertificate();
        var call = () => SendAsync("v1/state");
        await call.Should().ThrowAsync<HttpRequestException>();

        _lnd.ServeOtherCertificate(rewriteFile: true);
        (await SendAsync("v1/state")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheMacaroonIsBinaryAndRequiredEverywhereButTheStateEndpoint()
    {
        File.ReadAllBytes(_lnd.MacaroonFile)[0].Should().Be(2);
        (await SendAsync("v1/state", macaroonHex: null)).Should().Be((HttpStatusCode.OK, """{"state":"SERVER_ACTIVE"}"""));

        string[] paths = ["v1/getinfo", "v1/channels", "v1/balance/channels", "v1/balance/blockchain", "v1/channels/pending", "v1/graph/info", "v1/fees", "v1/peers"];
        foreach (var path in paths)
        {
            (await SendAsync(path)).Status.Should().Be(HttpStatusCode.OK, path);
            (await SendAsync(path, macaroonHex: null)).Should().Be(
                (HttpStatusCode.InternalServerError, """{"code":2,"message":"expected 1 macaroon, got 0","details":[]}"""), path);
            (await SendAsync(path, macaroonHex: "0201abcdef")).Should().Be(
                (HttpStatusCode.InternalServerError, """{"code":2,"message":"verification failed: signature mismatch after caveat verification","details":[]}"""), path);
        }
    }

    [Fact]
    public async Task ARotatedMacaroonRefusesTheOldOne()
    {
        var old = Convert.ToHexString(File.ReadAllBytes(_lnd.MacaroonFile));
        _lnd.RotateMacaroon();
        (await SendAsync("v1/getinfo", old)).Status.Should().Be(HttpStatusCode.InternalServerError);
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(LndWalletState.WaitingToStart, "WAITING_TO_START", "waiting to start, RPC services not available")]
    [InlineData(LndWalletState.NonExisting, "NON_EXISTING", "wallet not created, create one to enable full RPC access")]
    [InlineData(LndWalletState.Locked, "LOCKED", "wallet locked, unlock it to enable full RPC access")]
    [InlineData(LndWalletState.Unlocked, "UNLOCKED", "the RPC server is in the process of starting up, but not yet ready to accept calls")]
    public async Task BeforeRpcActiveEveryCallButStateFailsAsLndSays(LndWalletState state, string name, string message)
    {
        _lnd.State.WalletState = state;
        (await SendAsync("v1/state", macaroonHex: null)).Should().Be((HttpStatusCode.OK, $$"""{"state":"{{name}}"}"""));
        var expected = (HttpStatusCode.InternalServerError, $$"""{"code":2,"message":"{{message}}","details":[]}""");
        (await SendAsync("v1/getinfo")).Should().Be(expected);
        (await SendAsync("v1/balance/channels")).Should().Be(expected);
        // LND checks its state before the macaroon: no macaroon still says "wallet locked".
        (await SendAsync("v1/getinfo", macaroonHex: null)).Should().Be(expected);
    }

    [Fact]
    public async Task RpcActiveAnswers()
    {
        _lnd.State.WalletState = LndWalletState.RpcActive;
        (await SendAsync("v1/state", macaroonHex: null)).Body.Should().Be("""{"state":"RPC_ACTIVE"}""");
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetinfoAndChannelsAreTheCapturesWhileUnchanged()
    {
        (await SendAsync("v1/getinfo")).Body.Should().Be(Fixtures.Read("lnd/getinfo.json"), "byte for byte");

        // The one change: channel 1337, which the capture leaves without "active", is active, as getinfo's three active channels say.
        var expected = JsonNode.Parse(Fixtures.Read("lnd/channels.json"))!;
        expected["channels"]![0]!["active"] = true;
        JsonNode.DeepEquals(JsonNode.Parse((await SendAsync("v1/channels")).Body), expected).Should().BeTrue();
    }

    [Fact]
    public async Task GetinfoFollowsTheScript()
    {
        _lnd.State.BlockHeight = 750_200;
        _lnd.State.SyncedToChain = false;
        _lnd.State.SyncedToGraph = false;
        _lnd.State.NumPeers = 3;
        var info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["block_height"]!.GetValue<long>().Should().Be(750_200);
        info["synced_to_chain"]!.GetValue<bool>().Should().BeFalse();
        info["synced_to_graph"]!.GetValue<bool>().Should().BeFalse();
        info["num_peers"]!.GetValue<int>().Should().Be(3);
        info["best_header_timestamp"]!.GetValue<string>().Should().Be("1660904009", "int64 stays a string");
        JsonNode.Parse((await SendAsync("v1/peers")).Body)!["peers"]!.AsArray().Should().HaveCount(3);

        _lnd.State.BestHeaderTimestamp = 1_795_400_000;
        JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!["best_header_timestamp"]!.GetValue<string>().Should().Be("1795400000");
    }

    [Fact]
    public async Task AChannelGoingInactiveShowsInChannelsAndGetinfo()
    {
        _lnd.State.SetChannelActive("811207584397066241", active: false);
        var channels = JsonNode.Parse((await SendAsync("v1/channels")).Body)!["channels"]!.AsArray();
        channels.Single(c => c!["chan_id"]!.GetValue<string>() == "811207584397066241")!["active"]!.GetValue<bool>().Should().BeFalse();
        channels.Single(c => c!["chan_id"]!.GetValue<string>() == "821261518687043586")!["active"]!.GetValue<bool>().Should().BeTrue();
        var info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["num_active_channels"]!.GetValue<int>().Should().Be(2);
        info["num_inactive_channels"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task AForceCloseWithPendingHtlcsCountsBlocksFromTheHeight()
    {
        _lnd.State.AddForceClose(new LndForceClose(
            "806d3e1328ddf56958ae3730978c744cac79cfe928b0af8a5a8b52b9f9f66fef:2", "03005b000a0ed2b172e7608b062bfe2be18df54769a246941b2cebb5ff2658bb83",
            50_000, 47_325, LndState.CapturedBlockHeight + 144,
            [new LndPendingHtlc(Incoming: true, 1_000, "ab:0", LndState.CapturedBlockHeight + 20)]));
        var pending = JsonNode.Parse((await SendAsync("v1/channels/pending")).Body)!;
        pending["total_limbo_balance"]!.GetValue<string>().Should().Be("48325");
        var close = pending["pending_force_closing_channels"]![0]!;
        close["limbo_balance"]!.GetValue<string>().Should().Be("48325");
        close["maturity_height"]!.GetValue<long>().Should().Be(750_256);
        close["blocks_til_maturity"]!.GetValue<long>().Should().Be(144);
        close["pending_htlcs"]![0]!["blocks_til_maturity"]!.GetValue<long>().Should().Be(20);
        close["anchor"]!.GetValue<string>().Should().Be("LIMBO");
        pending["waiting_close_channels"]!.AsArray().Should().BeEmpty();

        _lnd.State.BlockHeight += 5;
        var later = JsonNode.Parse((await SendAsync("v1/channels/pending")).Body)!["pending_force_closing_channels"]![0]!;
        later["blocks_til_maturity"]!.GetValue<long>().Should().Be(139);
        later["pending_htlcs"]![0]!["blocks_til_maturity"]!.GetValue<long>().Should().Be(15);
        JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!["num_pending_channels"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task TheBuiltAnswersUseLndsEncoding()
    {
        var balance = JsonNode.Parse((await SendAsync("v1/balance/channels")).Body)!;
        balance["local_balance"]!["sat"]!.GetValue<string>().Should().Be("71981");
        balance["local_balance"]!["msat"]!.GetValue<string>().Should().Be("71981000");
        balance["remote_balance"]!["sat"]!.GetValue<string>().Should().Be("1337");
        var wallet = JsonNode.Parse((await SendAsync("v1/balance/blockchain")).Body)!;
        wallet["confirmed_balance"]!.GetValue<string>().Should().Be("250000");
        wallet["reserved_balance_anchor_chan"]!.GetValue<string>().Should().Be("30000");
        var fees = JsonNode.Parse((await SendAsync("v1/fees")).Body)!;
        fees["day_fee_sum"]!.GetValue<string>().Should().Be("12");
        fees["channel_fees"]!.AsArray().Should().HaveCount(3);
        var graph = JsonNode.Parse((await SendAsync("v1/graph/info")).Body)!;
        graph["num_nodes"]!.GetValue<int>().Should().Be(16_342);
        graph["total_network_capacity"]!.GetValue<string>().Should().Be("524431903155");
        JsonNode.Parse((await SendAsync("v1/peers")).Body)!["peers"]!.AsArray().Should().HaveCount(LndState.CapturedPeers);
    }

    [Theory]
    [InlineData(LndFault.MacaroonRejected, HttpStatusCode.InternalServerError, """{"code":2,"message":"verification failed: signature mismatch after caveat verification","details":[]}""")]
    [InlineData(LndFault.Unauthorized, HttpStatusCode.Unauthorized, "")]
    [InlineData(LndFault.Forbidden, HttpStatusCode.Forbidden, "")]
    [InlineData(LndFault.Http500, HttpStatusCode.InternalServerError, """{"code":13,"message":"internal error","details":[]}""")]
    [InlineData(LndFault.Garbage, HttpStatusCode.OK, "<html>this is not JSON</html>")]
    public async Task FaultsAnswerAsDescribed(LndFault fault, HttpStatusCode status, string body)
    {
        _lnd.State.Fault = fault;
        (await SendAsync("v1/getinfo")).Should().Be((status, body));
        if (fault == LndFault.MacaroonRejected)
        {
            (await SendAsync("v1/state", macaroonHex: null)).Status.Should().Be(HttpStatusCode.OK, "the state needs no macaroon");
        }
    }

    [Fact]
    public async Task NeverAnswersUntilTheClientGivesUp()
    {
        _lnd.State.Fault = LndFault.NeverAnswers;
        using var client = Pinned(_lnd.TlsCertFile, timeoutSeconds: 0.5);
        var call = () => client.SendAsync(Get("v1/getinfo"));
        await call.Should().ThrowAsync<TaskCanceledException>();
    }

    [Fact]
    public async Task AHugeBodyIsMoreThanABoundedReaderTakes()
    {
        _lnd.State.Fault = LndFault.HugeBody;
        using var client = Pinned(_lnd.TlsCertFile);
        client.MaxResponseContentBufferSize = 1024 * 1024;
        var call = () => client.SendAsync(Get("v1/getinfo"));
        await call.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task ATruncatedBodyFailsTheRead()
    {
        _lnd.State.Fault = LndFault.TruncatedBody;
        var call = () => SendAsync("v1/getinfo");
        await call.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task GraphInfoCanBeSlowAlone()
    {
        // No stopwatch (shared machines): the graph is made to take ten minutes; getinfo answering at all shows it
        // does not wait, and the graph still being unanswered a moment later shows that it does.
        _lnd.State.GraphInfoLatency = TimeSpan.FromMinutes(10);
        var graph = SendAsync("v1/graph/info");
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK);
        await Task.Delay(200);
        graph.IsCompleted.Should().BeFalse("the graph waits its ten minutes");
        _ = graph.ContinueWith(t => t.Exception, TaskScheduler.Default); // ended when the simulator stops
    }

    [Fact]
    public async Task TheStateIsSafeToScriptWhileRequestsRun()
    {
        var writers = Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                _lnd.State.BlockHeight = 750_000 + i;
                _lnd.State.SetChannelActive("811207584397066241", i % 2 == 0);
            }
        });
        var readers = Enumerable.Range(0, 20).Select(_ => SendAsync("v1/getinfo"));
        var answers = await Task.WhenAll(readers);
        await writers;
        answers.Should().OnlyContain(a => a.Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheFaultControlNeedsNoMacaroonAndIsNotAFaultItself()
    {
        (await ControlAsync("fault/Http500")).Should().Be((HttpStatusCode.NoContent, ""));
        (await SendAsync("v1/getinfo")).Should().Be((HttpStatusCode.InternalServerError, """{"code":13,"message":"internal error","details":[]}"""));
        (await ControlAsync("fault/neveranswers")).Status.Should().Be(HttpStatusCode.NoContent, "names are case-insensitive, and a fault does not stop the controls");
        (await ControlAsync("fault/None")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK, "fault/None mends it");
        _lnd.State.Fault.Should().Be(LndFault.None);
    }

    [Theory]
    [InlineData("waiting-to-start", "WAITING_TO_START")]
    [InlineData("non-existing", "NON_EXISTING")]
    [InlineData("locked", "LOCKED")]
    [InlineData("unlocked", "UNLOCKED")]
    [InlineData("rpc-active", "RPC_ACTIVE")]
    [InlineData("server-active", "SERVER_ACTIVE")]
    [InlineData("active", "SERVER_ACTIVE")]
    public async Task TheWalletControlSetsWhatTheStateEndpointSays(string word, string state)
    {
        _lnd.State.WalletState = word == "locked" ? LndWalletState.ServerActive : LndWalletState.Locked;
        (await ControlAsync($"wallet/{word}")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("v1/state", macaroonHex: null)).Should().Be((HttpStatusCode.OK, $$"""{"state":"{{state}}"}"""));
    }

    [Fact]
    public async Task ALockedWalletFromTheControlRefusesEveryCallButStateUntilItIsActiveAgain()
    {
        (await ControlAsync("wallet/locked")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("v1/getinfo")).Should().Be(
            (HttpStatusCode.InternalServerError, """{"code":2,"message":"wallet locked, unlock it to enable full RPC access","details":[]}"""));
        (await ControlAsync("wallet/active")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("v1/getinfo")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheSyncedControlSetsGetinfosFlags()
    {
        (await ControlAsync("synced/chain/false")).Status.Should().Be(HttpStatusCode.NoContent);
        var info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["synced_to_chain"]!.GetValue<bool>().Should().BeFalse();
        info["synced_to_graph"]!.GetValue<bool>().Should().BeTrue();

        (await ControlAsync("synced/graph/false")).Status.Should().Be(HttpStatusCode.NoContent);
        (await ControlAsync("synced/chain/true")).Status.Should().Be(HttpStatusCode.NoContent);
        info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["synced_to_chain"]!.GetValue<bool>().Should().BeTrue();
        info["synced_to_graph"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task TheChannelControlTakesAChannelOfTheCaptureDownAndUp()
    {
        (await ControlAsync("channel/811207584397066241/inactive")).Status.Should().Be(HttpStatusCode.NoContent);
        var channels = JsonNode.Parse((await SendAsync("v1/channels")).Body)!["channels"]!.AsArray();
        channels.Single(c => c!["chan_id"]!.GetValue<string>() == "811207584397066241")!["active"]!.GetValue<bool>().Should().BeFalse();
        var info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["num_active_channels"]!.GetValue<int>().Should().Be(2);
        info["num_inactive_channels"]!.GetValue<int>().Should().Be(1);

        (await ControlAsync("channel/811207584397066241/active")).Status.Should().Be(HttpStatusCode.NoContent);
        info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["num_active_channels"]!.GetValue<int>().Should().Be(3);
        info["num_inactive_channels"]!.GetValue<int>().Should().Be(0);

        (await ControlAsync("channel/999/inactive")).Status.Should().Be(HttpStatusCode.NotFound, "only the capture's channels exist");
        JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!["num_active_channels"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public async Task TheForceCloseControlPutsFundsInLimboThatMatureInBlocks()
    {
        _lnd.State.BlockHeight = 925_000;
        (await ControlAsync("force-close")).Status.Should().Be(HttpStatusCode.NoContent);
        var pending = JsonNode.Parse((await SendAsync("v1/channels/pending")).Body)!;
        pending["total_limbo_balance"]!.GetValue<string>().Should().Be("600000");
        var close = pending["pending_force_closing_channels"]!.AsArray().Should().ContainSingle().Which!;
        close["limbo_balance"]!.GetValue<string>().Should().Be("600000");
        close["maturity_height"]!.GetValue<long>().Should().Be(925_144);
        close["blocks_til_maturity"]!.GetValue<long>().Should().Be(144, "LND's default delay");
        JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!["num_pending_channels"]!.GetValue<int>().Should().Be(1);

        (await ControlAsync("force-close?blocks=6")).Status.Should().Be(HttpStatusCode.NoContent);
        pending = JsonNode.Parse((await SendAsync("v1/channels/pending")).Body)!;
        pending["total_limbo_balance"]!.GetValue<string>().Should().Be("1200000");
        var closes = pending["pending_force_closing_channels"]!.AsArray();
        closes.Select(c => c!["blocks_til_maturity"]!.GetValue<long>()).Should().Equal(144, 6);
        closes.Select(c => c!["channel"]!["channel_point"]!.GetValue<string>()).Should().OnlyHaveUniqueItems("each call is another channel");
    }

    [Fact]
    public async Task TheHtlcControlAddsAnHtlcNearExpiryToAnActiveChannel()
    {
        _lnd.State.BlockHeight = 925_000;
        _lnd.State.SetChannelActive("1337", active: false);
        (await ControlAsync("htlc")).Status.Should().Be(HttpStatusCode.NoContent);
        (await ControlAsync("htlc?blocks=3")).Status.Should().Be(HttpStatusCode.NoContent);
        var channels = JsonNode.Parse((await SendAsync("v1/channels")).Body)!["channels"]!.AsArray();
        var withHtlcs = channels.Where(c => c!["pending_htlcs"] is JsonArray { Count: > 0 }).Should().ContainSingle().Which!;
        withHtlcs["active"]!.GetValue<bool>().Should().BeTrue();
        withHtlcs["pending_htlcs"]!.AsArray().Select(h => h!["expiration_height"]!.GetValue<long>()).Should().Equal(925_012, 925_003);
        withHtlcs["unsettled_balance"]!.GetValue<string>().Should().Be("20000");
        var balance = JsonNode.Parse((await SendAsync("v1/balance/channels")).Body)!;
        balance["unsettled_local_balance"]!["sat"]!.GetValue<string>().Should().Be("20000", "outgoing HTLCs");
    }

    [Fact]
    public async Task TheClearControlGoesBackToTheCaptureButKeepsTheHeight()
    {
        foreach (var change in new[] { "wallet/locked", "synced/chain/false", "channel/811207584397066241/inactive", "force-close", "htlc", "fault/Garbage" })
        {
            (await ControlAsync(change)).Status.Should().Be(HttpStatusCode.NoContent, change);
        }

        _lnd.State.NumPeers = 2;
        (await ControlAsync("clear")).Status.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync("v1/state", macaroonHex: null)).Body.Should().Be("""{"state":"SERVER_ACTIVE"}""");
        (await SendAsync("v1/getinfo")).Body.Should().Be(Fixtures.Read("lnd/getinfo.json"), "the capture again, byte for byte");
        var expected = JsonNode.Parse(Fixtures.Read("lnd/channels.json"))!;
        expected["channels"]![0]!["active"] = true;
        JsonNode.DeepEquals(JsonNode.Parse((await SendAsync("v1/channels")).Body), expected).Should().BeTrue("no HTLCs, every channel as captured");
        JsonNode.Parse((await SendAsync("v1/channels/pending")).Body)!["total_limbo_balance"]!.GetValue<string>().Should().Be("0");

        _lnd.State.BlockHeight = 925_000;
        _lnd.State.BestHeaderTimestamp = 1_795_400_000;
        (await ControlAsync("clear")).Status.Should().Be(HttpStatusCode.NoContent);
        var info = JsonNode.Parse((await SendAsync("v1/getinfo")).Body)!;
        info["block_height"]!.GetValue<long>().Should().Be(925_000, "the height is the chain's, not a script's");
        info["best_header_timestamp"]!.GetValue<string>().Should().Be("1795400000", "and so is its header's time");
    }

    [Fact]
    public async Task TheRequestsControlCountsLndsApiOnly()
    {
        await SendAsync("v1/state", macaroonHex: null);
        await SendAsync("v1/getinfo");
        await ControlAsync("synced/graph/true");
        (await ControlAsync("requests", "GET")).Should().Be((HttpStatusCode.OK, "2"));
        (await ControlAsync("requests", "GET")).Should().Be((HttpStatusCode.OK, "2"), "asking is not counted either");
        _lnd.RequestCount.Should().Be(2);
    }

    [Theory]
    [InlineData("POST", "nonsense", HttpStatusCode.NotFound)]
    [InlineData("POST", "fault/NoSuchFault", HttpStatusCode.NotFound)]
    [InlineData("POST", "fault/3", HttpStatusCode.NotFound)]
    [InlineData("POST", "wallet/sleepy", HttpStatusCode.NotFound)]
    [InlineData("POST", "synced/mempool/true", HttpStatusCode.NotFound)]
    [InlineData("POST", "synced/chain/maybe", HttpStatusCode.NotFound)]
    [InlineData("POST", "force-close?blocks=-1", HttpStatusCode.BadRequest)]
    [InlineData("POST", "htlc?blocks=soon", HttpStatusCode.BadRequest)]
    [InlineData("GET", "wallet/locked", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "clear", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "requests", HttpStatusCode.MethodNotAllowed)]
    public async Task AWrongControlChangesNothing(string method, string path, HttpStatusCode status)
    {
        var before = _lnd.State.Take();
        (await ControlAsync(path, method)).Status.Should().Be(status);
        _lnd.State.Take().Should().BeEquivalentTo(before);
    }
}
