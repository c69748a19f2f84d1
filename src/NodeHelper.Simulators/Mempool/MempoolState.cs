using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NodeHelper.Simulators.Mainnet;

namespace NodeHelper.Simulators.Mempool;

/// <summary>What the simulated backend reports; starts as the capture (in sync, tip 150).</summary>
public sealed class MempoolState
{
    public MempoolFault Fault { get; set; }

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>While false the backend answers as captured during its start: fees/recommended 503, init-data with a loading indicator.</summary>
    public bool Synced { get; set; } = true;

    public long TipHeight { get; set; } = 150;

    public string Version { get; set; } = "?";

    /// <summary>fees/recommended: fastest, half hour, hour, economy, minimum (sat/vB).</summary>
    public (double Fastest, double HalfHour, double Hour, double Economy, double Minimum) Fees { get; set; } = (1, 1, 1, 1, 1);

    public long MempoolCount { get; set; } = 5;

    public long MempoolVsize { get; set; } = 906;

    public long MempoolTotalFee { get; set; } = 11788;

    /// <summary>Endpoints (as "init-data", "mempool") that answer HTTP 500 while the others answer.</summary>
    public HashSet<string> FailingEndpoints { get; } = [];

    /// <summary>init-data's loadingIndicators, percent; the capture's when null.</summary>
    public Dictionary<string, double>? LoadingIndicators { get; set; }

    /// <summary>The mainnet node behind the backend, when <see cref="UseMainnet"/> made it one.</summary>
    public MainnetNode? Mainnet { get; private set; }

    /// <summary>Serves a mainnet node of <paramref name="profile"/>'s size: the same tip and mempool as that bitcoind's.</summary>
    public void UseMainnet(MainnetProfile profile)
    {
        var node = MainnetNode.For(profile);
        Mainnet = node;
        TipHeight = profile.Height;
        MempoolCount = node.Mempool.Transactions;
        MempoolVsize = node.Mempool.VsizeBytes;
        MempoolTotalFee = node.Mempool.TotalFeeSat;
        Fees = node.Mempool.RecommendedFees();
        Version = "3.2.1";
    }
}
