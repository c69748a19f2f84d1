using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>One simulated peer connection.</summary>
public sealed record SimulatedPeer(string Network, string ConnectionType, string Transport, double PingSeconds, long LastBlockTime);
