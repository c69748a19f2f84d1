using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Mempool;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The public mempool front end, through nginx, probed as a visitor would see it. A collector of its own: nginx
/// failing does not make the backend down, nor the other way round. Like a blackbox probe, an error status is an
/// answer (up 0, with its status code), while no answer at all is a failed collector.
/// </summary>
internal sealed class MempoolFrontendCollector(MempoolFrontendClient client, CancellationToken stopping)
    : SnapshotCollector<FrontendProbe>(client.ProbeAsync, stopping)
{
    private static readonly UpGauge UpGauge = new("mempool_frontend_up",
        "Whether the mempool front end answered with a success or redirect status, below 400 (1), or not (0).");

    public override string Name => "mempool_frontend";

    public override string Description => "mempool front end through nginx: status, latency, TLS certificate expiry";

    public override UpGauge Up => UpGauge;

    /// <summary>Like a blackbox probe: an error status is an answer, and says "down".</summary>
    protected override double UpValue(FrontendProbe probe) => probe.StatusCode is >= 200 and < 400 ? 1 : 0;

    protected override void Write(MetricSet metrics, FrontendProbe probe)
    {
        var m = metrics;
        m.Gauge("mempool_frontend_http_status_code", "HTTP status of the front end's answer, after redirects.", probe.StatusCode);
        m.Gauge("mempool_frontend_duration_seconds", "Time from connecting to the last byte of the front end's answer, TLS handshake included.", probe.DurationSeconds);
        if (probe.CertificateNotAfter is { } expiry)
        {
            m.Gauge("mempool_frontend_tls_certificate_expiry_timestamp_seconds",
                "When the earliest-expiring certificate the front end presents expires, Unix seconds; minus time() is the time left.", expiry.ToUnixTimeSeconds());
        }
    }
}
