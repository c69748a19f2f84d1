using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>
/// The alerts of the status page: Alertmanager's (with their silences) when Status:AlertmanagerUrl is set, otherwise
/// Prometheus's firing and pending alerts when Status:PrometheusUrl is, otherwise none. An Alertmanager that is set but
/// does not answer is a problem to show, not a reason to fall back: the page would show alerts without their silences.
/// Only this node's alerts (label instance = Status:Instance) when Status:Instance is set.
/// </summary>
internal sealed class AlertSource(HttpClient http, StatusOptions options)
{
    public static readonly TimeSpan ShortestSilence = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan LongestSilence = TimeSpan.FromDays(30);

    public const int MaxComment = 500;

    private readonly AlertUpstream? _alertmanager = options.AlertmanagerUrl is { } am
        ? new AlertUpstream(http, "Alertmanager", $"{StatusOptions.Section}:AlertmanagerUrl", am, options.TimeoutSeconds)
        : null;

    private readonly AlertUpstream? _prometheus = options.PrometheusUrl is { } prom
        ? new AlertUpstream(http, "Prometheus", $"{StatusOptions.Section}:PrometheusUrl", prom, options.TimeoutSeconds)
        : null;

    /// <summary>The alerts and silences now. Never throws for an upstream failure: <see cref="AlertsView.Problem"/> says it.</summary>
    public async Task<AlertsView> GetAsync(CancellationToken ct)
    {
        if (_alertmanager is not null)
        {
            var alerts = ReadAlertmanagerAlertsAsync(_alertmanager, ct);
            var silences = ReadAsync(_alertmanager, "api/v2/silences", root => AlertParser.ActiveSilences(root, options.Instance), ct);
            var (shown, alertsProblem) = await alerts;
            var (active, silencesProblem) = await silences;
            return new AlertsView("alertmanager", [.. (shown ?? []).Select(a => a.Alert)], active ?? [], alertsProblem ?? silencesProblem);
        }

        if (_prometheus is not null)
        {
            var (shown, problem) = await ReadAsync(_prometheus, "api/v1/alerts", root => Mine(AlertParser.PrometheusAlerts(root)), ct);
            return new AlertsView("prometheus", [.. (shown ?? []).Select(a => a.Alert)], [], problem);
        }

        return new AlertsView("none", [], [], null);
    }

    /// <summary>
    /// Silences the alert with <paramref name="fingerprint"/> (one of those <see cref="GetAsync"/> lists) from now for
    /// <paramref name="duration"/>, with a matcher equal to each of its labels. Returns the new silence's id.
    /// </summary>
    /// <param name="createdBy">Who silences it; empty: "NodeHelper status page" (Alertmanager requires a creator).</param>
    /// <exception cref="AlertActionException">The request is not valid, the alert is gone, or Alertmanager refused or failed.</exception>
    public async Task<string> SilenceAsync(string fingerprint, TimeSpan duration, string comment, string createdBy, CancellationToken ct)
    {
        var alertmanager = _alertmanager ?? throw new AlertActionException("silencing needs Alertmanager: set Status:AlertmanagerUrl.");
        if (duration < ShortestSilence || duration > LongestSilence)
        {
            throw new AlertActionException("a silence lasts between 1 minute and 30 days.");
        }

        comment = (comment ?? "").Trim();
        if (comment.Length == 0)
        {
            throw new AlertActionException("say why the alert is silenced: the comment is empty.");
        }

        if (comment.Length > MaxComment)
        {
            throw new AlertActionException($"the comment is longer than {MaxComment} characters.");
        }

        createdBy = string.IsNullOrWhiteSpace(createdBy) ? "NodeHelper status page" : UpstreamException.Clip(createdBy.Trim(), 100);

        var (alerts, problem) = await ReadAlertmanagerAlertsAsync(alertmanager, ct);
        if (problem is not null)
        {
            throw new AlertActionException(problem);
        }

        // Only what the page offers: a firing alert of this node, never the Watchdog (the dead man's switch would stop).
        var alert = alerts!.FirstOrDefault(a => a.Alert.Fingerprint == fingerprint && a.Alert.State == "firing")
            ?? throw new AlertActionException("that alert is no longer firing.");
        if (alert.Alert.Name == StatusService.Watchdog)
        {
            throw new AlertActionException($"{StatusService.Watchdog} is the dead man's switch's heartbeat; silencing it would tell it the node is down.");
        }

        var now = DateTimeOffset.UtcNow;
        var silence = new PostableSilence(
            [.. alert.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new SilenceMatcher(l.Key, l.Value, IsRegex: false, IsEqual: true))],
            now, now + duration, createdBy, comment);
        var body = JsonSerializer.Serialize(silence, AlertsJsonContext.Default.PostableSilence);
        var answer = await ActAsync(alertmanager, HttpMethod.Post, "api/v2/silences", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        return answer is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("silenceID", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 } text
                ? UpstreamException.Clip(text, 100)
                : throw new AlertActionException($"Alertmanager at {alertmanager.Shown} did not say which silence it made; look at its silences.");
    }

    /// <summary>Ends the silence <paramref name="silenceId"/> now (Alertmanager's DELETE, which expires it).</summary>
    /// <exception cref="AlertActionException">Not a silence id, or Alertmanager refused or failed.</exception>
    public async Task ExpireSilenceAsync(string silenceId, CancellationToken ct)
    {
        var alertmanager = _alertmanager ?? throw new AlertActionException("silences need Alertmanager: set Status:AlertmanagerUrl.");
        if (!Guid.TryParseExact(silenceId ?? "", "D", out var id))
        {
            throw new AlertActionException("that is not a silence id.");
        }

        // Only a silence the page lists (this node's, when Status:Instance is set), not any id.
        var (silences, problem) = await ReadAsync(alertmanager, "api/v2/silences", root => AlertParser.ActiveSilences(root, options.Instance), ct);
        if (problem is not null)
        {
            throw new AlertActionException(problem);
        }

        if (!silences!.Any(s => s.Id == id.ToString("D")))
        {
            throw new AlertActionException("that silence is not one of this page's active silences.");
        }

        await ActAsync(alertmanager, HttpMethod.Delete, $"api/v2/silence/{id:D}", null, ct);
    }

    private Task<(List<ParsedAlert>? Value, string? Problem)> ReadAlertmanagerAlertsAsync(AlertUpstream alertmanager, CancellationToken ct) =>
        ReadAsync(alertmanager, "api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=false",
            root => Mine(AlertParser.AlertmanagerAlerts(root)), ct);

    private List<ParsedAlert> Mine(List<ParsedAlert> alerts) =>
        // An alert without an instance label (the Watchdog, an aggregate over nodes) is every node's.
        AlertParser.Sorted(options.Instance.Length == 0 ? alerts : alerts.Where(a => a.Labels.GetValueOrDefault("instance") is null || a.Labels["instance"] == options.Instance));

    /// <summary>A GET and its parse; whatever fails becomes the problem's words (a cancelled caller still cancels).</summary>
    private static async Task<(T? Value, string? Problem)> ReadAsync<T>(AlertUpstream upstream, string relative, Func<JsonElement, T> parse, CancellationToken ct)
        where T : class
    {
        try
        {
            var root = await upstream.GetJsonAsync(relative, ct);
            try
            {
                return (parse(root), null);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
            {
                return (null, upstream.NotTheApi(e).Message);
            }
        }
        catch (UpstreamException e)
        {
            return (null, e.Message);
        }
    }

    private static async Task<JsonElement?> ActAsync(AlertUpstream upstream, HttpMethod method, string relative, HttpContent? content, CancellationToken ct)
    {
        try
        {
            using (content)
            {
                return await upstream.SendAsync(method, relative, content, ct);
            }
        }
        catch (UpstreamException e)
        {
            throw new AlertActionException(e.Message);
        }
    }
}
