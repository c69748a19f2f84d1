namespace NodeHelper.Simulators.Bitcoind;

/// <summary>A chain tip off the active chain at its own height: a stale block, or headers never validated or rejected.</summary>
public sealed record SimulatedChainTip(long Height, int BranchLength, string Status);
