using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// Builds the status model: every enabled collector read once through its own single-flight fetch (a page view that
/// arrives while a scrape is in flight shares its upstream calls), then each card from what the collector exported,
/// the verdict from the alerts Prometheus already evaluated and from what is down now. Views within
/// <see cref="ReuseFor"/> of a reading share it, so a page and its refresh, or a few visitors, cost the upstreams one
/// reading. Scrapes never wait for any of this.
/// </summary>
internal sealed class StatusService
{
    /// <summary>How long one reading serves page views: far below any refresh, so what the page shows is current.</summary>
    public static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(5);

    /// <summary>The shipped rules' always-firing alert (prometheus/rules/nodehelper-exporter.yml).</summary>
    public const string Watchdog = "NodeHelperWatchdog";

    private readonly ScrapeService _scrape;
    private readonly CollectorHealth _health;
    private readonly StatusOptions _options;
    private readonly ScrapeOptions _scrapeOptions;
    private readonly TimeProvider _time;
    private readonly IStatusSources _sources;
    private readonly SingleFlight<Reading> _readings;
    private Reading? _last;
    private int _generation;

    public StatusService(ScrapeService scrape, CollectorHealth health, StatusOptions options, ScrapeOptions scrapeOptions, TimeProvider time,
        IStatusSources sources, IHostApplicationLifetime lifetime)
    {
        _scrape = scrape;
        _health = health;
        _options = options;
        _scrapeOptions = scrapeOptions;
        _time = time;
        _sources = sources;
        _readings = new SingleFlight<Reading>(ReadAsync, lifetime.ApplicationStopping);
    }

    /// <summary>
    /// The next view reads afresh: after a silence, the page shows it at once. A reading that started before is
    /// neither kept nor joined (its alerts may predate the silence).
    /// </summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _last, null);
    }

    public async Task<StatusDocument> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var generation = Volatile.Read(ref _generation);
            if (Volatile.Read(ref _last) is { } last && _time.GetUtcNow() - last.Document.GeneratedAt < ReuseFor && last.Generation == generation)
            {
                return last.Document;
            }

            var reading = await _readings.GetAsync(cancellationToken);
            if (reading.Generation == Volatile.Read(ref _generation))
            {
                return reading.Document;
            }
        }
    }

    private async Task<Reading> ReadAsync(CancellationToken stopping)
    {
        var generation = Volatile.Read(ref _generation);
        var budget = ScrapeDeadline.From(null, _scrapeOptions);
        var alertsTask = _sources.AlertsAsync(stopping);
        var historyTask = _sources.HistoryAsync(stopping);
        var outcomes = await _scrape.RunAsync(_scrape.Collectors, budget, stopping);
        var alerts = await alertsTask;
        var history = await historyTask;
        var reading = new Reading(Build(outcomes, alerts, history, _time.GetUtcNow()), generation);
        if (generation == Volatile.Read(ref _generation))
        {
            Volatile.Write(ref _last, reading);
        }

        return reading;
    }

    /// <summary>The model of one reading; pure, so tests give it outcomes and alerts directly.</summary>
    public StatusDocument Build(IReadOnlyList<CollectorOutcome> outcomes, AlertsSection alerts, HistorySection history, DateTimeOffset now)
    {
        var byName = outcomes.ToDictionary(o => o.Collector, StringComparer.Ordinal);
        var bitcoind = new MetricReading(byName.GetValueOrDefault("bitcoind") is { Success: true } b ? b.Metrics : null);
        var counted = alerts.Items.Where(a => a.State is "firing" or "silenced").ToList();
        var components = new List<ComponentStatus>();
        var reasons = new List<(int Level, string Text)>();
        foreach (var collector in _scrape.Collectors)
        {
            if (!byName.TryGetValue(collector.Name, out var outcome))
            {
                continue;
            }

            var state = outcome.Success ? "up" : collector.Up is null ? "failing" : "down";
            var seen = _health.Get(collector.Name);
            var facts = outcome.Success ? ComponentCards.Facts(collector.Name, new MetricReading(outcome.Metrics), bitcoind, now) : [];
            var scoped = counted.Where(a => a.Scope == collector.Name && a.State == "firing").ToList();
            var tone = state == "down" ? "bad"
                : scoped.Any(a => a.Severity == "critical") ? "bad"
                : state == "failing" || scoped.Any(a => a.Severity == "warning") ? "attention"
                : "good";
            components.Add(new ComponentStatus(collector.Name, ComponentCards.Title(collector.Name), collector.Description, state,
                seen?.Since, seen?.SinceFirstReading ?? true, outcome.Problem, tone, facts));
            if (state == "down")
            {
                reasons.Add((2, $"{ComponentCards.Title(collector.Name)} is not answering: {outcome.Problem}"));
            }
            else if (state == "failing")
            {
                reasons.Add((1, $"{ComponentCards.Title(collector.Name)} could not be read: {outcome.Problem}"));
            }
        }

        foreach (var alert in counted)
        {
            // A silence stops the mail, not the condition: a silenced alert still needs attention.
            var level = alert.State == "silenced" ? 1 : alert.Severity == "critical" ? 2 : alert.Severity == "warning" ? 1 : 0;
            if (level > 0)
            {
                reasons.Add((level, (alert.State == "silenced" ? "(silenced) " : "") + (alert.Summary.Length > 0 ? alert.Summary : alert.Name)));
            }
        }

        var worst = reasons.Count == 0 ? 0 : reasons.Max(r => r.Level);
        // The shipped rules' Watchdog always fires: without it, "no alert" would only mean none reached this source.
        var pipelineSilent = alerts.Source != "none" && alerts.Problem is null && !alerts.Items.Any(a => a.Name == Watchdog);
        var alertsKnown = alerts.Source != "none" && alerts.Problem is null && !pipelineSilent;
        var unknownBecause = alerts.Problem ?? (pipelineSilent
            ? $"{(alerts.Source == "alertmanager" ? "Alertmanager" : "Prometheus")} has no {Watchdog}, which the shipped rules always fire: the rules are not loaded or their alerts do not arrive, so no alert here does not mean nothing is wrong."
            : "The alerts are not connected: set Status:AlertmanagerUrl or Status:PrometheusUrl, so the page can say what the rules say (disk filling, a lagging index, a certificate expiring).");
        var verdict = worst switch
        {
            2 => new StatusVerdict("problems", "Problems", Ordered(reasons)),
            1 => new StatusVerdict("needs_attention", "Needs attention", Ordered(reasons)),
            _ when !alertsKnown => new StatusVerdict("cannot_tell", "Cannot tell",
                [components.Count == 0 ? "No collector is enabled." : "Every component answers, but what the alert rules say is unknown.", unknownBecause]),
            _ => new StatusVerdict("healthy", "Healthy", []),
        };
        return new StatusDocument(1, now, ExporterSelfMetrics.Version, verdict, components, alerts, history, _options.RefreshSeconds);
    }

    /// <summary>A reading and the generation it began in (<see cref="Invalidate"/> starts a new one).</summary>
    private sealed record Reading(StatusDocument Document, int Generation);

    private static string[] Ordered(List<(int Level, string Text)> reasons) =>
        [.. reasons.OrderByDescending(r => r.Level).Select(r => r.Text).Distinct(StringComparer.Ordinal)];
}

/// <summary>Where the page's alerts and history come from (Alertmanager, Prometheus); each answers, never throws.</summary>
internal interface IStatusSources
{
    Task<AlertsSection> AlertsAsync(CancellationToken cancellationToken);

    Task<HistorySection> HistoryAsync(CancellationToken cancellationToken);

    /// <summary>Silences one firing alert (by fingerprint) in Alertmanager; returns the silence's id. Throws <see cref="StatusActionException"/>.</summary>
    Task<string> SilenceAsync(string fingerprint, TimeSpan duration, string comment, string createdBy, CancellationToken cancellationToken);

    /// <summary>Ends a silence in Alertmanager. Throws <see cref="StatusActionException"/>.</summary>
    Task ExpireSilenceAsync(string silenceId, CancellationToken cancellationToken);
}

/// <summary>A silence that could not be made or ended, in words fit for the page (no secret, no stack trace).</summary>
internal sealed class StatusActionException(string message, Exception? inner = null) : Exception(message, inner);
