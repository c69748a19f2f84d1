namespace NodeHelper.Exporter.Status.History;

/// <summary>
/// One sparkline of the status page: <see cref="Key"/> is <c>tip_lag</c>, <c>mempool</c> or <c>disk_free</c>; the points are
/// one every <see cref="StatusHistory.Step"/> over the last day (NaN: Prometheus has no value then, a gap); <see cref="Latest"/>,
/// <see cref="Low"/> and <see cref="High"/> are the last, smallest and largest values as the page writes them.
/// </summary>
internal sealed record Sparkline(string Key, string Title, IReadOnlyList<(DateTimeOffset Time, double Value)> Points, string Latest, string Low, string High);
