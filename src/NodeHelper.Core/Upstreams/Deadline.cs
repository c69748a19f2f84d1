namespace NodeHelper.Core.Upstreams;

/// <summary>An upstream's own timeout, linked to the caller's token (the scrape's deadline, the exporter stopping).</summary>
internal static class Deadline
{
    public static CancellationTokenSource After(TimeSpan timeout, CancellationToken outer)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(outer);
        deadline.CancelAfter(timeout);
        return deadline;
    }

    public static CancellationTokenSource After(double seconds, CancellationToken outer) => After(TimeSpan.FromSeconds(seconds), outer);
}
