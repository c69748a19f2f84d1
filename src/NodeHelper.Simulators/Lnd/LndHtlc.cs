namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// An HTLC in flight in an open channel (lnrpc.HTLC in /v1/channels pending_htlcs): its channel (a chan_id of
/// channels.json) must be closed on chain before <paramref name="ExpirationHeight"/> if it is not settled by then.
/// </summary>
public sealed record LndHtlc(string ChanId, bool Incoming, long AmountSat, long ExpirationHeight);
