namespace NodeHelper.Simulators.Lnd;

/// <summary>An HTLC of a force-closed channel (lnrpc.PendingHTLC); stage 1 or 2 of its recovery.</summary>
public sealed record LndPendingHtlc(bool Incoming, long AmountSat, string Outpoint, long MaturityHeight, int Stage = 1);
