namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// One upstream's collector. Each scrape hands it a fresh, empty <see cref="MetricSet"/> of its own; what it wrote
/// is exported only when <see cref="CollectAsync"/> finished in time, so a failed upstream never leaves half a
/// family behind. (Not called ICollector: prometheus-net has one.)
/// </summary>
internal interface IMetricsCollector
{
    /// <summary>The <c>collector</c> label value and the name accepted by <c>/metrics?collect[]=</c>.</summary>
    string Name { get; }

    /// <summary>What the collector watches, for the landing page.</summary>
    string Description { get; }

    /// <summary>Reads the upstream, then writes every series (the up gauge at 1 among them). Throws when the upstream failed.</summary>
    Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken);

    /// <summary>Writes what is known after a failure or a missed deadline: the upstream's up gauge at 0, where it has one.</summary>
    void WriteFailure(MetricSet metrics, Exception error);
}
