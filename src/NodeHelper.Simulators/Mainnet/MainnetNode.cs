using System.Collections.Concurrent;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// Everything a node of one <see cref="MainnetProfile"/> holds, generated once per profile and shared by the
/// simulators (read only): its peers, its mempool, its latest block and the chain tips it has seen.
/// </summary>
public sealed class MainnetNode
{
    /// <summary>Generating a 150,000-transaction mempool takes a moment; each profile is generated once per process.</summary>
    private static readonly ConcurrentDictionary<MainnetProfile, Lazy<MainnetNode>> Generated = new();

    private MainnetNode(MainnetProfile profile)
    {
        profile.Validate();
        Profile = profile;
        Mempool = new MainnetMempool(profile);
        LatestBlock = new MainnetBlock(profile);
        PastChainTips = ChainTipsOf(profile);
        Peers = MainnetPeers.Generate(profile.Peers, profile.Height, profile.TipTime, Now, Mempool.MinFeeRate);
    }

    public MainnetProfile Profile { get; }

    /// <summary>The node's clock: four minutes after its best block, as the peers' last send and receive times say.</summary>
    public long Now => Profile.TipTime + 240;

    public MainnetMempool Mempool { get; }

    public MainnetBlock LatestBlock { get; }

    /// <summary>The tips besides the active one, newest first.</summary>
    public IReadOnlyList<SimulatedChainTip> PastChainTips { get; }

    /// <summary>The peers as generated; a state that uses them takes a copy it may change.</summary>
    public IReadOnlyList<SimulatedPeer> Peers { get; }

    public static MainnetNode For(MainnetProfile profile) =>
        Generated.GetOrAdd(profile, p => new Lazy<MainnetNode>(() => new MainnetNode(p))).Value;

    /// <summary>
    /// Years of stale blocks and stray headers: most tips are stale blocks the node validated (valid-fork), some it has
    /// the block of but never validated (valid-headers) or only the header (headers-only), a few it rejected (invalid).
    /// Branches are one block long, now and then two or three; heights spread over the last 500,000 blocks.
    /// </summary>
    private static List<SimulatedChainTip> ChainTipsOf(MainnetProfile profile)
    {
        var others = profile.ChainTips - 1;
        var invalid = others >= 20 ? Math.Max(1, others / 100) : 0;
        var headersOnly = others * 12 / 100;
        var validHeaders = others * 15 / 100;
        var random = new Random(44_000 + others);
        var heights = new SortedSet<long>();
        while (heights.Count < others)
        {
            heights.Add(profile.Height - 1 - random.NextInt64(0, Math.Min(500_000, profile.Height - 1)));
        }

        // Exactly the counts above, dealt over history in a shuffled order.
        var statuses = Enumerable.Repeat("invalid", invalid)
            .Concat(Enumerable.Repeat("headers-only", headersOnly))
            .Concat(Enumerable.Repeat("valid-headers", validHeaders))
            .Concat(Enumerable.Repeat("valid-fork", others - invalid - headersOnly - validHeaders))
            .ToArray();
        random.Shuffle(statuses);
        var tips = new List<SimulatedChainTip>(others);
        foreach (var (height, status) in heights.Reverse().Zip(statuses))
        {
            var branch = random.NextDouble() switch { < 0.9 => 1, < 0.98 => 2, _ => 3 };
            tips.Add(new SimulatedChainTip(height, branch, status));
        }

        return tips;
    }
}
