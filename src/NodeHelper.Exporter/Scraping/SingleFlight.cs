namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// Runs at most one fetch at a time and lets every caller that arrives meanwhile share it: twenty concurrent
/// scrapes cost the upstream one round trip. The fetch is bounded by its own timeout, not by any one caller, so a
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
            if (_inFlight is null)
            {
                // Task.Run: the fetch starts outside the lock, and a fetch that completes synchronously still
                // clears the slot after it has been filled.
                var started = Task.Run(() => fetch(stopping), CancellationToken.None);
                _inFlight = started;
                _ = started.ContinueWith(Clear, TaskScheduler.Default);
            }

            shared = _inFlight;
        }

        return shared.WaitAsync(cancellationToken);
    }

    private void Clear(Task<T> finished)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_inFlight, finished))
            {
                _inFlight = null;
            }
        }
    }
}
