using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// One upstream's collector. Each scrape hands it a fresh, empty <see cref="MetricSet"/> of its own; what it wrote
/// is exported only when <see cref="CollectAsync"/> finished in time, so a failed upstream never leaves half a
/// family behind. On a failure the scrape machinery writes the up gauge at 0 and the reason; most collectors are a
/// <see cref="SnapshotCollector{TSnapshot}"/>. (Not called ICollector: prometheus-net has one.)
/// </summary>
internal interface IMetricsCollector
{
    /// <summary>The <c>collector</c> label value and the name accepted by <c>/metrics?collect[]=</c>.</summary>
    string Name { get; }

    /// <summary>What the collector watches, for the landing page.</summary>
    string Description { get; }

    /// <summary>The upstream's up gauge, 0 when the collector fails; null for a collector with no upstream of its own to be down (host, services).</summary>
    UpGauge? Up { get; }

    /// <summary>Reads the upstream, then writes every series (the up gauge at 1 among them). Throws when the upstream failed.</summary>
    Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken);

    /// <summary>What a failure says besides the up gauge at 0 and its reason (bitcoind: whether it is warming up). Nothing, by default.</summary>
    void WriteFailure(MetricSet metrics, UpstreamException failure)
    {
    }
}
