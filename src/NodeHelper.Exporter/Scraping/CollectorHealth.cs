namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// What each collector's last reading said and since when, as far as this process saw: every scrape and every
/// status page reading notes its outcome here. "Since" moves only when a collector starts or stops answering, not
/// when it fails differently; before the first change it is the first reading this process made.
/// </summary>
internal sealed class CollectorHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CollectorState> _states = new(StringComparer.Ordinal);

    /// <summary>Notes a reading (problem "" when it answered); returns the previous problem, null for the first reading.</summary>
    public string? Note(string collector, string problem)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var previous = _states.GetValueOrDefault(collector);
            var answering = problem.Length == 0;
            _states[collector] = previous is null || previous.Answering != answering
                ? new CollectorState(answering, problem, now, now, previous is null)
                : previous with { Problem = problem, LastRead = now };
            return previous?.Problem;
        }
    }

    public CollectorState? Get(string collector)
    {
        lock (_lock)
        {
            return _states.GetValueOrDefault(collector);
        }
    }
}

/// <summary>
/// A collector's state: answering or not (<see cref="Problem"/> says why, "" when answering), since when, the last
/// reading, and whether <see cref="Since"/> is only this process's first reading (it may have been so for longer).
/// </summary>
internal sealed record CollectorState(bool Answering, string Problem, DateTimeOffset Since, DateTimeOffset LastRead, bool SinceFirstReading);
