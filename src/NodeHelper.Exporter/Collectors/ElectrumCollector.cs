using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The Electrum server wallets connect to (electrs, Fulcrum, ElectrumX): is it answering, and which tip has it
/// indexed. One TCP connection per scrape; concurrent scrapes share it.
/// </summary>
internal sealed class ElectrumCollector(ElectrumClient client, CancellationToken stopping, RunningVersions? versions = null)
    : SnapshotCollector<ElectrumProbe>(client.ProbeAsync, stopping)
{
    private static readonly UpGauge UpGauge = new("electrum_up",
        "Whether the Electrum server answered server.version, blockchain.headers.subscribe and server.ping (1) or not (0).");

    public override string Name => "electrum";

    public override string Description => "Electrum server (electrs, Fulcrum, ElectrumX): indexed tip, probe latency";

    public override UpGauge Up => UpGauge;

    protected override void Write(MetricSet metrics, ElectrumProbe probe)
    {
        if (RunningVersions.Electrum(probe.ServerVersion) is var (component, version))
        {
            versions?.Saw(component, version);
        }

        var m = metrics;
        m.Gauge("electrum_tip_height", "Height of the tip the Electrum server has indexed (blockchain.headers.subscribe height).", probe.TipHeight);
        m.Gauge("electrum_tip_timestamp_seconds", "Timestamp in the header of that tip, Unix seconds (blockchain.headers.subscribe hex, bytes 68-71).", probe.TipTimestamp);
        m.Gauge("electrum_probe_duration_seconds", "Time from connecting to the answer of server.ping.", probe.DurationSeconds);
        m.Family("electrum_server_info", "The Electrum server's software and the protocol version it agreed to (server.version).", "server_version", "protocol_version")
            .WithLabels(LabelValue.Clip(probe.ServerVersion), LabelValue.Clip(probe.ProtocolVersion)).Set(1);
    }
}
