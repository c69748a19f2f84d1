using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// The latest block of a mainnet node: <see cref="MainnetProfile.BlockTransactions"/> transactions weighing
/// <see cref="MainnetProfile.BlockWeight"/> with the coinbase, generated once, and its getblockstats answer computed
/// from them the way Bitcoin Core computes it: sizes, weights and fees of the non-coinbase transactions, fee rates in
/// whole sat/vB, feerate_percentiles weighted by weight.
/// </summary>
public sealed class MainnetBlock
{
    /// <summary>A coinbase with a witness commitment and a couple of outputs weighs about this much.</summary>
    public const int CoinbaseWeight = 900;

    public MainnetBlock(MainnetProfile profile)
    {
        var random = new Random(24_000 + profile.BlockTransactions);
        var count = profile.BlockTransactions - 1;
        Height = profile.Height;
        Subsidy = 50_0000_0000L >> (int)Math.Min(63, profile.Height / 210_000);

        // Weights drawn as mainnet's mix, then scaled so the block weighs exactly what the profile says.
        var drawn = new double[count];
        for (var i = 0; i < count; i++)
        {
            drawn[i] = random.NextDouble() switch
            {
                < 0.70 => random.Next(440, 900),
                < 0.93 => random.Next(900, 2400),
                < 0.995 => random.Next(2400, 12_000),
                _ => random.Next(12_000, 80_000),
            };
        }

        var target = profile.BlockWeight - CoinbaseWeight;
        var scale = count == 0 ? 0 : target / drawn.Sum();
        var weights = drawn.Select(w => Math.Max(400, (int)(w * scale))).ToArray();
        if (count > 0)
        {
            // What the rounding and the 400 WU floor left over goes to the biggest transaction, which has room for it.
            var biggest = Array.IndexOf(weights, weights.Max());
            weights[biggest] = Math.Max(400, weights[biggest] + (int)(target - weights.Sum(w => (long)w)));
        }

        var sizes = new int[count];
        var fees = new long[count];
        var rates = new long[count];
        var segwit = new bool[count];
        long inputs = 0, outputs = 2, totalOut = 0;
        for (var i = 0; i < count; i++)
        {
            var vsize = (weights[i] + 3) / 4;
            segwit[i] = random.NextDouble() >= 0.06;
            // A segwit transaction's serialized size is between its vsize (no witness) and its weight (all witness).
            sizes[i] = segwit[i] ? Math.Min(weights[i], (int)(vsize * (1.1 + (0.8 * random.NextDouble())))) : vsize;
            var rate = 1.5 * Math.Exp(-0.8 * Math.Log(1 - random.NextDouble()));
            fees[i] = (long)Math.Ceiling(Math.Min(rate, 400) * vsize);
            // As getblockstats: CAmount fee rate = fee * 4 / weight, in whole sat/vB.
            rates[i] = fees[i] * 4 / weights[i];
            inputs += 1 + (weights[i] / 1100);
            outputs += 2 + (weights[i] / 4000);
            totalOut += random.NextInt64(10_000, 50_000_000);
        }

        Transactions = profile.BlockTransactions;
        TotalWeight = weights.Sum(w => (long)w);
        TotalSize = sizes.Sum(s => (long)s);
        TotalFee = fees.Sum();
        FeeRatePercentiles = WeightedPercentiles(rates, weights);
        Stats = new JsonObject
        {
            ["avgfee"] = count == 0 ? 0 : TotalFee / count,
            ["avgfeerate"] = TotalWeight == 0 ? 0 : TotalFee * 4 / TotalWeight,
            ["avgtxsize"] = count == 0 ? 0 : TotalSize / count,
            ["feerate_percentiles"] = new JsonArray([.. FeeRatePercentiles.Select(p => (JsonNode)p)]),
            ["ins"] = inputs,
            ["maxfee"] = count == 0 ? 0 : fees.Max(),
            ["maxfeerate"] = count == 0 ? 0 : rates.Max(),
            ["maxtxsize"] = count == 0 ? 0 : sizes.Max(),
            ["medianfee"] = Median(fees),
            ["mediantime"] = profile.TipTime - 3000,
            ["mediantxsize"] = Median([.. sizes.Select(s => (long)s)]),
            ["minfee"] = count == 0 ? 0 : fees.Min(),
            ["minfeerate"] = count == 0 ? 0 : rates.Min(),
            ["mintxsize"] = count == 0 ? 0 : sizes.Min(),
            ["outs"] = outputs,
            ["subsidy"] = Subsidy,
            ["swtotal_size"] = Enumerable.Range(0, count).Where(i => segwit[i]).Sum(i => (long)sizes[i]),
            ["swtotal_weight"] = Enumerable.Range(0, count).Where(i => segwit[i]).Sum(i => (long)weights[i]),
            ["swtxs"] = segwit.Count(s => s),
            ["time"] = profile.TipTime,
            ["total_out"] = totalOut,
            ["total_size"] = TotalSize,
            ["total_weight"] = TotalWeight,
            ["totalfee"] = TotalFee,
            ["txs"] = Transactions,
            ["utxo_increase"] = outputs - inputs,
            ["utxo_size_inc"] = (outputs - inputs) * 73,
            ["utxo_increase_actual"] = outputs - inputs - 3,
            ["utxo_size_inc_actual"] = ((outputs - inputs - 3) * 73) - 120,
        };
    }

    public long Height { get; }

    /// <summary>getblockstats.txs: the coinbase included.</summary>
    public int Transactions { get; }

    /// <summary>getblockstats.total_weight: the non-coinbase transactions' (the block weighs <see cref="CoinbaseWeight"/> more).</summary>
    public long TotalWeight { get; }

    public long TotalSize { get; }

    public long TotalFee { get; }

    public long Subsidy { get; }

    /// <summary>10th, 25th, 50th, 75th and 90th percentiles of the fee rate, weighted by weight, sat/vB.</summary>
    public IReadOnlyList<long> FeeRatePercentiles { get; }

    /// <summary>The getblockstats fields but height and blockhash, which the simulator writes itself.</summary>
    public JsonObject Stats { get; }

    /// <summary>As Bitcoin Core: sorted by fee rate, the rate at which the running weight passes each share of the total.</summary>
    private static long[] WeightedPercentiles(long[] rates, int[] weights)
    {
        if (rates.Length == 0)
        {
            return [0, 0, 0, 0, 0];
        }

        var order = Enumerable.Range(0, rates.Length).OrderBy(i => rates[i]).ToArray();
        var total = weights.Sum(w => (long)w);
        double[] shares = [0.10, 0.25, 0.50, 0.75, 0.90];
        var result = new long[shares.Length];
        long running = 0;
        var next = 0;
        foreach (var i in order)
        {
            running += weights[i];
            while (next < shares.Length && running >= total * shares[next])
            {
                result[next++] = rates[i];
            }
        }

        return result;
    }

    private static long Median(long[] values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
