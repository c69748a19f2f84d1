using System.Text.Json.Nodes;
using NodeHelper.Simulators.Mainnet;

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

    /// <summary>Tips off the active chain at their own heights, answered after <see cref="OtherChainTips"/> (a mainnet node's history).</summary>
    public List<SimulatedChainTip> PastChainTips { get; } = [];

    /// <summary>
    /// Fields written over a method's captured result, before <see cref="Rewrites"/>: what a mainnet node answers where
    /// the regtest capture is small (difficulty, hash rate, transaction count, a 4 MB block's getblockstats).
    /// </summary>
    public Dictionary<string, JsonObject> Overlays { get; } = new(StringComparer.Ordinal);

    /// <summary>Networks getnetworkinfo reports reachable; null: as captured (IPv4 and IPv6).</summary>
    public IReadOnlySet<string>? ReachableNetworks { get; set; }

    /// <summary>The mainnet node this state plays, when <see cref="UseMainnet"/> made it one.</summary>
    public MainnetNode? Mainnet { get; private set; }

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

    /// <summary>
    /// Makes the node a mainnet node of <paramref name="profile"/>'s size: its chain, peers, mempool and fee
    /// estimates, latest block and chain tips, generated from the profile (see <see cref="MainnetNode"/>).
    /// </summary>
    public void UseMainnet(MainnetProfile profile)
    {
        var node = MainnetNode.For(profile);
        Mainnet = node;
        Chain = "main";
        Warnings = [];
        Blocks = Headers = profile.Height;
        BestBlockTime = profile.TipTime;
        InitialBlockDownload = false;
        VerificationProgress = 0.9999996;
        UptimeSeconds = 41 * 86_400;
        BytesReceived = 1_912_345_678_901;
        BytesSent = 9_876_543_210_987;
        Peers.Clear();
        Peers.AddRange(node.Peers);
        ReachableNetworks = new HashSet<string>(["ipv4", "ipv6", "onion", "i2p", "cjdns"], StringComparer.Ordinal);

        var mempool = node.Mempool;
        MempoolTransactions = mempool.Transactions;
        MempoolVsizeBytes = mempool.VsizeBytes;
        MempoolUsageBytes = mempool.UsageBytes;
        MempoolTotalFeeBtc = mempool.TotalFeeSat / 100_000_000m;
        MempoolMinFeeBtcPerKvb = BtcPerKvb(mempool.MinFeeRate);
        FeeRates.Clear();
        foreach (var target in new[] { 1, 2, 3, 6, 12, 24, 144, 504, 1008 })
        {
            // estimatesmartfee answers targets of 1 as 2 would; beyond the mempool's depth, its minimum.
            FeeRates[target] = BtcPerKvb(mempool.FeeRateWithin(Math.Max(2, target)));
        }

        OtherChainTips.Clear();
        PastChainTips.Clear();
        PastChainTips.AddRange(node.PastChainTips);
        Overlays["getmempoolinfo"] = new JsonObject { ["maxmempool"] = mempool.MaxBytes, ["loaded"] = true, ["unbroadcastcount"] = 0 };
        Overlays["getblockstats"] = (JsonObject)node.LatestBlock.Stats.DeepClone();
        Overlays["getblockchaininfo"] = new JsonObject
        {
            ["bits"] = "17023a04",
            ["target"] = "000000000000000000023a040000000000000000000000000000000000000000",
            ["difficulty"] = 149_301_205_959_699.9,
            ["chainwork"] = "0000000000000000000000000000000000000000dc6b0d4a1d4e2b7c3a2c1e00",
            ["size_on_disk"] = 781_234_567_890L,
        };
        Overlays["getmininginfo"] = new JsonObject
        {
            ["currentblockweight"] = profile.BlockWeight,
            ["currentblocktx"] = profile.BlockTransactions - 1,
            ["difficulty"] = 149_301_205_959_699.9,
            ["networkhashps"] = 1.068e21,
            ["blockmintxfee"] = 0.00000001m,
        };
        Overlays["getchaintxstats"] = new JsonObject
        {
            ["time"] = profile.TipTime,
            ["txcount"] = 1_248_000_000L,
            ["window_final_block_height"] = profile.Height,
            ["window_block_count"] = 4320,
            ["window_interval"] = 2_590_000,
            ["window_tx_count"] = 13_100_000,
            ["txrate"] = 5.058,
        };
    }

    private static decimal BtcPerKvb(double satPerVbyte) => Math.Round((decimal)satPerVbyte / 100_000m, 8);

    /// <summary>A new best block arrives now.</summary>
    public void MineBlock(long unixNow)
    {
        Blocks++;
        Headers = Math.Max(Headers, Blocks);
        BestBlockTime = unixNow;
    }
}
