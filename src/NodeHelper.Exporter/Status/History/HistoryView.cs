namespace NodeHelper.Exporter.Status.History;

/// <summary>
/// What the status page shows of the last day. <see cref="Source"/> is Prometheus's URL, null when Status:PrometheusUrl is
/// not set (then everything is empty and there is no problem: the page says how to connect one). <see cref="Problem"/> is
/// why the history could not be read, naming the setting to look at; <see cref="ReadAt"/> is when it was read.
/// </summary>
internal sealed record HistoryView(IReadOnlyList<Sparkline> Sparklines, IReadOnlyList<DiskForecast> Forecasts, string? Problem, DateTimeOffset? ReadAt)
{
    public string? Source { get; init; }

    public static HistoryView NotConfigured { get; } = new([], [], null, null);
}
