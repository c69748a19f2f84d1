using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// Whether a newer release of a running component exists, by the version feed file a job or the operator keeps
/// (docs/update-feed.md): NodeHelper never asks the internet. What runs is what the other collectors last read
/// (<see cref="RunningVersions"/>) and NodeHelper's own version. The file is read again only when it changed.
/// </summary>
internal sealed class UpdatesCollector(string feedFile, RunningVersions running, ItemLog items) : IMetricsCollector
{
    private readonly Lock _lock = new();
    private (DateTime Written, long Length, UpdateFeed? Feed, string? Problem)? _read;

    public string Name => "updates";

    public string Description => "newer releases of what runs, from the version feed file";

    /// <summary>No upstream: a feed that cannot be read is nodehelper_update_feed_success 0.</summary>
    public UpGauge? Up => null;

    public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var m = metrics;
        var (feed, problem) = Read();
        items.Note("feed", problem);
        m.Gauge("nodehelper_update_feed_success", "Whether the version feed file (Updates:FeedFile) could be read and parsed (1) or not (0).", feed is null ? 0 : 1);
        if (feed is null)
        {
            return Task.CompletedTask;
        }

        if (feed.Generated is { } generated)
        {
            m.Gauge("nodehelper_update_feed_generated_timestamp_seconds", "When the version feed was made (its generated field), Unix seconds: an old feed cannot tell of new releases.",
                generated.ToUnixTimeMilliseconds() / 1000.0);
        }

        var available = m.Family("nodehelper_update_available",
            "Whether the feed names a release of a running component newer than the one running (1) or not (0). running: the version read from the component; latest: the feed's.",
            "component", "running", "latest");
        var versions = new Dictionary<string, string>(running.Current(), StringComparer.Ordinal) { ["nodehelper"] = ExporterSelfMetrics.Version };
        foreach (var (component, version) in versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (feed.Latest!.TryGetValue(component, out var latest))
            {
                if (!VersionOrder.IsVersion(latest))
                {
                    items.Note($"feed {component}", $"'{UpstreamException.Clip(latest)}' is not a version.");
                    continue;
                }

                items.Note($"feed {component}", null);
                available.WithLabels(component, LabelValue.Clip(version), latest).Set(VersionOrder.Compare(latest, version) > 0 ? 1 : 0);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The feed, parsed again only when the file's length or write time changed.</summary>
    private (UpdateFeed? Feed, string? Problem) Read()
    {
        var path = PathExpansion.Expand(feedFile);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return (null, $"{path} does not exist.");
            }

            lock (_lock)
            {
                if (_read is { } read && read.Written == info.LastWriteTimeUtc && read.Length == info.Length)
                {
                    return (read.Feed, read.Problem);
                }
            }

            var parsed = Parse(path, info.Length);
            lock (_lock)
            {
                _read = (info.LastWriteTimeUtc, info.Length, parsed.Feed, parsed.Problem);
            }

            return parsed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, UpstreamException.Clip(e.Message));
        }
    }

    private static (UpdateFeed? Feed, string? Problem) Parse(string path, long length)
    {
        // One byte more than a feed may have, whatever the file grew to since it was looked at.
        var buffer = new byte[UpdateFeed.MaxBytes + 1];
        var read = 0;
        if (length <= UpdateFeed.MaxBytes)
        {
            using var file = File.OpenRead(path);
            while (read < buffer.Length && file.Read(buffer, read, buffer.Length - read) is > 0 and var n)
            {
                read += n;
            }
        }

        if (length > UpdateFeed.MaxBytes || read > UpdateFeed.MaxBytes)
        {
            return (null, $"{path} is more than a feed's {UpdateFeed.MaxBytes} bytes.");
        }

        try
        {
            return (UpdateFeed.Parse(buffer.AsSpan(0, read)), null);
        }
        catch (FormatException e)
        {
            return (null, UpstreamException.Clip(e.Message));
        }
    }
}
