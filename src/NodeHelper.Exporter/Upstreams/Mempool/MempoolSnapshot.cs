namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>
/// Everything one scrape learned from the mempool backend. backend-info and the tip height are essential; every
/// other part is null when its endpoint failed or answered values absurd for their fields, and
/// <see cref="EndpointProblems"/> says which and why.
/// </summary>
internal sealed record MempoolSnapshot
{
    public required BackendInfo Backend { get; init; }

    public required long TipHeight { get; init; }

    /// <summary>fees/recommended answers 503 while the backend's mempool is not in sync; null when it failed otherwise.</summary>
    public bool? Synced { get; init; }

    public RecommendedFees? Fees { get; init; }

    public MempoolSummary? Mempool { get; init; }

    public InitData? Init { get; init; }

    /// <summary>Every endpoint, with null when it answered usefully, else what was wrong.</summary>
    public required IReadOnlyDictionary<string, string?> EndpointProblems { get; init; }
}
