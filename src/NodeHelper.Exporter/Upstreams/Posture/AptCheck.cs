namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>One run of the upgrade simulation: when it ended, and what it found, or why it found nothing.</summary>
internal sealed record AptCheck(DateTimeOffset At, AptPending? Pending, string? Problem);
