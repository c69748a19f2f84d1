namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// A channel being force closed, as <c>/v1/channels/pending</c> lists it in <c>pending_force_closing_channels</c>:
/// <paramref name="LimboBalanceSat"/> waits for <paramref name="MaturityHeight"/> (blocks_til_maturity is computed
/// against <see cref="LndState.BlockHeight"/>, as LND does), each HTLC for its own maturity height.
/// </summary>
public sealed record LndForceClose(
    string ChannelPoint,
    string RemotePubkey,
    long CapacitySat,
    long LimboBalanceSat,
    long MaturityHeight,
    IReadOnlyList<LndPendingHtlc> PendingHtlcs);
