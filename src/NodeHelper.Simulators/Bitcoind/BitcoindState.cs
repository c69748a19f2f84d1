using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>
/// What the simulated node reports. Starts as the capture (regtest, height 150, two peers, ten mempool
/// transactions); tests and the demo change it. Reads and writes are cheap and not synchronised: set state, then ask.
/// </summary>
public sealed class BitcoindState
{
    /// <summary>Height and timestamp of the captured best block.</summary>
    public const long CapturedHeight = 150;

    public const long CapturedBlockTime = 1795470302;

    public BitcoindFault Fault { get; set; }

    /// <summary>What -28 says: bitcoind's start-up goes "Loading banlist…", "Loading block index…", "Verifying blocks…".</summary>
    public string WarmupMessage { get; set; } = "Loading block index…";

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get; set; }

    public string Chain { get; set; } = "regtest";

    public long Blocks { get; set; } = CapturedHeight;

    public long Headers { get; set; } = CapturedHeight;

    public long BestBlockTime { get; set; } = CapturedBlockTime;

    public bool InitialBlockDownload { get; set; }

    public double VerificationProgress { get; set; } = 1;

    public bool Pruned { get; set; }

    /// <summary>Warnings in getblockchaininfo/getnetworkinfo; the capture's pre-release build warns once.</summary>
    public IReadOnlyList<string> Warnings { get; set; } =
        ["This is a pre-release test build - use at your own risk - do not use for mining or merchant applications"];

    public List<SimulatedPeer> Peers { get; } =
    [
        new("not_publicly_routable", "inbound", "v2", 0.000695786, 0),
        new("not_publicly_routable", "manual", "v2", 0.002427667, 0),
    ];

    public long MempoolTransactions { get; set; } = 10;

    public long MempoolVsizeBytes { get; set; } = 1410;

    public long MempoolUsageBytes { get; set; } = 12256;

    /// <summary>Sum of the mempool's fees, in BTC.</summary>
    public decimal MempoolTotalFeeBtc { get; set; } = 0.00035673m;

    public decimal MempoolMinFeeBtcPerKvb { get; set; } = 0.00000100m;

    /// <summary>estimatesmartfee answers per confirmation target, in BTC/kvB; other targets answer "Insufficient data".</summary>
    public Dictionary<int, decimal> FeeRates { get; } = new() { [2] = 0.00001000m, [6] = 0.00001000m, [144] = 0.00001000m };

    public long UptimeSeconds { get; set; } = 16;

    public long BytesReceived { get; set; } = 17379;

    public long BytesSent { get; set; } = 170896;

    /// <summary>Tips besides the active one, as (status, branch length): a valid-fork tip is what a reorg leaves.</summary>
    public List<(string Status, int BranchLength)> OtherChainTips { get; } = [];

    /// <summary>When false, the indexes report synced=false and lag ten blocks behind.</summary>
    public bool IndexesSynced { get; set; } = true;

    /// <summary>
    /// Rewrites of a method's result, applied last: unusual or hostile values in well-formed JSON (a fee rate of 7e28,
    /// an uptime of 2^70 or 16.5, a network listed twice, a negative height), where transport faults are <see cref="Fault"/>.
    /// </summary>
    public Dictionary<string, Func<JsonNode?, JsonNode?>> Rewrites { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Replaces the peers by <paramref name="count"/> generated ones: every third inbound, every fourth a
    /// block-relay-only outbound (as Bitcoin Core keeps two of those), networks in turn, even ones on v2 transport.
    /// </summary>
    public void SetPeerCount(int count)
    {
        string[] networks = ["ipv4", "onion", "ipv6", "i2p"];
        Peers.Clear();
        for (var i = 0; i < count; i++)
        {
            var inbound = i % 3 == 2;
            Peers.Add(new SimulatedPeer(
                networks[i % networks.Length],
                inbound ? "inbound" : i % 4 == 3 ? "block-relay-only" : "outbound-full-relay",
                i % 2 == 0 ? "v2" : "v1",
                0.02 + (0.01 * (i % 7)),
                BestBlockTime));
        }
    }

    /// <summary>A new best block arrives now.</summary>
    public void MineBlock(long unixNow)
    {
        Blocks++;
        Headers = Math.Max(Headers, Blocks);
        BestBlockTime = unixNow;
    }
}
