using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>bitcoind is starting (RPC error -28): a state of its own, not a generic failure.</summary>
internal sealed class BitcoindWarmingUpException(string status)
    : UpstreamException(FailureReason.WarmingUp, $"bitcoind is starting: {Clip(status)}")
{
    public string Status { get; } = Clip(status);
}
