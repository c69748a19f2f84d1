using NodeHelper.Exporter.Status.Alerts;
using NodeHelper.Exporter.Status.History;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// The page's alerts and history: Alertmanager and Prometheus when Status:AlertmanagerUrl / PrometheusUrl name them.
/// One HttpClient, no proxy (a proxy would be a setting the README does not name); each call bounded by
/// Status:TimeoutSeconds inside the alert source.
/// </summary>
internal sealed class StatusSources(StatusOptions options, TimeProvider time) : IStatusSources, IDisposable
{
    public const string ConnectHint =
        "Set Status:AlertmanagerUrl (e.g. http://127.0.0.1:9093/) to list the firing alerts here and silence them, and Status:PrometheusUrl (e.g. http://127.0.0.1:9090/) for 24 hours of history.";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    // Prometheus's client bounds each query by its HttpClient's Timeout.
    private readonly HttpClient _prometheusHttp = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
    };

    private AlertSource? _alerts;

    private StatusHistory? _history;

    private AlertSource Alerts => _alerts ??= new AlertSource(_http, options);

    private StatusHistory History => _history ??= new StatusHistory(_prometheusHttp, options, time);

    public async Task<AlertsSection> AlertsAsync(CancellationToken cancellationToken)
    {
        if (options.AlertmanagerUrl is null && options.PrometheusUrl is null)
        {
            return new AlertsSection("none", null, false, [], [], ConnectHint);
        }

        AlertsView view;
        try
        {
            view = await Alerts.GetAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The source promises not to throw; if it still does (a bug), the page says so and shows the rest.
            return new AlertsSection(options.AlertmanagerUrl is null ? "prometheus" : "alertmanager", $"the alerts could not be read: {e.GetType().Name}", false, [], [], null);
        }

        return new AlertsSection(view.Source, view.Problem, view.CanSilence,
            [.. view.Alerts.Select(a => new AlertItem(a.Fingerprint, a.Name, a.Severity, a.Scope, a.Summary, a.Since, a.State, a.SilencedBy, a.RunbookUrl?.ToString(), a.Labels))],
            [.. view.Silences.Select(s => new SilenceItem(s.Id, s.Matchers, s.EndsAt, s.CreatedBy, s.Comment))],
            options.AlertmanagerUrl is null ? "Alerts from Prometheus: set Status:AlertmanagerUrl to see their silences and silence them here." : null);
    }

    public async Task<HistorySection> HistoryAsync(CancellationToken cancellationToken)
    {
        if (options.PrometheusUrl is null)
        {
            return new HistorySection(null, null, [], []);
        }

        HistoryView view;
        try
        {
            view = await History.GetAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HistorySection($"the history could not be read: {e.GetType().Name}", null, [], []);
        }

        return new HistorySection(view.Problem, view.ReadAt,
            [.. view.Sparklines.Select(s => new SparklineItem(s.Key, s.Title, s.Latest, s.Low, s.High,
                [.. s.Points.Select(p => new double?[] { p.Time.ToUnixTimeSeconds(), double.IsFinite(p.Value) ? p.Value : null })]))],
            [.. view.Forecasts.Select(f => new ForecastItem(f.Component, f.Path, f.DaysUntilFull is { } d && double.IsFinite(d) ? d : null, f.Text))]);
    }

    public async Task<string> SilenceAsync(string fingerprint, TimeSpan duration, string comment, string createdBy, CancellationToken cancellationToken)
    {
        try
        {
            return await Alerts.SilenceAsync(fingerprint, duration, comment, createdBy, cancellationToken);
        }
        catch (AlertActionException e)
        {
            throw new StatusActionException(e.Message, e);
        }
    }

    public async Task ExpireSilenceAsync(string silenceId, CancellationToken cancellationToken)
    {
        try
        {
            await Alerts.ExpireSilenceAsync(silenceId, cancellationToken);
        }
        catch (AlertActionException e)
        {
            throw new StatusActionException(e.Message, e);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _prometheusHttp.Dispose();
    }
}
