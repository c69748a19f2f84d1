namespace NodeHelper.Simulators.Lnd;

/// <summary>One consistent view of the state.</summary>
public sealed record LndStateSnapshot(
    LndFault Fault,
    LndWalletState WalletState,
    TimeSpan Latency,
    TimeSpan GraphInfoLatency,
    long BlockHeight,
    long BestHeaderTimestamp,
    bool SyncedToChain,
    bool SyncedToGraph,
    int NumPeers,
    int NumActiveChannels,
    int NumInactiveChannels,
    int NumPendingChannels,
    IReadOnlyDictionary<string, bool> ChannelActive,
    IReadOnlyList<LndHtlc> Htlcs,
    IReadOnlyList<LndForceClose> ForceCloses,
    IReadOnlyList<(string ChannelPoint, long CapacitySat, long LimboBalanceSat)> WaitingClose,
    IReadOnlyList<(string ChannelPoint, long CapacitySat)> PendingOpen,
    long ConfirmedBalanceSat,
    long UnconfirmedBalanceSat,
    long LockedBalanceSat,
    long ReservedBalanceAnchorChanSat,
    (long Day, long Week, long Month) FeeSums,
    (int Nodes, int Channels, long CapacitySat) Graph);
