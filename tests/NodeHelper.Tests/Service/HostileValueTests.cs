using System.Text.Json.Nodes;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>
/// Layer 3: well-formed JSON with values that are absurd for their field (or legal but rare), over real sockets
/// through the exposition writer. Each fails only its own item, never the collector; the scrape holds no duplicate
/// series (Exposition.Parse refuses one) and promtool finds nothing to criticise.
/// </summary>
public sealed class HostileValueTests : IAsyncLifetime
{
    /// <summary>Methods whose items must stay 1 when another method's value is absurd.</summary>
    private static readonly string[] Bystanders = ["getpeerinfo", "getmempoolinfo", "getblockchaininfo", "uptime"];

    private SimulatedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SimulatedStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    /// <summary>A bitcoind method's result rewritten, and the series the rewrite must take away with its item.</summary>
    public static TheoryData<string, string, string> BitcoindRewrites => new()
    {
        // method, rewrite (a name below), a series of that method that must vanish
        { "estimatesmartfee", "fee-rate-7e28", "bitcoind_fee_estimate_sat_per_vbyte{target=\"2\"}" },
        { "getmempoolinfo", "total-fee-1e21", "bitcoind_mempool_total_fee_sat" },
        { "uptime", "uptime-2^70", "bitcoind_uptime_seconds" },
        { "uptime", "uptime-16.5", "bitcoind_uptime_seconds" },
        { "uptime", "uptime-negative", "bitcoind_uptime_seconds" },
        { "getnetworkinfo", "network-listed-twice", "bitcoind_network_reachable{network=\"ipv4\"}" },
        { "getindexinfo", "index-names-equal-in-128", "bitcoind_index_synced{index=\"txindex\"}" },
        { "getblockchaininfo", "blocks-negative", "bitcoind_blocks" },
        { "getblockchaininfo", "progress-above-one", "bitcoind_verification_progress_ratio" },
        { "getchaintxstats", "tx-count-float", "bitcoind_chain_transactions" },
        { "getmininginfo", "hash-rate-negative", "bitcoind_network_hashes_per_second" },
        { "getnettotals", "bytes-negative", "bitcoind_net_received_bytes_total" },
        { "getpeerinfo", "peer-list-holds-null", "bitcoind_peers{network=\"ipv4\"}" },
    };

    private static Func<JsonNode?, JsonNode?> Rewrite(string name) => name switch
    {
        "fee-rate-7e28" => result => Set(result, "feerate", JsonNode.Parse("7e28")),
        "total-fee-1e21" => result => Set(result, "total_fee", JsonNode.Parse("1e21")),
        "uptime-2^70" => _ => JsonNode.Parse("1180591620717411303424"),
        "uptime-16.5" => _ => JsonNode.Parse("16.5"),
        "uptime-negative" => _ => JsonNode.Parse("-5"),
        "network-listed-twice" => result =>
        {
            var networks = result!["networks"]!.AsArray();
            networks.Add(new JsonObject { ["name"] = "ipv4", ["limited"] = true, ["reachable"] = false });
            return result;
        }
        ,
        "index-names-equal-in-128" => result =>
        {
            var prefix = new string('x', 128);
            result!.AsObject()[prefix + "a"] = new JsonObject { ["synced"] = true, ["best_block_height"] = 150 };
            result.AsObject()[prefix + "b"] = new JsonObject { ["synced"] = false, ["best_block_height"] = 1 };
            return result;
        }
        ,
        "blocks-negative" => result => Set(result, "blocks", -1),
        "progress-above-one" => result => Set(result, "verificationprogress", 7.5),
        "tx-count-float" => result => Set(result, "txcount", 12.5),
        "hash-rate-negative" => result => Set(result, "networkhashps", -1),
        "bytes-negative" => result => Set(result, "totalbytesrecv", -100),
        "peer-list-holds-null" => result =>
        {
            result!.AsArray().Add(null);
            return result;
        }
        ,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static JsonNode? Set(JsonNode? result, string field, JsonNode? value)
    {
        result![field] = value;
        return result;
    }

    [Theory]
    [MemberData(nameof(BitcoindRewrites))]
    public async Task AnAbsurdBitcoindValueFailsItsMethodAloneAndTheScrapeStaysValid(string method, string rewrite, string vanished)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Bitcoind.State.Rewrites[method] = Rewrite(rewrite);

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Status.Should().Be(200);
        var metrics = scrape.Metrics; // throws on a duplicate series
        metrics.Value("bitcoind_up").Should().Be(1, "bitcoind answered; one of its values is absurd");
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "bitcoind")).Should().Be(1);
        metrics.Value("bitcoind_rpc_call_success", ("method", method)).Should().Be(0);
        metrics.Series.Keys.Should().NotContain(vanished);
        foreach (var other in Bystanders.Where(m => m != method))
        {
            metrics.Value("bitcoind_rpc_call_success", ("method", other)).Should().Be(1, $"{other} is not {method}");
        }

        metrics.Value("electrum_up").Should().Be(1);
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
        exporter.Logs.All.Should().Contain($"Collector bitcoind, {method}: ", "the item's problem is logged once");
    }

    /// <summary>An LND answer rewritten, and a series of that answer that must vanish with it (getinfo's fails the collector).</summary>
    public static TheoryData<string, string, string> LndRewrites => new()
    {
        { "/v1/balance/blockchain", "confirmed-negative", "lnd_wallet_balance_sat{balance=\"confirmed\"}" },
        { "/v1/channels/pending", "limbo-uint64-max", "lnd_limbo_balance_sat" },
        { "/v1/channels", "capacity-1e30", "lnd_channel_capacity_sat{chan_id=\"1337\"}" },
        { "/v1/channels", "htlc-amount-negative", "lnd_pending_htlcs" },
        { "/v1/fees", "fees-float", "lnd_routing_fees_sat{period=\"day\"}" },
        { "/v1/balance/channels", "local-not-an-object", "lnd_channel_balance_sat{balance=\"local\"}" },
        { "/v1/getinfo", "height-negative", "lnd_block_height" },
        { "/v1/getinfo", "peers-2^70", "lnd_peers" },
    };

    private static Func<JsonNode, JsonNode> LndRewrite(string name) => name switch
    {
        "confirmed-negative" => answer => Set(answer, "confirmed_balance", "-5")!,
        "limbo-uint64-max" => answer => Set(answer, "total_limbo_balance", "18446744073709551615")!,
        "capacity-1e30" => answer =>
        {
            answer["channels"]![0]!["capacity"] = "1e30";
            return answer;
        }
        ,
        "htlc-amount-negative" => answer =>
        {
            answer["channels"]![0]!["pending_htlcs"] = new JsonArray(new JsonObject { ["incoming"] = true, ["amount"] = "-1", ["expiration_height"] = 200 });
            return answer;
        }
        ,
        "fees-float" => answer => Set(answer, "day_fee_sum", 12.5)!,
        "local-not-an-object" => answer => Set(answer, "local_balance", "7331")!,
        "height-negative" => answer => Set(answer, "block_height", -1)!,
        "peers-2^70" => answer => Set(answer, "num_peers", JsonNode.Parse("1180591620717411303424"))!,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(LndRewrites))]
    public async Task AnAbsurdLndValueFailsItsCallAloneAndGetinfosFailsLndAlone(string path, string rewrite, string vanished)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Lnd.State.Rewrites[path] = LndRewrite(rewrite);

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Status.Should().Be(200);
        var metrics = scrape.Metrics; // throws on a duplicate series
        metrics.Series.Keys.Should().NotContain(vanished);
        if (path == "/v1/getinfo")
        {
            metrics.Value("lnd_up").Should().Be(0, "getinfo is the reading LND's series stand on");
            metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "lnd"), ("reason", "invalid_response")).Should().Be(1);
        }
        else
        {
            metrics.Value("lnd_up").Should().Be(1, "LND answered; one of its values is absurd");
            metrics.Value("lnd_endpoint_success", ("endpoint", path)).Should().Be(0);
            metrics.Family("lnd_endpoint_success").Where(e => !e.Key.Contains(path, StringComparison.Ordinal)).Should().OnlyContain(e => e.Value == 1, "the other calls are not that one");
            metrics.Value("lnd_block_height").Should().Be(150);
            exporter.Logs.All.Should().Contain($"Collector lnd, {path}: ", "the call's problem is logged once");
        }

        metrics.Family("nodehelper_scrape_collector_success").Where(c => !c.Key.Contains("\"lnd\"", StringComparison.Ordinal)).Should().OnlyContain(c => c.Value == 1);
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task AHostileChannelIdIsAnEscapedClippedLabelAndPromtoolAccepts()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Lnd.State.Rewrites["/v1/channels"] = answer =>
        {
            // Two ids alike in their first 5,000 characters: clipped, they would be the same label.
            answer["channels"]![0]!["chan_id"] = "\"}\n<script>" + new string('9', 5000) + "a";
            answer["channels"]![1]!["chan_id"] = "\"}\n<script>" + new string('9', 5000) + "b";
            return answer;
        };

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "lnd")).Should().Be(1, "no duplicate series");
        var ids = scrape.Metrics.Family("lnd_channel_active").Keys.ToList();
        ids.Should().HaveCount(2, "the second of two ids that clip alike is left out rather than written twice");
        ids.Should().Contain(k => k.StartsWith("lnd_channel_active{chan_id=\"\"}\n<script>999", StringComparison.Ordinal) && k.Length < 600, "the value as sent, clipped to a label's length");
        scrape.Body.Should().Contain("lnd_channel_active{chan_id=\"\\\"}\\n<script>999", "escaped in the exposition: the quote and the newline cannot end the label or the line");
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task ANodeWithoutPeersIsUpWithZeroPeers()
    {
        // A real Bitcoin Core with `setnetworkactive false` answered getpeerinfo with [] and was reported down.
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Bitcoind.State.SetPeerCount(0);

        var metrics = (await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10)).Metrics;

        metrics.Value("bitcoind_up").Should().Be(1);
        metrics.Value("bitcoind_rpc_call_success", ("method", "getpeerinfo")).Should().Be(1);
        metrics.Value("bitcoind_connections", ("direction", "inbound")).Should().Be(0);
        metrics.Value("bitcoind_connections", ("direction", "outbound")).Should().Be(0);
        metrics.Value("bitcoind_peers", ("network", "ipv4")).Should().Be(0);
        metrics.Value("bitcoind_peers_by_connection_type", ("connection_type", "outbound-full-relay")).Should().Be(0);
        metrics.Has("bitcoind_peer_ping_median_seconds").Should().BeFalse("no peer, no ping: absent, not 0");
        metrics.Has("bitcoind_peer_last_block_timestamp_seconds").Should().BeFalse();
    }

    [Fact]
    public async Task AnElectrumVersionThatIsNotUtf8IsStillAnAnswer()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Electrum.State.Fault = ElectrumFault.InvalidUtf8Version;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Metrics.Value("electrum_up").Should().Be(1, "a broken byte in a label value is not a server that is down");
        scrape.Metrics.Value("electrum_server_info", ("protocol_version", "1.4"), ("server_version", "Ful\ufffd(crum 2.1.1")).Should().Be(1);
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task AnElectrumAnswerWithAFractionalIdIsTheServersFaultNotABug()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Electrum.State.Fault = ElectrumFault.FractionalId;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Metrics.Value("electrum_up").Should().Be(0);
        scrape.Metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "electrum"), ("reason", "invalid_response")).Should().Be(1);
        var line = exporter.Logs.Lines.Single(l => l.Contains("Collector electrum failing", StringComparison.Ordinal));
        line.Should().Contain("does not carry its id").And.NotContain(" | ", "an upstream fault is one line, not a stack trace");
    }

    [Theory]
    [InlineData("1e9")]
    [InlineData("4294968")]
    [InlineData("1e308")]
    public async Task AnEnormousScrapeTimeoutHeaderIsClamped(string header)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", header);

        using var response = await exporter.Http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(200);
        Exposition.Parse(await response.Content.ReadAsStringAsync()).Value("bitcoind_up").Should().Be(1);
    }

    [Fact]
    public async Task AScraperThatHangsUpIsNotAnUpstreamFailure()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Bitcoind:TimeoutSeconds=60"));
        _stack.Bitcoind.State.Fault = BitcoindFault.NeverAnswers;
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", "30");

        var abandoned = () => exporter.Http.SendAsync(request, impatient.Token);

        await abandoned.Should().ThrowAsync<OperationCanceledException>();
        await Eventually.TrueAsync("the exporter sees the scrape end", TimeSpan.FromSeconds(20),
            () => exporter.Logs.All.Contains("Scrape abandoned by the client", StringComparison.Ordinal));
        exporter.Logs.All.Should().NotContain("Collector bitcoind failing", "bitcoind did nothing wrong: the scraper left");
    }
}
