using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The outcome of one collector in one scrape, with what it wrote already in the text format, and the names of the
/// families in it (no two collectors may write the same). <see cref="Reason"/> is why it failed, when it did.
/// </summary>
internal sealed record CollectorOutcome(string Collector, FailureReason? Reason, double DurationSeconds, ReadOnlyMemory<byte> Exposition, IReadOnlyList<string> FamilyNames)
{
    public bool Success => Reason is null;
}
