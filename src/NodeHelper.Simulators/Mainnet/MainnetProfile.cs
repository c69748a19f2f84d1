namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// The size of a mainnet node that has run for years: what the simulators serve instead of the small regtest capture
/// when given one. The defaults are a busy public node with the default limits: 125 connection slots, a full
/// 300 MB mempool, 4 MB blocks and the chain tips years of stale blocks leave. Equal profiles give equal nodes
/// (everything is generated from them deterministically), so the bitcoind, Electrum and mempool simulators of one
/// profile agree with each other without talking.
/// </summary>
public sealed record MainnetProfile
{
    /// <summary>Connected peers: 10 outbound full-relay and 2 block-relay-only (fewer below 12), the rest inbound.</summary>
    public int Peers { get; init; } = 125;

    /// <summary>Transactions in the mempool (getmempoolinfo.size).</summary>
    public int MempoolTransactions { get; init; } = 150_000;

    /// <summary>
    /// Memory the mempool uses (getmempoolinfo.usage), at most <see cref="MaxMempoolBytes"/>. By default just under
    /// it: a full mempool, trimming its cheapest transactions, so its minimum fee is above the relay minimum.
    /// </summary>
    public long MempoolUsageBytes { get; init; } = 299_600_000;

    /// <summary>-maxmempool (getmempoolinfo.maxmempool): 300 MB, Bitcoin Core's default.</summary>
    public long MaxMempoolBytes { get; init; } = 300_000_000;

    /// <summary>Chain tips, the active one included (getchaintips).</summary>
    public int ChainTips { get; init; } = 400;

    /// <summary>Weight of the latest block, coinbase included: 4 MB blocks end just under the 4,000,000 limit.</summary>
    public long BlockWeight { get; init; } = 3_993_000;

    /// <summary>Transactions in the latest block, coinbase included (getblockstats.txs).</summary>
    public int BlockTransactions { get; init; } = 3_500;

    /// <summary>Height of the best block.</summary>
    public long Height { get; init; } = 925_000;

    /// <summary>Timestamp of the best block, Unix seconds (2025-11-23).</summary>
    public long TipTime { get; init; } = 1_763_900_000;

    /// <summary>Throws when the profile cannot be a node: a mempool over its limit, no active tip, a block over 4 MWU.</summary>
    public void Validate()
    {
        Check(Peers is >= 0 and <= 100_000, "Peers must be 0 to 100,000");
        Check(MempoolTransactions >= 0, "MempoolTransactions must be zero or more");
        Check(MaxMempoolBytes > 0 && MempoolUsageBytes >= 0 && MempoolUsageBytes <= MaxMempoolBytes, "MempoolUsageBytes must be 0 to MaxMempoolBytes");
        Check(ChainTips >= 1, "ChainTips counts the active tip: at least 1");
        Check(BlockTransactions >= 1 && BlockWeight <= 4_000_000 && BlockWeight >= 500L * BlockTransactions, "a block holds 1 or more transactions, at least 500 WU each, and weighs at most 4,000,000 WU");
        Check(Height >= 1000, "Height must be at least 1,000");
    }

    private static void Check(bool valid, string rule)
    {
        if (!valid)
        {
            throw new ArgumentException($"mainnet profile: {rule}.");
        }
    }
}
