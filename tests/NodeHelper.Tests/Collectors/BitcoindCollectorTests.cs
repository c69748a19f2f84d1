using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the bitcoind collector against the simulated bitcoind, into a fresh registry, exact values.</summary>
public sealed class BitcoindCollectorTests : IAsyncLifetime
{
    private BitcoindSimulator _bitcoind = null!;

    public async Task InitializeAsync() => _bitcoind = await BitcoindSimulator.StartAsync();

    public async Task DisposeAsync() => await _bitcoind.DisposeAsync();

    private BitcoindCollector Collector(double timeoutSeconds = 5, IReadOnlyList<int>? feeTargets = null)
    {
        var options = new BitcoindOptions
        {
            Url = _bitcoind.Url,
            CookieFile = _bitcoind.CookieFile!,
            TimeoutSeconds = timeoutSeconds,
            FeeTargets = feeTargets ?? new BitcoindOptions().FeeTargets,
        };
        return new BitcoindCollector(new BitcoindSnapshotSource(new BitcoindRpcClient(options, new BitcoindCredentials(options)), options), new ItemLog(NullLogger.Instance, "bitcoind"), CancellationToken.None);
    }

    private static Task<Exposition> CollectAsync(BitcoindCollector collector) => Registries.CollectAsync(collector);

    [Fact]
    public async Task CapturedNodeGivesExactValues()
    {
        var metrics = await CollectAsync(Collector());

        var expected = new Dictionary<string, double>
        {
            ["bitcoind_up"] = 1,
            ["bitcoind_warming_up"] = 0,
            ["bitcoind_blocks"] = 150,
            ["bitcoind_headers"] = 150,
            ["bitcoind_verification_progress_ratio"] = 1,
            ["bitcoind_initial_block_download"] = 0,
            ["bitcoind_best_block_timestamp_seconds"] = 1795470302,
            ["bitcoind_median_time_seconds"] = 1795470301,
            ["bitcoind_difficulty"] = 4.656542373906925e-10,
            ["bitcoind_size_on_disk_bytes"] = 134454,
            ["bitcoind_pruned"] = 0,
            ["bitcoind_chain_info{chain=\"regtest\"}"] = 1,
            ["bitcoind_warnings"] = 1,
            ["bitcoind_build_info{subversion=\"/Satoshi:31.99.0/\",version=\"31.99.0\"}"] = 1,
            ["bitcoind_connections{direction=\"inbound\"}"] = 1,
            ["bitcoind_connections{direction=\"outbound\"}"] = 1,
            ["bitcoind_network_active"] = 1,
            ["bitcoind_network_reachable{network=\"onion\"}"] = 0,
            ["bitcoind_network_reachable{network=\"ipv4\"}"] = 1,
            ["bitcoind_time_offset_seconds"] = 0,
            ["bitcoind_peers{network=\"not_publicly_routable\"}"] = 2,
            ["bitcoind_peers{network=\"onion\"}"] = 0,
            ["bitcoind_peers_by_connection_type{connection_type=\"inbound\"}"] = 1,
            ["bitcoind_peers_by_connection_type{connection_type=\"manual\"}"] = 1,
            ["bitcoind_peers_by_transport{transport=\"v2\"}"] = 2,
            ["bitcoind_peer_ping_median_seconds"] = (0.000695786 + 0.002427667) / 2,
            ["bitcoind_peer_ping_max_seconds"] = 0.002427667,
            ["bitcoind_net_received_bytes_total"] = 17379,
            ["bitcoind_net_sent_bytes_total"] = 170896,
            ["bitcoind_banned_peers"] = 1,
            ["bitcoind_mempool_loaded"] = 1,
            ["bitcoind_mempool_transactions"] = 10,
            ["bitcoind_mempool_vsize_bytes"] = 1410,
            ["bitcoind_mempool_usage_bytes"] = 12256,
            ["bitcoind_mempool_max_bytes"] = 300000000,
            ["bitcoind_mempool_min_fee_sat_per_vbyte"] = 0.1,
            ["bitcoind_mempool_min_relay_fee_sat_per_vbyte"] = 0.1,
            ["bitcoind_mempool_total_fee_sat"] = 35673,
            ["bitcoind_fee_estimate_sat_per_vbyte{target=\"2\"}"] = 1,
            ["bitcoind_fee_estimate_sat_per_vbyte{target=\"6\"}"] = 1,
            ["bitcoind_fee_estimate_sat_per_vbyte{target=\"144\"}"] = 1,
            ["bitcoind_uptime_seconds"] = 16,
            ["bitcoind_rpc_active_commands"] = 0,
            ["bitcoind_chain_tips{status=\"active\"}"] = 1,
            ["bitcoind_chain_tips{status=\"valid-fork\"}"] = 0,
            ["bitcoind_index_synced{index=\"basic block filter index\"}"] = 1,
            ["bitcoind_index_best_block_height{index=\"txindex\"}"] = 150,
            ["bitcoind_chain_transactions"] = 391,
            ["bitcoind_chain_tx_rate"] = 15.56,
            ["bitcoind_network_hashes_per_second"] = 12,
            ["bitcoind_rpc_call_success{method=\"getpeerinfo\"}"] = 1,
        };
        foreach (var (series, value) in expected)
        {
            metrics.Series.Should().Contain(series, value);
        }

        metrics.Has("bitcoind_fee_estimate_sat_per_vbyte", ("target", "1")).Should().BeFalse("bitcoind has no estimate for 1 block");
        metrics.Names.Should().NotContain(["bitcoind_prune_height", "bitcoind_prune_target_size_bytes"]);
        metrics.Types["bitcoind_net_received_bytes_total"].Should().Be("counter");
    }

    [Fact]
    public async Task SyncStateFollowsTheNode()
    {
        _bitcoind.State.InitialBlockDownload = true;
        _bitcoind.State.Headers = 880_000;
        _bitcoind.State.Blocks = 640_000;
        _bitcoind.State.VerificationProgress = 0.4217;

        var metrics = await CollectAsync(Collector());

        metrics.Value("bitcoind_initial_block_download").Should().Be(1);
        metrics.Value("bitcoind_headers").Should().Be(880_000);
        metrics.Value("bitcoind_blocks").Should().Be(640_000);
        metrics.Value("bitcoind_verification_progress_ratio").Should().Be(0.4217);
    }

    [Fact]
    public async Task PrunedNodeReportsPruneHeightAndTarget()
    {
        _bitcoind.State.Pruned = true;

        var metrics = await CollectAsync(Collector());

        metrics.Value("bitcoind_pruned").Should().Be(1);
        metrics.Value("bitcoind_prune_height").Should().Be(0);
        metrics.Value("bitcoind_prune_target_size_bytes").Should().Be(576716800);
    }

    [Fact]
    public async Task PeersAreCountedByNetworkTypeAndTransport()
    {
        _bitcoind.State.SetPeerCount(9);

        var metrics = await CollectAsync(Collector());

        // SetPeerCount(9): networks cycle ipv4, onion, ipv6, i2p; peers 2, 5, 8 are inbound; 3 and 7 block-relay-only; even ones speak v2.
        metrics.Value("bitcoind_peers", ("network", "ipv4")).Should().Be(3);
        metrics.Value("bitcoind_peers", ("network", "onion")).Should().Be(2);
        metrics.Value("bitcoind_peers", ("network", "cjdns")).Should().Be(0);
        metrics.Value("bitcoind_peers_by_connection_type", ("connection_type", "inbound")).Should().Be(3);
        metrics.Value("bitcoind_peers_by_connection_type", ("connection_type", "outbound-full-relay")).Should().Be(4);
        metrics.Value("bitcoind_peers_by_connection_type", ("connection_type", "block-relay-only")).Should().Be(2);
        metrics.Value("bitcoind_peers_by_transport", ("transport", "v2")).Should().Be(5);
        metrics.Value("bitcoind_connections", ("direction", "outbound")).Should().Be(6);
        metrics.Value("bitcoind_peer_ping_max_seconds").Should().BeApproximately(0.08, 1e-12);
        metrics.Value("bitcoind_peer_ping_median_seconds").Should().BeApproximately(0.04, 1e-12, "pings .02 .02 .03 .03 .04 .05 .06 .07 .08");
        metrics.Value("bitcoind_peer_last_block_timestamp_seconds").Should().Be(BitcoindState.CapturedBlockTime);
    }

    [Fact]
    public async Task OnlyConfiguredTargetsWithAnEstimateAreExported()
    {
        _bitcoind.State.FeeRates.Clear();
        _bitcoind.State.FeeRates[6] = 0.00020000m;

        var metrics = await CollectAsync(Collector(feeTargets: [1, 6]));

        metrics.Family("bitcoind_fee_estimate_sat_per_vbyte").Should().Equal(
            new Dictionary<string, double> { ["bitcoind_fee_estimate_sat_per_vbyte{target=\"6\"}"] = 20 });
    }

    [Fact]
    public async Task LatestBlockStatsCostOneCallPerBlock()
    {
        var collector = Collector();

        var first = await CollectAsync(collector);
        var second = await CollectAsync(collector);
        await CollectAsync(collector);
        _bitcoind.State.MineBlock(BitcoindState.CapturedBlockTime + 600);
        var afterBlock = await CollectAsync(collector);
        var next = await CollectAsync(collector);
        await CollectAsync(collector);

        first.Names.Should().NotContain("bitcoind_latest_block_height", "the first scrape learns the tip; its stats come in the next batch");
        second.Value("bitcoind_latest_block_height").Should().Be(150);
        second.Value("bitcoind_latest_block_fees_sat").Should().Be(13540);
        second.Value("bitcoind_latest_block_fee_rate_sat_per_vbyte", ("percentile", "90")).Should().Be(21);
        afterBlock.Value("bitcoind_blocks").Should().Be(151);
        afterBlock.Value("bitcoind_latest_block_height").Should().Be(150, "stats follow one scrape behind, labelled by their own height");
        next.Value("bitcoind_latest_block_height").Should().Be(151);
        _bitcoind.RequestBodies.Count(b => b.Contains("getblockstats", StringComparison.Ordinal)).Should().Be(2);
        _bitcoind.RequestCount.Should().Be(6, "every scrape is one HTTP request, block stats included");
    }

    [Fact]
    public async Task BlockStatsThatFailedAreAskedForAgainUntilAnswered()
    {
        // Asked once and given up, a failing getblockstats would be at 0 in one scrape only: NodeHelperItemFailing
        // (for: 30m) could never see it fail. Asked again each scrape until answered, a lasting failure lasts.
        var collector = Collector();
        await CollectAsync(collector);
        _bitcoind.State.Rewrites["getblockstats"] = result =>
        {
            result!["totalfee"] = -1;
            return result;
        };

        var failed = await CollectAsync(collector);
        var stillFailing = await CollectAsync(collector);
        _bitcoind.State.Rewrites.Remove("getblockstats");
        var answered = await CollectAsync(collector);
        var settled = await CollectAsync(collector);

        failed.Value("bitcoind_rpc_call_success", ("method", "getblockstats")).Should().Be(0);
        failed.Names.Should().NotContain("bitcoind_latest_block_fees_sat", "a value NodeHelper cannot believe is not exported");
        stillFailing.Value("bitcoind_rpc_call_success", ("method", "getblockstats")).Should().Be(0, "the block's stats are asked for again");
        answered.Value("bitcoind_rpc_call_success", ("method", "getblockstats")).Should().Be(1);
        answered.Value("bitcoind_latest_block_fees_sat").Should().Be(13540);
        settled.Value("bitcoind_latest_block_fees_sat").Should().Be(13540);
        settled.Names.Should().Contain("bitcoind_rpc_call_success");
        settled.Series.Keys.Should().NotContain("bitcoind_rpc_call_success{method=\"getblockstats\"}", "answered, the block is not asked for again");
        _bitcoind.RequestBodies.Count(b => b.Contains("getblockstats", StringComparison.Ordinal)).Should().Be(3);
    }

    [Fact]
    public async Task AStaleBlockLeavesAValidForkTip()
    {
        _bitcoind.State.OtherChainTips.Add(("valid-fork", 1));
        _bitcoind.State.OtherChainTips.Add(("headers-only", 2));

        var metrics = await CollectAsync(Collector());

        metrics.Value("bitcoind_chain_tips", ("status", "valid-fork")).Should().Be(1);
        metrics.Value("bitcoind_chain_tips", ("status", "headers-only")).Should().Be(1);
        metrics.Value("bitcoind_chain_tips", ("status", "active")).Should().Be(1);
    }

    [Fact]
    public async Task IndexesStillBuildingAreNotSynced()
    {
        _bitcoind.State.IndexesSynced = false;

        var metrics = await CollectAsync(Collector());

        metrics.Value("bitcoind_index_synced", ("index", "txindex")).Should().Be(0);
        metrics.Value("bitcoind_index_best_block_height", ("index", "coinstatsindex")).Should().Be(140);
    }

    [Fact]
    public async Task WarmingUpIsItsOwnStateNotAGenericFailure()
    {
        _bitcoind.State.Fault = BitcoindFault.WarmingUp;
        _bitcoind.State.WarmupMessage = "Verifying blocks…";
        var collector = Collector();

        var act = () => CollectAsync(collector);

        var error = (await act.Should().ThrowAsync<BitcoindWarmingUpException>()).Which;
        error.Status.Should().Be("Verifying blocks…");
        var scrape = await Registries.ScrapeAsync(collector);
        scrape.Family("bitcoind_up").Concat(scrape.Family("bitcoind_warming_up")).Should().Equal(new Dictionary<string, double> { ["bitcoind_up"] = 0, ["bitcoind_warming_up"] = 1 });
        scrape.Value("nodehelper_scrape_collector_failure_reason", ("collector", "bitcoind"), ("reason", "warming_up")).Should().Be(1);
    }

    [Theory]
    [InlineData(BitcoindFault.Unauthorized, "*HTTP 401*even after it was read again*Bitcoind:CookieFile*", "unauthorized")]
    [InlineData(BitcoindFault.Forbidden, "*HTTP 403*rpcwhitelist must allow getblockchaininfo,getnetworkinfo*", "forbidden")]
    [InlineData(BitcoindFault.Http500, "*HTTP 500*", "http_error")]
    [InlineData(BitcoindFault.NotJson, "*not valid JSON*", "invalid_response")]
    [InlineData(BitcoindFault.TruncatedBody, "*broke off*", "connection_lost")]
    [InlineData(BitcoindFault.HugeBody, "*larger than 16 MiB*", "too_large")]
    [InlineData(BitcoindFault.NeverAnswers, "*did not answer within 1 s*", "timeout")]
    public async Task EveryFaultIsAFailureThatSaysWhatAndWhy(BitcoindFault fault, string message, string reason)
    {
        _bitcoind.State.Fault = fault;
        // A short upstream timeout only where waiting is the fault; the others must fail for their own reason.
        var collector = Collector(timeoutSeconds: fault == BitcoindFault.NeverAnswers ? 1 : 60);

        var act = () => CollectAsync(collector);

        var error = (await act.Should().ThrowAsync<UpstreamException>().WithMessage(message)).Which;
        error.Reason.Label().Should().Be(reason);
        var scrape = await Registries.ScrapeAsync(collector);
        scrape.Family("bitcoind_up").Concat(scrape.Family("bitcoind_warming_up")).Should().Equal(new Dictionary<string, double> { ["bitcoind_up"] = 0, ["bitcoind_warming_up"] = 0 });
        scrape.Value("nodehelper_scrape_collector_failure_reason", ("collector", "bitcoind"), ("reason", reason)).Should().Be(1);
        scrape.Family("nodehelper_scrape_collector_failure_reason").Should().HaveCount(1, "one reason at a time");
    }

    [Fact]
    public async Task AStoppedBitcoindIsAFailure()
    {
        var collector = Collector();
        await CollectAsync(collector);
        await _bitcoind.DisposeAsync();

        var act = () => CollectAsync(collector);

        (await act.Should().ThrowAsync<UpstreamException>().WithMessage("cannot talk to bitcoind at http://127.0.0.1:*/: connection refused; is bitcoind running, and is Bitcoind:Url its rpcbind/rpcport?"))
            .Which.Reason.Should().Be(FailureReason.Refused);
        _bitcoind = await BitcoindSimulator.StartAsync();
    }

    [Fact]
    public async Task ANewCookieAfterARestartIsPickedUpWithinTheSameScrape()
    {
        var collector = Collector();
        await CollectAsync(collector);

        _bitcoind.RotateCookie();
        var metrics = await CollectAsync(collector);

        metrics.Value("bitcoind_up").Should().Be(1);
        _bitcoind.RequestCount.Should().Be(3, "one request, then after the restart a 401 and one retry with the new cookie");
    }

    [Fact]
    public async Task AMissingCookieFileSaysWhichFileAndWhy()
    {
        var options = new BitcoindOptions { Url = _bitcoind.Url, CookieFile = "/nonexistent/.cookie" };
        var collector = new BitcoindCollector(new BitcoindSnapshotSource(new BitcoindRpcClient(options, new BitcoindCredentials(options)), options), new ItemLog(NullLogger.Instance, "bitcoind"), CancellationToken.None);

        var act = () => CollectAsync(collector);

        (await act.Should().ThrowAsync<UpstreamException>().WithMessage("cannot read '/nonexistent/.cookie' (Bitcoind:CookieFile): it does not exist*"))
            .Which.Reason.Should().Be(FailureReason.Credentials);
        _bitcoind.RequestCount.Should().Be(0);
    }
}
