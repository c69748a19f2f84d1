using System.Collections.Concurrent;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Host;

/// <summary>
/// Measures the size of each configured data directory in the background, every Host:DirectorySizeIntervalSeconds,
/// and keeps the latest result. Walking a 700 GB block directory takes seconds to minutes on a small machine, far
/// too long for a scrape; the scrape reports the cached size with its timestamp.
/// </summary>
internal sealed partial class DirectorySizeMonitor(HostViewOptions options, ILogger<DirectorySizeMonitor> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DirectorySize> _sizes = new(StringComparer.Ordinal);

    public IReadOnlyCollection<DirectorySize> Sizes => [.. _sizes.Values];

    /// <summary>Measures every directory once, now. The background loop calls it; tests call it directly.</summary>
    public void MeasureAll()
    {
        foreach (var (component, configured) in options.Paths)
        {
            var path = PathExpansion.Expand(configured);
            var bytes = Measure(path);
            if (bytes is { } size)
            {
                _sizes[component] = new DirectorySize(component, path, size, DateTimeOffset.UtcNow);
            }
            else
            {
                _sizes.TryRemove(component, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.DirectorySizeIntervalSeconds <= 0 || options.Paths.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.DirectorySizeIntervalSeconds));
        try
        {
            do
            {
                // A walk is I/O bound and long: keep it off the thread pool's scrape workers.
                await Task.Factory.StartNew(MeasureAll, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, including after a start that failed (the host then cancels without StopAsync, and would
            // log this cancellation as a crashed service).
        }
    }

    /// <summary>Apparent size of every file below the directory, symlinks not followed; null when the directory cannot be read.</summary>
    private long? Measure(string path)
    {
        if (!Directory.Exists(path))
        {
            LogCannotMeasure(logger, path, "it does not exist or is not a directory");
            return null;
        }

        try
        {
            var total = 0L;
            var walk = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
                ReturnSpecialDirectories = false,
            };
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", walk))
            {
                total += file.Length;
            }

            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCannotMeasure(logger, path, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot measure the size of {Path}: {Problem}")]
    private static partial void LogCannotMeasure(ILogger logger, string path, string problem);
}
