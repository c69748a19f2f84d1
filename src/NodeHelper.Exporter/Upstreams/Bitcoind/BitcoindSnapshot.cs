namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Everything one scrape learned from bitcoind. Every part is null when its call failed or answered a value that
/// is absurd for its field; <see cref="MethodProblems"/> then names the method with what was wrong.
/// </summary>
internal sealed record BitcoindSnapshot
{
    public BlockchainInfo? Chain { get; init; }

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

    /// <summary>The fee rate in BTC/kvB per confirmation target; a target without an estimate (or with an absurd one) is absent.</summary>
    public required IReadOnlyDictionary<int, decimal> FeeEstimates { get; init; }

    /// <summary>Stats of the newest block whose stats are known (see <see cref="BitcoindSnapshotSource"/>).</summary>
    public BlockStats? LatestBlockStats { get; init; }

    /// <summary>Every method of the batch, with null when all its calls succeeded, else the first problem.</summary>
    public required IReadOnlyDictionary<string, string?> MethodProblems { get; init; }

    public IEnumerable<string> FailedMethods => MethodProblems.Where(m => m.Value is not null).Select(m => m.Key);
}
