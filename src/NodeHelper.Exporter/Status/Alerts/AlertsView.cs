namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>What the status page knows of the alerts.</summary>
/// <param name="Source">"alertmanager", "prometheus" or "none" (neither URL set).</param>
/// <param name="Alerts">Sorted: critical, warning, info, other; then the oldest first.</param>
/// <param name="Silences">Alertmanager's active silences, the soonest to end first.</param>
/// <param name="Problem">Why the alerts (or the silences) could not be read, naming the setting; null when they were.</param>
internal sealed record AlertsView(string Source, IReadOnlyList<StatusAlert> Alerts, IReadOnlyList<StatusSilence> Silences, string? Problem)
{
    public bool CanSilence => Source == "alertmanager" && Problem is null;
}
