using System.Globalization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// bitcoind (Bitcoin Core or Knots): chain, sync, network, peers, mempool, fees and indexes, from one JSON-RPC
/// batch per scrape. Concurrent scrapes share the batch in flight. Each RPC method is an item: one that failed or
/// answered an absurd value leaves out its own series, says so in bitcoind_rpc_call_success, and is logged once.
/// </summary>
internal sealed class BitcoindCollector(BitcoindSnapshotSource source, ItemLog items, CancellationToken stopping, RunningVersions? versions = null)
    : SnapshotCollector<BitcoindSnapshot>(source.FetchAsync, stopping)
{
    /// <summary>bitcoind's amounts are BTC (and fee rates BTC/kvB); 1 BTC/kvB = 100,000 sat/vB.</summary>
    private const decimal SatPerVbytePerBtcPerKvb = 100_000m;

    private const decimal SatPerBtc = 100_000_000m;

    /// <summary>getblockstats' feerate_percentiles are the 10th, 25th, 50th, 75th and 90th percentiles.
    /// (The label is not "quantile": Prometheus keeps that name for summaries.)</summary>
    private static readonly string[] FeeRatePercentiles = ["10", "25", "50", "75", "90"];

    private const string WarmingUpHelp = "Whether bitcoind is still starting and answers every call with error -28, RPC_IN_WARMUP (1) or not (0).";

    private static readonly UpGauge UpGauge = new("bitcoind_up", "Whether bitcoind answered the scrape's JSON-RPC batch (1) or not (0).");

    public override string Name => "bitcoind";

    public override string Description => "bitcoind JSON-RPC: chain, sync, peers, mempool, fee estimates, indexes";

    public override UpGauge Up => UpGauge;

    public override void WriteFailure(MetricSet metrics, UpstreamException failure) =>
        metrics.Gauge("bitcoind_warming_up", WarmingUpHelp, failure.Reason == FailureReason.WarmingUp ? 1 : 0);

    protected override void Write(MetricSet metrics, BitcoindSnapshot snapshot)
    {
        items.NoteAll(snapshot.MethodProblems);
        if (snapshot.Network is { } network)
        {
            var (component, version) = RunningVersions.Bitcoind(FormatVersion(network.Version), network.Subversion);
            versions?.Saw(component, version);
        }

        WriteSnapshot(metrics, snapshot);
    }

    /// <summary>Writes every series of one snapshot but bitcoind_up. Parts whose call failed are left out, never written as 0.</summary>
    internal static void WriteSnapshot(MetricSet metrics, BitcoindSnapshot snapshot)
    {
        var m = metrics;
        m.Gauge("bitcoind_warming_up", WarmingUpHelp, 0);
        if (snapshot.Chain is { } chain)
        {
            WriteChain(m, chain);
        }

        if (snapshot.Network is { } network)
        {
            WriteNetwork(m, network);
        }

        if (snapshot.Peers is { } peers)
        {
            WritePeers(m, peers);
        }

        if (snapshot.NetTotals is { } totals)
        {
            m.Counter("bitcoind_net_received_bytes_total", "Bytes received from peers since bitcoind started (getnettotals.totalbytesrecv).", totals.TotalBytesReceived);
            m.Counter("bitcoind_net_sent_bytes_total", "Bytes sent to peers since bitcoind started (getnettotals.totalbytessent).", totals.TotalBytesSent);
        }

        if (snapshot.BannedCount is { } banned)
        {
            m.Gauge("bitcoind_banned_peers", "Banned addresses and subnets (listbanned, number of entries).", banned);
        }

        if (snapshot.Mempool is { } mempool)
        {
            WriteMempool(m, mempool);
        }

        WriteFeeEstimates(m, snapshot.FeeEstimates);
        if (snapshot.UptimeSeconds is { } uptime)
        {
            m.Gauge("bitcoind_uptime_seconds", "Seconds since bitcoind started (uptime).", uptime);
        }

        if (snapshot.RpcInfo is { } rpc)
        {
            WriteRpcInfo(m, rpc);
        }

        if (snapshot.ChainTips is { } tips)
        {
            WriteChainTips(m, tips);
        }

        if (snapshot.Indexes is { } indexes)
        {
            WriteIndexes(m, indexes);
        }

        if (snapshot.ChainTxStats is { } txStats)
        {
            m.Gauge("bitcoind_chain_transactions", "Transactions in the chain up to the best block (getchaintxstats.txcount).", txStats.TxCount);
            if (txStats.TxRate is { } rate)
            {
                m.Gauge("bitcoind_chain_tx_rate", "Average transactions per second over the last month of blocks (getchaintxstats.txrate).", rate);
            }
        }

        if (snapshot.Mining is { } mining)
        {
            m.Gauge("bitcoind_network_hashes_per_second", "Estimated hash rate of the whole network over the last 120 blocks (getmininginfo.networkhashps).", mining.NetworkHashPerSecond);
        }

        if (snapshot.LatestBlockStats is { } block)
        {
            WriteLatestBlock(m, block);
        }

        var calls = m.Family("bitcoind_rpc_call_success",
            "Whether every call of this RPC method in the scrape's batch succeeded with values that make sense (1) or not (0); a failed call leaves its series out.", "method");
        foreach (var (method, problem) in snapshot.MethodProblems)
        {
            calls.WithLabels(method).Set(problem is null ? 1 : 0);
        }
    }

    private static void WriteChain(MetricSet m, BlockchainInfo chain)
    {
        m.Gauge("bitcoind_blocks", "Height of the most-work fully validated chain (getblockchaininfo.blocks).", chain.Blocks);
        m.Gauge("bitcoind_headers", "Height of the most-work header chain, validated or not (getblockchaininfo.headers).", chain.Headers);
        m.Gauge("bitcoind_verification_progress_ratio", "Estimated fraction of the chain verified, 0 to 1 (getblockchaininfo.verificationprogress).", chain.VerificationProgress);
        m.Gauge("bitcoind_initial_block_download", "Whether the node is in initial block download (getblockchaininfo.initialblockdownload).", chain.InitialBlockDownload ? 1 : 0);
        if (chain.Time is { } time)
        {
            m.Gauge("bitcoind_best_block_timestamp_seconds", "Timestamp in the header of the best block, Unix seconds (getblockchaininfo.time).", time);
        }

        m.Gauge("bitcoind_median_time_seconds", "Median timestamp of the last 11 blocks, Unix seconds (getblockchaininfo.mediantime).", chain.MedianTime);
        m.Gauge("bitcoind_difficulty", "Proof-of-work difficulty of the best block (getblockchaininfo.difficulty).", chain.Difficulty);
        m.Gauge("bitcoind_size_on_disk_bytes", "Size of the block and undo files on disk (getblockchaininfo.size_on_disk).", chain.SizeOnDisk);
        m.Gauge("bitcoind_pruned", "Whether the node prunes old blocks (getblockchaininfo.pruned).", chain.Pruned ? 1 : 0);
        if (chain.Pruned && chain.PruneHeight is { } pruneHeight)
        {
            m.Gauge("bitcoind_prune_height", "Lowest height whose block is still stored (getblockchaininfo.pruneheight); pruned nodes only.", pruneHeight);
        }

        if (chain.Pruned && chain.PruneTargetSize is { } target)
        {
            m.Gauge("bitcoind_prune_target_size_bytes", "Size the block files are pruned down to (getblockchaininfo.prune_target_size); automatic pruning only.", target);
        }

        m.Family("bitcoind_chain_info", "The chain the node follows, as the label chain: main, test, testnet4, signet or regtest (getblockchaininfo.chain).", "chain")
            .WithLabels(LabelValue.Clip(chain.Chain)).Set(1);
        m.Gauge("bitcoind_warnings", "Number of warnings bitcoind reports (getblockchaininfo.warnings; a string before v28, a list since).", chain.Warnings);
    }

    private static void WriteNetwork(MetricSet m, NetworkInfo network)
    {
        m.Family("bitcoind_build_info", "bitcoind's version: getnetworkinfo.version as x.y.z, and getnetworkinfo.subversion.", "version", "subversion")
            .WithLabels(FormatVersion(network.Version), LabelValue.Clip(network.Subversion)).Set(1);
        m.Gauge("bitcoind_protocol_version", "P2P protocol version (getnetworkinfo.protocolversion).", network.ProtocolVersion);
        if (network.ConnectionsIn is { } inbound && network.ConnectionsOut is { } outbound)
        {
            var connections = m.Family("bitcoind_connections", "Peer connections by direction (getnetworkinfo.connections_in and connections_out).", "direction");
            connections.WithLabels("inbound").Set(inbound);
            connections.WithLabels("outbound").Set(outbound);
        }

        m.Gauge("bitcoind_network_active", "Whether P2P networking is enabled (getnetworkinfo.networkactive).", network.NetworkActive ? 1 : 0);
        var reachable = m.Family("bitcoind_network_reachable", "Whether the node can reach peers on this network (getnetworkinfo.networks[].reachable).", "network");
        foreach (var net in network.Networks)
        {
            reachable.WithLabels(LabelValue.Clip(net.Name)).Set(net.Reachable ? 1 : 0);
        }

        m.Gauge("bitcoind_time_offset_seconds", "Offset of the node's clock from its peers' clocks, in seconds (getnetworkinfo.timeoffset).", network.TimeOffset);
    }

    private static void WritePeers(MetricSet m, IReadOnlyList<PeerInfo> peers)
    {
        m.Counts("bitcoind_peers", "Connected peers by network (getpeerinfo[].network).", "network",
            BitcoindVocabulary.Networks, peers.Select(p => p.Network));
        m.Counts("bitcoind_peers_by_connection_type", "Connected peers by connection type (getpeerinfo[].connection_type).", "connection_type",
            BitcoindVocabulary.ConnectionTypes, peers.Select(p => p.ConnectionType));
        m.Counts("bitcoind_peers_by_transport", "Connected peers by transport: v1, or v2 (BIP324 encrypted) (getpeerinfo[].transport_protocol_type).", "transport",
            BitcoindVocabulary.Transports, peers.Select(p => p.TransportProtocolType));

        var pings = peers.Where(p => p.PingTime is > 0).Select(p => p.PingTime!.Value).Order().ToArray();
        if (pings.Length > 0)
        {
            m.Gauge("bitcoind_peer_ping_median_seconds", "Median ping round trip over peers that have answered a ping (getpeerinfo[].pingtime).", Median(pings));
            m.Gauge("bitcoind_peer_ping_max_seconds", "Slowest ping round trip over peers that have answered a ping (getpeerinfo[].pingtime).", pings[^1]);
        }

        // No peer (networking off, a node cut off) is a state: zero counts above, and no ping or last block below.
        var lastBlock = peers.Count == 0 ? 0 : peers.Max(p => p.LastBlock ?? 0);
        if (lastBlock > 0)
        {
            m.Gauge("bitcoind_peer_last_block_timestamp_seconds", "When a peer last delivered a new block to this node, Unix seconds (max of getpeerinfo[].last_block).", lastBlock);
        }
    }

    private static void WriteMempool(MetricSet m, MempoolInfo mempool)
    {
        m.Gauge("bitcoind_mempool_loaded", "Whether the mempool has been loaded from disk (getmempoolinfo.loaded).", mempool.Loaded ? 1 : 0);
        m.Gauge("bitcoind_mempool_transactions", "Transactions in the mempool (getmempoolinfo.size).", mempool.Size);
        m.Gauge("bitcoind_mempool_vsize_bytes", "Sum of the virtual sizes of the mempool's transactions (getmempoolinfo.bytes).", mempool.Bytes);
        m.Gauge("bitcoind_mempool_usage_bytes", "Memory the mempool uses (getmempoolinfo.usage).", mempool.Usage);
        m.Gauge("bitcoind_mempool_max_bytes", "Memory limit of the mempool, -maxmempool (getmempoolinfo.maxmempool).", mempool.MaxMempool);
        m.Gauge("bitcoind_mempool_min_fee_sat_per_vbyte", "Lowest fee rate a transaction needs to enter the mempool now (getmempoolinfo.mempoolminfee).", FeeRate(mempool.MempoolMinFee));
        m.Gauge("bitcoind_mempool_min_relay_fee_sat_per_vbyte", "Configured minimum relay fee rate, -minrelaytxfee (getmempoolinfo.minrelaytxfee).", FeeRate(mempool.MinRelayTxFee));
        if (mempool.IncrementalRelayFee is { } incremental)
        {
            m.Gauge("bitcoind_mempool_incremental_relay_fee_sat_per_vbyte", "Fee rate increment for replacements and mempool limiting (getmempoolinfo.incrementalrelayfee).", FeeRate(incremental));
        }

        if (mempool.TotalFee is { } totalFee)
        {
            m.Gauge("bitcoind_mempool_total_fee_sat", "Sum of the fees of the mempool's transactions, in satoshis (getmempoolinfo.total_fee).", (double)(totalFee * SatPerBtc));
        }

        if (mempool.UnbroadcastCount is { } unbroadcast)
        {
            m.Gauge("bitcoind_mempool_unbroadcast_transactions", "Own transactions not yet seen announced by any peer (getmempoolinfo.unbroadcastcount).", unbroadcast);
        }
    }

    private static void WriteFeeEstimates(MetricSet m, IReadOnlyDictionary<int, decimal> estimates)
    {
        if (estimates.Count == 0)
        {
            return;
        }

        var fees = m.Family("bitcoind_fee_estimate_sat_per_vbyte", "Fee rate estimated to confirm within target blocks (estimatesmartfee.feerate); absent while bitcoind has no estimate.", "target");
        foreach (var (target, rate) in estimates.OrderBy(e => e.Key))
        {
            fees.WithLabels(target.ToString(CultureInfo.InvariantCulture)).Set(FeeRate(rate));
        }
    }

    private static void WriteRpcInfo(MetricSet m, RpcInfo rpc)
    {
        // The batch runs its calls one after another, so the only command of ours in flight is getrpcinfo itself.
        var others = rpc.ActiveCommands.Where(c => c.Method != "getrpcinfo").ToList();
        m.Gauge("bitcoind_rpc_active_commands", "RPC commands being executed, not counting the scrape's own getrpcinfo (getrpcinfo.active_commands).", others.Count);
        m.Gauge("bitcoind_rpc_longest_command_seconds", "How long the longest-running of those commands has run (getrpcinfo.active_commands[].duration); 0 when none.",
            others.Count == 0 ? 0 : others.Max(c => c.DurationMicroseconds) / 1e6);
    }

    private static void WriteChainTips(MetricSet m, IReadOnlyList<ChainTip> tips)
    {
        m.Counts("bitcoind_chain_tips", "Chain tips known to the node by status; a new valid-fork tip means a reorganisation or a stale block (getchaintips[].status).", "status",
            BitcoindVocabulary.TipStatuses, tips.Select(t => t.Status));
    }

    private static void WriteIndexes(MetricSet m, IReadOnlyDictionary<string, IndexStatus> indexes)
    {
        var synced = m.Family("bitcoind_index_synced", "Whether the optional index has caught up with the chain (getindexinfo.<index>.synced).", "index");
        var height = m.Family("bitcoind_index_best_block_height", "Height up to which the optional index is built (getindexinfo.<index>.best_block_height).", "index");
        foreach (var (name, status) in indexes)
        {
            var index = LabelValue.Clip(name);
            synced.WithLabels(index).Set(status.Synced ? 1 : 0);
            height.WithLabels(index).Set(status.BestBlockHeight);
        }
    }

    private static void WriteLatestBlock(MetricSet m, BlockStats block)
    {
        m.Gauge("bitcoind_latest_block_height", "Height of the block that the bitcoind_latest_block_* series describe (getblockstats.height).", block.Height);
        m.Gauge("bitcoind_latest_block_transactions", "Transactions in that block, coinbase included (getblockstats.txs).", block.Transactions);
        m.Gauge("bitcoind_latest_block_size_bytes", "Serialized size of that block's transactions (getblockstats.total_size).", block.TotalSize);
        m.Gauge("bitcoind_latest_block_weight", "Weight of that block's transactions, in weight units (getblockstats.total_weight).", block.TotalWeight);
        m.Gauge("bitcoind_latest_block_fees_sat", "Fees paid by that block's transactions, in satoshis (getblockstats.totalfee).", block.TotalFee);
        m.Gauge("bitcoind_latest_block_subsidy_sat", "Block subsidy of that block, in satoshis (getblockstats.subsidy).", block.Subsidy);
        if (block.FeeRatePercentiles.Count == FeeRatePercentiles.Length)
        {
            var rates = m.Family("bitcoind_latest_block_fee_rate_sat_per_vbyte", "Fee rate percentiles of that block's transactions, weighted by size (getblockstats.feerate_percentiles).", "percentile");
            for (var i = 0; i < FeeRatePercentiles.Length; i++)
            {
                rates.WithLabels(FeeRatePercentiles[i]).Set(block.FeeRatePercentiles[i]);
            }
        }
    }

    private static double FeeRate(decimal btcPerKvb) => (double)(btcPerKvb * SatPerVbytePerBtcPerKvb);

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>getnetworkinfo.version is 10000*major + 100*minor + patch; before v22 the major was 0 and "minor" was shown first (0.21.1 is 210100).</summary>
    internal static string FormatVersion(int version)
    {
        var (a, b, c) = (version / 10000, version / 100 % 100, version % 100);
        return a < 22
            ? string.Create(CultureInfo.InvariantCulture, $"0.{a}.{b}")
            : string.Create(CultureInfo.InvariantCulture, $"{a}.{b}.{c}");
    }
}
