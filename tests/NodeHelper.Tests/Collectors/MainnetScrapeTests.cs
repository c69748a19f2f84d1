using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Mainnet;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>
/// Layer 3 at mainnet size: the running exporter scraping a bitcoind with 125 or 1,000 peers, a full 300 MB mempool
/// of 150,000 transactions, a 4 MB block and 400 chain tips, with the Electrum server and the mempool backend of the
/// same node. What an operator would read off the scrape is what the node holds, nothing is cut off by a size cap,
/// and promtool finds nothing to criticise.
/// </summary>
public sealed class MainnetScrapeTests
{
    private static readonly string[] BitcoindMethods =
        ["getblockchaininfo", "getnetworkinfo", "getmempoolinfo", "getpeerinfo", "getnettotals", "listbanned", "uptime", "getrpcinfo",
         "getchaintips", "getindexinfo", "getchaintxstats", "getmininginfo", "estimatesmartfee", "getblockstats"];

    private static readonly int[] FeeTargets = [1, 2, 3, 6, 12, 24, 144];

    private static readonly string[] ForkStatuses = ["valid-fork", "valid-headers", "headers-only", "invalid"];

    private static readonly string[] Percentiles = ["10", "25", "50", "75", "90"];

    [Theory]
    [InlineData(125, 113)]
    [InlineData(1000, 988)]
    public async Task AMainnetNodeIsExportedWholeAndRight(int peers, int inbound)
    {
        var profile = new MainnetProfile { Peers = peers };
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = profile });
        await using var electrum = await ElectrumSimulator.StartAsync(new ElectrumSimulatorOptions { Mainnet = profile });
        await using var mempool = await MempoolSimulator.StartAsync(new MempoolSimulatorOptions { Mainnet = profile });
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(bitcoind,
            "--Electrum:Enabled=true", $"--Electrum:Host={electrum.Host}", $"--Electrum:Port={electrum.Port}",
            "--Mempool:Enabled=true", $"--Mempool:Url={mempool.Url}",
            "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"));
        var node = MainnetNode.For(profile);

        await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);
        // The second scrape carries the stats of the block the first one saw.
        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);
        var m = scrape.Metrics;

        foreach (var collector in new[] { "bitcoind", "electrum", "mempool" })
        {
            m.Value("nodehelper_scrape_collector_success", ("collector", collector)).Should().Be(1, collector);
        }

        foreach (var method in BitcoindMethods)
        {
            m.Value("bitcoind_rpc_call_success", ("method", method)).Should().Be(1, $"{method} must be read whole at mainnet size");
        }

        // Peers: every one counted once by network, by connection type and by transport, as the simulated node holds them.
        var served = bitcoind.State.Peers;
        m.Family("bitcoind_peers").Values.Sum().Should().Be(peers);
        m.Family("bitcoind_peers_by_connection_type").Values.Sum().Should().Be(peers);
        m.Family("bitcoind_peers_by_transport").Values.Sum().Should().Be(peers);
        foreach (var network in served.Select(p => p.Network).Distinct())
        {
            m.Value("bitcoind_peers", ("network", network)).Should().Be(served.Count(p => p.Network == network), network);
        }

        m.Value("bitcoind_peers", ("network", "onion")).Should().BeGreaterThan(0);
        m.Value("bitcoind_peers", ("network", "i2p")).Should().BeGreaterThan(0);
        m.Value("bitcoind_peers_by_connection_type", ("connection_type", "inbound")).Should().Be(inbound);
        m.Value("bitcoind_peers_by_connection_type", ("connection_type", "outbound-full-relay")).Should().Be(10);
        m.Value("bitcoind_peers_by_connection_type", ("connection_type", "block-relay-only")).Should().Be(2);
        m.Value("bitcoind_peers_by_transport", ("transport", "v2")).Should().Be(served.Count(p => p.Transport == "v2"));
        m.Value("bitcoind_peers_by_transport", ("transport", "v1")).Should().BeGreaterThan(0);
        m.Value("bitcoind_connections", ("direction", "inbound")).Should().Be(inbound);
        m.Value("bitcoind_connections", ("direction", "outbound")).Should().Be(12);
        var pings = served.Where(p => p.PingSeconds > 0).Select(p => p.PingSeconds).Order().ToArray();
        m.Value("bitcoind_peer_ping_max_seconds").Should().Be(pings[^1]);
        m.Value("bitcoind_peer_ping_median_seconds").Should().Be(pings.Length % 2 == 1 ? pings[pings.Length / 2] : (pings[(pings.Length / 2) - 1] + pings[pings.Length / 2]) / 2);
        m.Value("bitcoind_peer_last_block_timestamp_seconds").Should().Be(served.Max(p => p.LastBlockTime));

        // The mempool: full, so its minimum fee is above the relay minimum; the backend sees the same one.
        m.Value("bitcoind_mempool_transactions").Should().Be(150_000);
        m.Value("bitcoind_mempool_vsize_bytes").Should().Be(node.Mempool.VsizeBytes);
        m.Value("bitcoind_mempool_usage_bytes").Should().Be(profile.MempoolUsageBytes);
        m.Value("bitcoind_mempool_max_bytes").Should().Be(300_000_000);
        m.Value("bitcoind_mempool_usage_bytes").Should().BeLessThanOrEqualTo(m.Value("bitcoind_mempool_max_bytes"));
        m.Value("bitcoind_mempool_min_fee_sat_per_vbyte").Should().BeApproximately(1.51, 1e-9);
        m.Value("bitcoind_mempool_min_relay_fee_sat_per_vbyte").Should().BeApproximately(0.1, 1e-9);
        m.Value("bitcoind_mempool_total_fee_sat").Should().Be(node.Mempool.TotalFeeSat);
        m.Value("mempool_transactions").Should().Be(150_000);
        m.Value("mempool_vsize_bytes").Should().Be(m.Value("bitcoind_mempool_vsize_bytes"));
        m.Value("mempool_total_fee_sat").Should().Be(m.Value("bitcoind_mempool_total_fee_sat"));
        var estimates = FeeTargets.Select(t => m.Value("bitcoind_fee_estimate_sat_per_vbyte", ("target", $"{t}"))).ToArray();
        estimates.Should().BeInDescendingOrder("a longer wait is never dearer").And.OnlyContain(r => r >= 1.51);
        var recommended = m.Family("mempool_recommended_fee_sat_per_vbyte");
        recommended["mempool_recommended_fee_sat_per_vbyte{target=\"fastest\"}"].Should().BeGreaterThan(recommended["mempool_recommended_fee_sat_per_vbyte{target=\"minimum\"}"]);

        // Years of chain tips, by status.
        m.Family("bitcoind_chain_tips").Values.Sum().Should().Be(400);
        m.Value("bitcoind_chain_tips", ("status", "active")).Should().Be(1);
        foreach (var status in ForkStatuses)
        {
            m.Value("bitcoind_chain_tips", ("status", status)).Should().Be(node.PastChainTips.Count(t => t.Status == status)).And.BeGreaterThan(0, status);
        }

        // The latest 4 MB block.
        m.Value("bitcoind_latest_block_height").Should().Be(925_000);
        m.Value("bitcoind_latest_block_transactions").Should().Be(3_500);
        m.Value("bitcoind_latest_block_weight").Should().Be(3_993_000 - MainnetBlock.CoinbaseWeight, "getblockstats weighs the transactions but the coinbase");
        m.Value("bitcoind_latest_block_size_bytes").Should().Be(node.LatestBlock.TotalSize).And.BeInRange(1_000_000, 4_000_000);
        m.Value("bitcoind_latest_block_fees_sat").Should().Be(node.LatestBlock.TotalFee);
        m.Value("bitcoind_latest_block_subsidy_sat").Should().Be(312_500_000);
        Percentiles.Select(p => m.Value("bitcoind_latest_block_fee_rate_sat_per_vbyte", ("percentile", p)))
            .Should().BeInAscendingOrder().And.Equal(node.LatestBlock.FeeRatePercentiles.Select(p => (double)p));

        // One chain: the Electrum server and the backend are at bitcoind's tip.
        m.Value("bitcoind_chain_info", ("chain", "main")).Should().Be(1);
        m.Value("bitcoind_blocks").Should().Be(925_000);
        m.Value("electrum_tip_height").Should().Be(925_000);
        m.Value("electrum_tip_timestamp_seconds").Should().Be(m.Value("bitcoind_best_block_timestamp_seconds"));
        m.Value("mempool_tip_height").Should().Be(925_000);
        m.Value("mempool_difficulty_adjustment_remaining_blocks").Should().Be(925_344 - 925_000);

        var lint = await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body);
        (lint.StandardOutput + lint.StandardError).Should().BeEmpty();
        lint.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task AThousandPeersAreMegabytesAndStillWithinTheAnswerCap()
    {
        // The cap exists against a hostile upstream; a real node's biggest answer must be far inside it.
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = new MainnetProfile { Peers = 1000 } });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = bitcoind.CurrentAuthorization();
        var batch = BatchReply.WriteRequest(new BitcoindBatchPlan(new BitcoindOptions().FeeTargets, BitcoindResponder.HashAt(925_000)).Calls);

        using var response = await http.PostAsync(bitcoind.Url, new ByteArrayContent(batch));
        var answer = await response.Content.ReadAsByteArrayAsync();

        answer.Length.Should().BeInRange(1024 * 1024, BitcoindRpcClient.MaxResponseBytes / 4, "getpeerinfo of 1,000 real-sized peers is megabytes, a quarter of the cap at most");
    }
}
