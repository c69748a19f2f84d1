using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Systemd;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The stack's systemd units: active or not, how often systemd restarted them (a crash loop shows here first), and
/// since when they are in their state. A host without systemd is a clear state (nodehelper_systemd_available 0), not a failure.
/// </summary>
internal sealed class ServicesCollector(SystemdClient client, CancellationToken stopping)
    : SnapshotCollector<SystemdSnapshot>(client.FetchAsync, stopping)
{
    /// <summary>systemd's ActiveState values; one series each, 1 for the current one.</summary>
    private static readonly string[] States = ["active", "reloading", "inactive", "failed", "activating", "deactivating"];

    public override string Name => "services";

    public override string Description => "systemd units of the stack: active, restarts, since when";

    /// <summary>systemd is the host's, not an upstream that is up or down: systemctl failing is the collector's failure and its reason.</summary>
    public override UpGauge? Up => null;

    protected override void Write(MetricSet metrics, SystemdSnapshot snapshot)
    {
        var m = metrics;
        m.Gauge("nodehelper_systemd_available", "Whether the host runs systemd, so units can be watched (1), or not (0).", snapshot.Available ? 1 : 0);
        if (!snapshot.Available)
        {
            return;
        }

        var loaded = m.Family("nodehelper_service_loaded", "Whether systemd knows the unit (LoadState=loaded) (1) or not, not installed here (0).", "unit");
        var active = m.Family("nodehelper_service_active", "Whether the unit is active (ActiveState=active) (1) or not (0).", "unit");
        var state = m.Family("nodehelper_service_state", "The unit's ActiveState: 1 for the state it is in, 0 for the others.", "unit", "state");
        var restarts = m.CounterFamily("nodehelper_service_restarts_total", "Times systemd restarted the unit after it failed (NRestarts); rising means a crash loop.", "unit");
        var since = m.Family("nodehelper_service_state_change_timestamp_seconds", "When the unit last changed state, Unix seconds (StateChangeTimestamp).", "unit");
        foreach (var unit in snapshot.Units)
        {
            var name = LabelValue.Clip(unit.Unit);
            loaded.WithLabels(name).Set(unit.Loaded ? 1 : 0);
            if (!unit.Loaded)
            {
                continue;
            }

            active.WithLabels(name).Set(unit.ActiveState == "active" ? 1 : 0);
            foreach (var candidate in States)
            {
                state.WithLabels(name, candidate).Set(unit.ActiveState == candidate ? 1 : 0);
            }

            if (unit.Restarts is { } count)
            {
                restarts.WithLabels(name).IncTo(count);
            }

            if (unit.StateChangeTimestamp is { } changed)
            {
                since.WithLabels(name).Set(changed);
            }
        }
    }
}
