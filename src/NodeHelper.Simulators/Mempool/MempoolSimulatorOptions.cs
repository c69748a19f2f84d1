using NodeHelper.Simulators.Mainnet;

namespace NodeHelper.Simulators.Mempool;

public sealed class MempoolSimulatorOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Serve a mainnet node of this size (its tip, mempool, projected blocks and fees); null: the captured regtest backend.</summary>
    public MainnetProfile? Mainnet { get; init; }
}
