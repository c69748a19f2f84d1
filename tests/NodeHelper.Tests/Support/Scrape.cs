using System.Diagnostics;
using NodeHelper.Exporter;

namespace NodeHelper.Tests.Support;

internal sealed record Scrape(int Status, string ContentType, string Body, TimeSpan Elapsed)
{
    private Exposition? _metrics;

    /// <summary>The body parsed as an exposition (only a 200 has one).</summary>
    public Exposition Metrics => _metrics ??= Exposition.Parse(Body);
}
