namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>One unit as systemd reports it.</summary>
internal sealed record UnitStatus(string Unit, string LoadState, string ActiveState, string SubState, long? Restarts, long? StateChangeTimestamp)
{
    public bool Loaded => LoadState == "loaded";
}
