namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// A mainnet mempool of <see cref="MainnetProfile.MempoolTransactions"/> transactions, generated once (a fixed seed,
/// so equal profiles give equal mempools), and every view of it the simulators serve: bitcoind's getmempoolinfo and
/// fee estimates, the Electrum server's fee histogram, the mempool backend's count, vsize, total fee, projected
/// blocks and recommended fees. All of them are computed from the same transactions, so they agree.
/// </summary>
public sealed class MainnetMempool
{
    /// <summary>A projected block holds at most this much (4,000,000 weight units).</summary>
    public const long BlockVsizeBytes = 1_000_000;

    /// <summary>The mempool backend projects this many blocks; the last holds the rest of the mempool.</summary>
    public const int ProjectedBlockCount = 8;

    /// <summary>Bitcoin Core's default -minrelaytxfee since v29.1 (0.1 sat/vB), as the capture reports it.</summary>
    public const double MinRelayFeeRate = 0.1;

    // One entry per transaction, best fee rate first (the order blocks are built in).
    private readonly int[] _vsizes;
    private readonly int[] _sizes;
    private readonly long[] _fees;

    public MainnetMempool(MainnetProfile profile)
    {
        var count = profile.MempoolTransactions;
        UsageBytes = profile.MempoolUsageBytes;
        MaxBytes = profile.MaxMempoolBytes;
        // A mempool within 1 % of its limit is trimming its cheapest transactions: its minimum fee rises above the
        // relay minimum, to just over the best rate it evicted, and every transaction left pays at least that.
        Full = UsageBytes >= MaxBytes * 0.99;
        MinFeeRate = Full ? 1.51 : MinRelayFeeRate;
        var floor = Full ? MinFeeRate : 1.0;

        var random = new Random(14_000 + count);
        var transactions = new (int Vsize, int Size, long Fee, double Rate)[count];
        for (var i = 0; i < count; i++)
        {
            var vsize = TransactionVsize(random);
            // Segwit spends carry their witness at a discount: serialized size is 1.1 to 1.9 times the virtual size;
            // one transaction in twenty is legacy (size equals vsize).
            var size = random.NextDouble() < 0.05 ? vsize : (int)(vsize * (1.1 + (0.8 * random.NextDouble())));
            // Fee rates above the floor, falling off exponentially (a median near 1.4x the floor, the best 1 % near 10x),
            // and one transaction in 200 overpaying, 20 to 200 times the floor: a next block near 20 sat/vB, as on a
            // congested day, over a backlog at 1.5 to 3.
            var rate = random.NextDouble() < 0.005
                ? floor * (20 + (180 * random.NextDouble()))
                : floor * Math.Exp(-0.45 * Math.Log(1 - random.NextDouble()));
            var fee = (long)Math.Ceiling(rate * vsize);
            transactions[i] = (vsize, size, fee, (double)fee / vsize);
        }

        Array.Sort(transactions, (a, b) => b.Rate.CompareTo(a.Rate));
        _vsizes = [.. transactions.Select(t => t.Vsize)];
        _sizes = [.. transactions.Select(t => t.Size)];
        _fees = [.. transactions.Select(t => t.Fee)];
        VsizeBytes = _vsizes.Sum(v => (long)v);
        TotalFeeSat = _fees.Sum();
        ProjectedBlocks = Project();
        FeeHistogram = Histogram();
    }

    public int Transactions => _vsizes.Length;

    /// <summary>Sum of the transactions' virtual sizes (getmempoolinfo.bytes, the backend's mempool.vsize).</summary>
    public long VsizeBytes { get; }

    /// <summary>getmempoolinfo.usage.</summary>
    public long UsageBytes { get; }

    /// <summary>getmempoolinfo.maxmempool.</summary>
    public long MaxBytes { get; }

    /// <summary>Whether the mempool is at its limit (and its minimum fee above the relay minimum).</summary>
    public bool Full { get; }

    /// <summary>getmempoolinfo.mempoolminfee, in sat/vB.</summary>
    public double MinFeeRate { get; }

    /// <summary>Sum of the transactions' fees, in satoshis (getmempoolinfo.total_fee in BTC, the backend's total_fee).</summary>
    public long TotalFeeSat { get; }

    public IReadOnlyList<ProjectedBlock> ProjectedBlocks { get; }

    /// <summary>
    /// The Electrum server's mempool.get_fee_histogram, [fee rate, vsize] best rate first: the vsize paying at least
    /// that rate and less than the previous entry's, in bins that start at 30,000 vB and grow 10 % each (ElectrumX's
    /// and Fulcrum's way). The last bin holds what is left, so the vsizes add up to <see cref="VsizeBytes"/>.
    /// </summary>
    public IReadOnlyList<(double FeeRate, long Vsize)> FeeHistogram { get; }

    /// <summary>The fee rate (sat/vB) that gets a transaction into the next <paramref name="blocks"/> blocks of this mempool.</summary>
    public double FeeRateWithin(int blocks)
    {
        var room = blocks * BlockVsizeBytes;
        long filled = 0;
        for (var i = 0; i < _vsizes.Length; i++)
        {
            filled += _vsizes[i];
            if (filled >= room)
            {
                return Math.Round(Rate(i) + 0.01, 2);
            }
        }

        return MinFeeRate;
    }

    /// <summary>fees/recommended, as the backend derives it from its projected blocks (sat/vB).</summary>
    public (double Fastest, double HalfHour, double Hour, double Economy, double Minimum) RecommendedFees()
    {
        double Median(int block) => ProjectedBlocks.Count > block ? ProjectedBlocks[block].MedianFeeRate : MinFeeRate;
        var minimum = Math.Round(Math.Max(MinFeeRate, 1), 2);
        var hour = Math.Max(Math.Round(Median(2), 2), minimum);
        var halfHour = Math.Max(Math.Round(Median(1), 2), hour);
        var fastest = Math.Max(Math.Round(Median(0), 2), halfHour);
        return (fastest, halfHour, hour, Math.Min(Math.Round(2 * minimum, 2), hour), minimum);
    }

    private double Rate(int i) => (double)_fees[i] / _vsizes[i];

    /// <summary>Virtual sizes as on mainnet: most are one- or two-input spends, a few are consolidations or inscriptions.</summary>
    private static int TransactionVsize(Random random) =>
        random.NextDouble() switch
        {
            < 0.62 => random.Next(110, 231),
            < 0.87 => random.Next(231, 601),
            < 0.98 => random.Next(601, 3001),
            _ => random.Next(3001, 20_001),
        };

    private List<ProjectedBlock> Project()
    {
        var blocks = new List<ProjectedBlock>();
        var start = 0;
        while (start < _vsizes.Length)
        {
            var last = blocks.Count == ProjectedBlockCount - 1;
            var end = start;
            long vsize = 0;
            while (end < _vsizes.Length && (last || vsize + _vsizes[end] <= BlockVsizeBytes))
            {
                vsize += _vsizes[end++];
            }

            end = Math.Max(end, start + 1);
            var rates = Enumerable.Range(start, end - start).Select(Rate).Order().ToArray();
            double At(double p) => Math.Round(rates[(int)Math.Min(rates.Length - 1, Math.Floor(p * rates.Length))], 2);
            blocks.Add(new ProjectedBlock(
                _sizes.AsSpan(start, end - start).ToArray().Sum(s => (long)s),
                _vsizes.AsSpan(start, end - start).ToArray().Sum(v => (long)v),
                end - start,
                _fees.AsSpan(start, end - start).ToArray().Sum(),
                At(0.5),
                [Math.Round(rates[0], 2), At(0.10), At(0.25), At(0.5), At(0.75), At(0.90), Math.Round(rates[^1], 2)]));
            start = end;
        }

        return blocks;
    }

    private List<(double, long)> Histogram()
    {
        var bins = new List<(double, long)>();
        double binSize = 30_000;
        long cumulative = 0;
        for (var i = 0; i < _vsizes.Length; i++)
        {
            cumulative += _vsizes[i];
            if (cumulative > binSize)
            {
                bins.Add((Math.Round(Rate(i), 3), cumulative));
                cumulative = 0;
                binSize *= 1.1;
            }
        }

        if (cumulative > 0)
        {
            bins.Add((Math.Round(Rate(_vsizes.Length - 1), 3), cumulative));
        }

        return bins;
    }
}
