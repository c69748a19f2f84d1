using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The outcome of one collector in one scrape, with what it wrote already in the text format, and the names of the
/// families in it (no two collectors may write the same). <see cref="Reason"/> is why it failed, when it did;
/// <see cref="Up"/> is the collector's up gauge, written at 0 when its output has to be dropped after all.
/// </summary>
internal sealed record CollectorOutcome(
    string Collector,
    FailureReason? Reason,
    double DurationSeconds,
    ReadOnlyMemory<byte> Exposition,
    IReadOnlyList<string> FamilyNames,
    UpGauge? Up = null)
{
    public bool Success => Reason is null;

    /// <summary>The series written, for the status page to read values from (null only for an abandoned scrape).</summary>
    public MetricSet? Metrics { get; init; }

    /// <summary>Why it failed, in the words of its log line (secret-free); null when it succeeded.</summary>
    public string? Problem { get; init; }
}
