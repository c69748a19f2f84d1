using System.Text.Json;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>One simulated peer connection.</summary>
public sealed record SimulatedPeer(string Network, string ConnectionType, string Transport, double PingSeconds, long LastBlockTime)
{
    /// <summary>
    /// The peer's whole getpeerinfo entry, served as it is (a generated mainnet peer, whose fields above agree with
    /// it); when null, the captured entry is served with the fields above written over it.
    /// </summary>
    public JsonElement? Entry { get; init; }
}
