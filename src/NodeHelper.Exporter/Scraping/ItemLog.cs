namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// Logs the problems of a collector's items (one query, one path, one endpoint) when they change, as the scrape
/// machinery does for whole collectors: the metric says that an item failed, the log says why, once.
/// </summary>
internal sealed partial class ItemLog(ILogger logger, string collector)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _problems = new(StringComparer.Ordinal);

    /// <summary>Records the item's state in this scrape: a problem, or null when it worked.</summary>
    public void Note(string item, string? problem)
    {
        lock (_lock)
        {
            var previous = _problems.GetValueOrDefault(item);
            if (problem == previous || (problem is null && previous is null))
            {
                return;
            }

            if (problem is null)
            {
                _problems.Remove(item);
                LogRecovered(logger, collector, item);
            }
            else
            {
                _problems[item] = problem;
                LogFailing(logger, collector, item, problem);
            }
        }
    }

    /// <summary>Records every item of a snapshot, each with its problem or null.</summary>
    public void NoteAll(IEnumerable<KeyValuePair<string, string?>> items)
    {
        foreach (var (item, problem) in items)
        {
            Note(item, problem);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Collector}, {Item}: {Problem}")]
    private static partial void LogFailing(ILogger logger, string collector, string item, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector {Collector}, {Item}: working again")]
    private static partial void LogRecovered(ILogger logger, string collector, string item);
}
