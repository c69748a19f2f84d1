using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Electrum;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The Electrum server wallets connect to (electrs, Fulcrum, ElectrumX): is it answering, and which tip has it
/// indexed. One TCP connection per scrape; concurrent scrapes share it.
/// </summary>
internal sealed class ElectrumCollector(ElectrumClient client, CancellationToken stopping) : IMetricsCollector
{
    private const string UpHelp = "Whether the Electrum server answered server.version, blockchain.headers.subscribe and server.ping (1) or not (0).";

    private readonly SingleFlight<ElectrumProbe> _probes = new(client.ProbeAsync, stopping);

    public string Name => "electrum";

    public string Description => "Electrum server (electrs, Fulcrum, ElectrumX): indexed tip, probe latency";

    public async Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var probe = await _probes.GetAsync(cancellationToken);
        var m = metrics;
        m.Gauge("electrum_up", UpHelp, 1);
        m.Gauge("electrum_tip_height", "Height of the tip the Electrum server has indexed (blockchain.headers.subscribe height).", probe.TipHeight);
        m.Gauge("electrum_tip_timestamp_seconds", "Timestamp in the header of that tip, Unix seconds (blockchain.headers.subscribe hex, bytes 68-71).", probe.TipTimestamp);
        m.Gauge("electrum_probe_duration_seconds", "Time from connecting to the answer of server.ping.", probe.DurationSeconds);
        m.Family("electrum_server_info", "The Electrum server's software and the protocol version it agreed to (server.version).", "server_version", "protocol_version")
            .WithLabels(LabelValue.Clip(probe.ServerVersion), LabelValue.Clip(probe.ProtocolVersion)).Set(1);
    }

    public void WriteFailure(MetricSet metrics, Exception error) =>
        metrics.Gauge("electrum_up", UpHelp, 0);
}
