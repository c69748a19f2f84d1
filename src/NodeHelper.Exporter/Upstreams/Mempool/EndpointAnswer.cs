using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>One answer of the backend: its status and body, or why there is none (<see cref="Problem"/>, with its <see cref="Reason"/>).</summary>
internal readonly record struct EndpointAnswer(int Status, byte[] Body, string? Problem, FailureReason Reason = FailureReason.InvalidResponse)
{
    public bool Ok => Problem is null && Status == 200;
}
