namespace NodeHelper.Exporter.Upstreams.Bitcoind;

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

    private static readonly BitcoindJsonContext Json = BitcoindJsonContext.Default;

    // How each fixed call's result is read, in the order of FixedCalls.
    private static readonly ResultReader[] FixedReaders =
    [
        ResultReaders.Of(Json.BlockchainInfo), ResultReaders.Of(Json.NetworkInfo), ResultReaders.Of(Json.MempoolInfo),
        PeerListReader.Reader, ResultReaders.Of(Json.NetTotals), ResultReaders.ArrayLength,
        ResultReaders.Number, ResultReaders.Of(Json.RpcInfo), ChainTipListReader.Reader,
        ResultReaders.Of(Json.IReadOnlyDictionaryStringIndexStatus), ResultReaders.Of(Json.ChainTxStats), ResultReaders.Of(Json.MiningInfo),
    ];

    private static readonly ResultReader FeeEstimateReader = ResultReaders.Of(Json.FeeEstimate);
    private static readonly ResultReader BlockStatsReader = ResultReaders.Of(Json.BlockStats);

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
        var readers = new List<ResultReader>(calls.Count);
        readers.AddRange(FixedReaders);
        readers.AddRange(feeTargets.Select(_ => FeeEstimateReader));
        if (blockStatsHash is not null)
        {
            readers.Add(BlockStatsReader);
        }

        Readers = readers;
    }

    public IReadOnlyList<RpcCall> Calls { get; }

    /// <summary>How each call's result is read out of the answer, by position: the same length as <see cref="Calls"/>.</summary>
    public IReadOnlyList<ResultReader> Readers { get; }

    public IReadOnlyList<int> FeeTargets { get; }

    /// <summary>The block whose stats this batch asks for, if any.</summary>
    public string? BlockStatsHash { get; }

    public static int FeeEstimateIndex(int targetPosition) => FirstFeeEstimate + targetPosition;

    public int BlockStatsIndex => FirstFeeEstimate + FeeTargets.Count;
}
