namespace NodeHelper.Exporter.Status.History;

/// <summary>
/// When one component's data directory's filesystem is full at the last 6 hours' rate: <see cref="DaysUntilFull"/> is null
/// when it is not filling or when Prometheus has not watched long enough to tell (then <see cref="Text"/> says so).
/// </summary>
internal sealed record DiskForecast(string Component, string Path, double? DaysUntilFull, string Text);
