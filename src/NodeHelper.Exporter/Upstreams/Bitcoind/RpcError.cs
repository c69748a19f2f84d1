using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>The error object of a JSON-RPC reply.</summary>
internal sealed record RpcError(int Code, string Message)
{
    /// <summary>RPC_IN_WARMUP: bitcoind is starting and answers nothing else until it is done.</summary>
    public const int InWarmup = -28;

    public static readonly RpcError NoReply = new(-32603, "the batch answer holds no reply for this call");

    public override string ToString() => $"RPC error {Code}: {UpstreamException.Clip(Message)}";
}
