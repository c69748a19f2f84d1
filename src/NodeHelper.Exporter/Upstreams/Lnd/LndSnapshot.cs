namespace NodeHelper.Exporter.Upstreams.Lnd;

/// <summary>
/// One scrape's reading of LND. While the wallet is not active (locked, not created, starting) only
/// <see cref="WalletState"/> is known: every other call answers that state's error. Otherwise each part is null
/// when its call failed (its problem in <see cref="EndpointProblems"/>); <see cref="Graph"/> is the latest background
/// reading of /v1/graph/info, which is slow on mainnet, and null until the first one arrives.
/// </summary>
internal sealed record LndSnapshot(
    string WalletState,
    LndInfo? Info = null,
    LndChannelBalance? ChannelBalance = null,
    LndWalletBalance? WalletBalance = null,
    LndPendingChannels? Pending = null,
    LndChannels? Channels = null,
    LndFeeReport? Fees = null,
    int? Peers = null,
    LndGraphInfo? Graph = null,
    IReadOnlyDictionary<string, string?>? EndpointProblems = null)
{
    /// <summary>The states in which LND answers every call (lnrpc/stateservice: RPC_ACTIVE, SERVER_ACTIVE).</summary>
    public bool Active => WalletState is "RPC_ACTIVE" or "SERVER_ACTIVE";
}
