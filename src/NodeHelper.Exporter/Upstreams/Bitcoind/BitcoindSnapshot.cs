using System.Text.Json;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Everything one scrape learned from bitcoind. getblockchaininfo is essential: without it there is no snapshot.
/// Every other part is null when its call failed, and the method is then listed in <see cref="FailedMethods"/>.
/// </summary>
internal sealed record BitcoindSnapshot
{
    public required BlockchainInfo Chain { get; init; }

    public NetworkInfo? Network { get; init; }

    public MempoolInfo? Mempool { get; init; }

    public IReadOnlyList<PeerInfo>? Peers { get; init; }

    public NetTotals? NetTotals { get; init; }

    public int? BannedCount { get; init; }

    public long? UptimeSeconds { get; init; }

    public RpcInfo? RpcInfo { get; init; }

    public IReadOnlyList<ChainTip>? ChainTips { get; init; }

    public IReadOnlyDictionary<string, IndexStatus>? Indexes { get; init; }

    public ChainTxStats? ChainTxStats { get; init; }

    public MiningInfo? Mining { get; init; }

    /// <summary>The fee rate in BTC/kvB per confirmation target; a target without an estimate is absent.</summary>
    public required IReadOnlyDictionary<int, decimal> FeeEstimates { get; init; }

    /// <summary>Stats of the newest block whose stats are known (see <see cref="BitcoindSnapshotSource"/>).</summary>
    public BlockStats? LatestBlockStats { get; init; }

    /// <summary>Every method of the batch, with whether all of its calls succeeded.</summary>
    public required IReadOnlyDictionary<string, bool> MethodSucceeded { get; init; }

    public IEnumerable<string> FailedMethods => MethodSucceeded.Where(m => !m.Value).Select(m => m.Key);
}

/// <summary>The calls of one scrape's batch, in order; their positions are their JSON-RPC ids.</summary>
internal sealed class BitcoindBatchPlan
{
    // Fixed positions of the calls every batch carries.
    public const int ChainInfo = 0;
    public const int NetworkInfo = 1;
    public const int MempoolInfo = 2;
    public const int PeerInfo = 3;
    public const int NetTotals = 4;
    public const int ListBanned = 5;
    public const int Uptime = 6;
    public const int RpcInfo = 7;
    public const int ChainTips = 8;
    public const int IndexInfo = 9;
    public const int ChainTxStats = 10;
    public const int MiningInfo = 11;
    private const int FirstFeeEstimate = 12;

    private static readonly RpcCall[] FixedCalls =
    [
        new("getblockchaininfo"), new("getnetworkinfo"), new("getmempoolinfo"), new("getpeerinfo"),
        new("getnettotals"), new("listbanned"), new("uptime"), new("getrpcinfo"), new("getchaintips"),
        new("getindexinfo"), new("getchaintxstats"), new("getmininginfo"),
    ];

    public BitcoindBatchPlan(IReadOnlyList<int> feeTargets, string? blockStatsHash)
    {
        FeeTargets = feeTargets;
        BlockStatsHash = blockStatsHash;
        var calls = new List<RpcCall>(FixedCalls.Length + feeTargets.Count + 1);
        calls.AddRange(FixedCalls);
        calls.AddRange(feeTargets.Select(t => new RpcCall("estimatesmartfee", IntArgument: t)));
        if (blockStatsHash is not null)
        {
            calls.Add(new RpcCall("getblockstats", StringArgument: blockStatsHash));
        }

        Calls = calls;
    }

    public IReadOnlyList<RpcCall> Calls { get; }

    public IReadOnlyList<int> FeeTargets { get; }

    /// <summary>The block whose stats this batch asks for, if any.</summary>
    public string? BlockStatsHash { get; }

    public static int FeeEstimateIndex(int targetPosition) => FirstFeeEstimate + targetPosition;

    public int BlockStatsIndex => FirstFeeEstimate + FeeTargets.Count;
}

/// <summary>Turns a batch answer into a snapshot. Pure: the same answer gives the same snapshot.</summary>
internal static class BitcoindSnapshotParser
{
    private static readonly BitcoindJsonContext Json = BitcoindJsonContext.Default;

    /// <summary>Throws <see cref="BitcoindWarmingUpException"/> while bitcoind starts, <see cref="UpstreamException"/> when getblockchaininfo failed.</summary>
    public static BitcoindSnapshot Parse(BitcoindBatchPlan plan, BatchReply reply, out BlockStats? requestedBlockStats)
    {
        if (reply.ErrorOf(BitcoindBatchPlan.ChainInfo) is { Code: RpcError.InWarmup } warmup)
        {
            throw new BitcoindWarmingUpException(warmup.Message);
        }

        if (!reply.TryRead(BitcoindBatchPlan.ChainInfo, Json.BlockchainInfo, out var chain, out var problem))
        {
            throw new UpstreamException($"getblockchaininfo failed: {problem}");
        }

        var succeeded = new Dictionary<string, bool>(StringComparer.Ordinal);
        T? Read<T>(int index, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
            where T : class
        {
            var ok = reply.TryRead(index, type, out var value, out _);
            Record(succeeded, plan.Calls[index].Method, ok);
            return ok ? value : null;
        }

        JsonElement? Raw(int index, JsonValueKind kind)
        {
            var element = reply.RawResult(index);
            var ok = element?.ValueKind == kind;
            Record(succeeded, plan.Calls[index].Method, ok);
            return ok ? element : null;
        }

        Record(succeeded, "getblockchaininfo", true);
        var snapshot = new BitcoindSnapshot
        {
            Chain = chain!,
            Network = Read(BitcoindBatchPlan.NetworkInfo, Json.NetworkInfo),
            Mempool = Read(BitcoindBatchPlan.MempoolInfo, Json.MempoolInfo),
            Peers = Read(BitcoindBatchPlan.PeerInfo, Json.IReadOnlyListPeerInfo),
            NetTotals = Read(BitcoindBatchPlan.NetTotals, Json.NetTotals),
            BannedCount = Raw(BitcoindBatchPlan.ListBanned, JsonValueKind.Array)?.GetArrayLength(),
            UptimeSeconds = Raw(BitcoindBatchPlan.Uptime, JsonValueKind.Number) is { } up && up.TryGetInt64(out var seconds) ? seconds : null,
            RpcInfo = Read(BitcoindBatchPlan.RpcInfo, Json.RpcInfo),
            ChainTips = Read(BitcoindBatchPlan.ChainTips, Json.IReadOnlyListChainTip),
            Indexes = Read(BitcoindBatchPlan.IndexInfo, Json.IReadOnlyDictionaryStringIndexStatus),
            ChainTxStats = Read(BitcoindBatchPlan.ChainTxStats, Json.ChainTxStats),
            Mining = Read(BitcoindBatchPlan.MiningInfo, Json.MiningInfo),
            FeeEstimates = ReadFeeEstimates(plan, reply, succeeded),
            MethodSucceeded = succeeded,
        };

        requestedBlockStats = null;
        if (plan.BlockStatsHash is not null)
        {
            requestedBlockStats = Read(plan.BlockStatsIndex, Json.BlockStats);
        }

        return snapshot;
    }

    private static Dictionary<int, decimal> ReadFeeEstimates(BitcoindBatchPlan plan, BatchReply reply, Dictionary<string, bool> succeeded)
    {
        var estimates = new Dictionary<int, decimal>();
        for (var i = 0; i < plan.FeeTargets.Count; i++)
        {
            var ok = reply.TryRead(BitcoindBatchPlan.FeeEstimateIndex(i), Json.FeeEstimate, out var estimate, out _);
            Record(succeeded, "estimatesmartfee", ok);

            // Without enough history bitcoind answers {"errors":[...],"blocks":n} with no feerate: no series, not a 0.
            if (ok && estimate!.FeeRate is { } rate && rate > 0)
            {
                estimates[plan.FeeTargets[i]] = rate;
            }
        }

        return estimates;
    }

    private static void Record(Dictionary<string, bool> succeeded, string method, bool ok) =>
        succeeded[method] = ok && succeeded.GetValueOrDefault(method, true);
}

/// <summary>
/// Fetches snapshots, one batch each, and keeps the stats of the newest block: they are asked for once per block,
/// in the batch after the one that first saw the block, so every scrape stays one HTTP request.
/// Not thread-safe by design: the collector's single flight lets only one fetch run at a time.
/// </summary>
internal sealed class BitcoindSnapshotSource(BitcoindRpcClient client, BitcoindOptions options)
{
    private string? _bestBlockHash;
    private string? _statsAskedFor;
    private BlockStats? _latestBlockStats;

    public async Task<BitcoindSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        var askForStats = _bestBlockHash is not null && _bestBlockHash != _statsAskedFor ? _bestBlockHash : null;
        var plan = new BitcoindBatchPlan(options.FeeTargets, askForStats);
        using var reply = await client.CallBatchAsync(plan.Calls, cancellationToken);
        var snapshot = BitcoindSnapshotParser.Parse(plan, reply, out var stats);

        if (askForStats is not null)
        {
            // Asked once per block: a block whose stats failed (pruned away, reorged out) is not asked for again.
            _statsAskedFor = askForStats;
            if (stats is not null)
            {
                _latestBlockStats = stats;
            }
        }

        _bestBlockHash = snapshot.Chain.BestBlockHash;
        return snapshot with { LatestBlockStats = _latestBlockStats };
    }
}
