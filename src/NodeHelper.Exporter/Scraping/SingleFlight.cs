namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// Runs at most one fetch at a time and lets every caller that arrives while it is in flight share it: scrapes that
/// pile up behind a slow upstream cost it one round trip. A caller that arrives after the fetch finished starts a
/// new one; nothing is kept between fetches. The fetch is bounded by its own timeout, not by any one caller, so a
/// caller that gives up (its scrape deadline passed) does not cancel the answer the others are waiting for.
/// </summary>
internal sealed class SingleFlight<T>(Func<CancellationToken, Task<T>> fetch, CancellationToken stopping)
{
    private readonly Lock _lock = new();
    private Task<T>? _inFlight;

    public Task<T> GetAsync(CancellationToken cancellationToken)
    {
        Task<T> shared;
        lock (_lock)
        {
            shared = _inFlight ??= FlyAsync();
        }

        return shared.WaitAsync(cancellationToken);
    }

    private async Task<T> FlyAsync()
    {
        // Leave the caller's lock before fetching; the slot is filled by the time the finally below can take it.
        await Task.Yield();
        try
        {
            return await fetch(stopping);
        }
        finally
        {
            // Cleared before the task completes: whoever has seen this result will start a fresh fetch next time.
            lock (_lock)
            {
                _inFlight = null;
            }
        }
    }
}
