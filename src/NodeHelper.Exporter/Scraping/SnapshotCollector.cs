using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The skeleton every collector with an upstream shares: one fetch of a snapshot at a time, shared by the scrapes
/// that arrive while it is in flight (<see cref="SingleFlight{T}"/>) and ended only by its own timeout or the exporter
/// stopping, never by one impatient scrape; then the up gauge at 1 and the snapshot's series. A collector adds only
/// what is its own: its name, its up gauge, and how a snapshot becomes series.
/// </summary>
internal abstract class SnapshotCollector<TSnapshot>(Func<CancellationToken, Task<TSnapshot>> fetch, CancellationToken stopping) : IMetricsCollector
{
    private readonly SingleFlight<TSnapshot> _fetches = new(fetch, stopping);

    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract UpGauge? Up { get; }

    public async Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var snapshot = await _fetches.GetAsync(cancellationToken);
        if (Up is { } up)
        {
            metrics.Gauge(up.Name, up.Help, UpValue(snapshot));
        }

        Write(metrics, snapshot);
    }

    public virtual void WriteFailure(MetricSet metrics, UpstreamException failure)
    {
    }

    /// <summary>The up gauge's value for an answer: 1, except for a probe whose answer can itself say "down" (an HTTP error status).</summary>
    protected virtual double UpValue(TSnapshot snapshot) => 1;

    /// <summary>Writes every series of one snapshot except the up gauge. Parts that failed are left out, never written as 0.</summary>
    protected abstract void Write(MetricSet metrics, TSnapshot snapshot);
}
