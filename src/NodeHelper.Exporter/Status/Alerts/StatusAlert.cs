namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>
/// One alert as the status page shows it. The strings came from Alertmanager or Prometheus: they are clipped and
/// free of control characters, but otherwise verbatim (a summary may hold <c>&lt;script&gt;</c>): the page escapes them.
/// </summary>
/// <param name="Fingerprint">Alertmanager's fingerprint; for Prometheus's alerts a stable hash of the sorted labels.</param>
/// <param name="Since">When it started (Alertmanager's startsAt, Prometheus's activeAt); null when not given.</param>
/// <param name="State">
/// "firing" (active), "silenced", "inhibited" (Alertmanager's suppressed, split by silencedBy/inhibitedBy), or
/// "pending" (Prometheus only).
/// </param>
/// <param name="SilencedBy">The ids of the silences that silence it (empty unless silenced).</param>
/// <param name="RunbookUrl">The runbook_url annotation, only when it is an absolute http or https URL.</param>
internal sealed record StatusAlert(string Fingerprint, string Name, string Severity, string Scope, string Summary, DateTimeOffset? Since,
    string State, IReadOnlyList<string> SilencedBy, Uri? RunbookUrl, IReadOnlyDictionary<string, string> Labels);
