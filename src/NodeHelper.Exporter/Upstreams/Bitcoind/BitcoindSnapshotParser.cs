using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Turns a batch answer into a snapshot. Pure: the same answer gives the same snapshot. Each method is an item: a
/// call that failed, or whose answer has the wrong shape or a value absurd for its field (see each record's
/// <c>Problem</c>), leaves only its own part out. Only bitcoind starting up (-28) or unable to answer
/// getblockchaininfo at all fails the whole collector.
/// </summary>
internal static class BitcoindSnapshotParser
{
    /// <summary>Throws <see cref="BitcoindWarmingUpException"/> while bitcoind starts, <see cref="UpstreamException"/> when getblockchaininfo answered an error.</summary>
    public static BitcoindSnapshot Parse(BitcoindBatchPlan plan, BatchReply reply, out BlockStats? requestedBlockStats)
    {
        if (reply.ErrorOf(BitcoindBatchPlan.ChainInfo) is { } chainError)
        {
            throw chainError.Code == RpcError.InWarmup
                ? new BitcoindWarmingUpException(chainError.Message)
                : new UpstreamException(FailureReason.UpstreamError, $"getblockchaininfo failed: {chainError}");
        }

        var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
        T? Read<T>(int index, Func<T, string?> check)
            where T : class
        {
            var problem = reply.TryRead<T>(index, out var value, out var shape) ? check(value!) : shape;
            Record(problems, plan.Calls[index].Method, problem);
            return problem is null ? value : null;
        }

        var snapshot = new BitcoindSnapshot
        {
            Chain = Read<BlockchainInfo>(BitcoindBatchPlan.ChainInfo, c => c.Problem()),
            Network = Read<NetworkInfo>(BitcoindBatchPlan.NetworkInfo, n => n.Problem()),
            Mempool = Read<MempoolInfo>(BitcoindBatchPlan.MempoolInfo, m => m.Problem()),
            Peers = Read<IReadOnlyList<PeerInfo>>(BitcoindBatchPlan.PeerInfo, PeerInfo.Problem),
            NetTotals = Read<NetTotals>(BitcoindBatchPlan.NetTotals, t => t.Problem()),
            BannedCount = ReadBannedCount(plan, reply, problems),
            UptimeSeconds = ReadUptime(plan, reply, problems),
            RpcInfo = Read<RpcInfo>(BitcoindBatchPlan.RpcInfo, r => r.Problem()),
            ChainTips = Read<IReadOnlyList<ChainTip>>(BitcoindBatchPlan.ChainTips, ChainTip.Problem),
            Indexes = Read<IReadOnlyDictionary<string, IndexStatus>>(BitcoindBatchPlan.IndexInfo, IndexStatus.Problem),
            ChainTxStats = Read<ChainTxStats>(BitcoindBatchPlan.ChainTxStats, t => t.Problem()),
            Mining = Read<MiningInfo>(BitcoindBatchPlan.MiningInfo, m => m.Problem()),
            FeeEstimates = ReadFeeEstimates(plan, reply, problems),
            MethodProblems = problems,
        };

        requestedBlockStats = plan.BlockStatsHash is null ? null : Read<BlockStats>(plan.BlockStatsIndex, s => s.Problem());
        return snapshot;
    }

    /// <summary>uptime answers a bare number of seconds: a whole number, zero or more (not 16.5, not 2^70).</summary>
    private static long? ReadUptime(BitcoindBatchPlan plan, BatchReply reply, Dictionary<string, string?> problems)
    {
        long? seconds = null;
        var problem = reply.TryRead<JsonElement>(BitcoindBatchPlan.Uptime, out var number, out var failed) ? null : failed;
        if (problem is null)
        {
            var value = 0L;
            problem = number.ValueKind != JsonValueKind.Number ? $"the result is a JSON {number.ValueKind}, not a Number"
                : number.TryGetInt64(out value) ? FieldCheck.NotNegative(value, "uptime")
                : $"uptime is {UpstreamException.Clip(number.GetRawText(), 40)}, not a whole number of seconds";
            seconds = problem is null ? value : null;
        }

        Record(problems, plan.Calls[BitcoindBatchPlan.Uptime].Method, problem);
        return seconds;
    }

    /// <summary>listbanned answers an array; its length is all that is read (<see cref="ResultReaders.ArrayLength"/>).</summary>
    private static int? ReadBannedCount(BitcoindBatchPlan plan, BatchReply reply, Dictionary<string, string?> problems)
    {
        var read = reply.TryRead<int>(BitcoindBatchPlan.ListBanned, out var count, out var problem);
        Record(problems, plan.Calls[BitcoindBatchPlan.ListBanned].Method, problem);
        return read ? count : null;
    }

    private static Dictionary<int, decimal> ReadFeeEstimates(BitcoindBatchPlan plan, BatchReply reply, Dictionary<string, string?> problems)
    {
        var estimates = new Dictionary<int, decimal>();
        for (var i = 0; i < plan.FeeTargets.Count; i++)
        {
            var problem = reply.TryRead<FeeEstimate>(BitcoindBatchPlan.FeeEstimateIndex(i), out var estimate, out var shape)
                ? estimate!.Problem()
                : shape;
            Record(problems, "estimatesmartfee", problem);

            // Without enough history bitcoind answers {"errors":[...],"blocks":n} with no feerate: no series, not a 0.
            if (problem is null && estimate!.FeeRate is { } rate && rate > 0)
            {
                estimates[plan.FeeTargets[i]] = rate;
            }
        }

        return estimates;
    }

    /// <summary>A method is fine only when every call of it was; the first problem is kept.</summary>
    private static void Record(Dictionary<string, string?> problems, string method, string? problem)
    {
        if (!problems.TryGetValue(method, out var earlier) || earlier is null)
        {
            problems[method] = problem;
        }
    }
}
