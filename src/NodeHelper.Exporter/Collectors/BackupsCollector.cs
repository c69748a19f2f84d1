using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Backups;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The configured backups (Backups:Items:&lt;name&gt;): whether each exists, when it was last written and how big it
/// is, how old it may be; for a copy of a live file (LND's channel.backup on a USB stick), whether it equals that
/// file now; for a textfile-collector file a backup job writes (*.prom), the job's last success. Each item is read
/// on its own: one that cannot be read fails alone (nodehelper_backup_success 0), never the scrape.
/// </summary>
internal sealed class BackupsCollector(BackupsOptions options, ItemLog items) : IMetricsCollector
{
    private readonly CopyComparison _comparison = new(options.CompareMaxBytes);

    public string Name => "backups";

    public string Description => "backups: whether each exists, its age and size, whether a copy equals its live file, a backup job's last success";

    /// <summary>No upstream to be down: each backup is an item (nodehelper_backup_success).</summary>
    public UpGauge? Up => null;

    /// <summary>The comparisons that read content rather than reuse a verdict (for tests).</summary>
    internal int ContentReads => _comparison.ContentReads;

    public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var success = metrics.Family("nodehelper_backup_success",
            "Whether the backup could be examined (1) or not (0): its file or directory unreadable, a .prom file's content refused, a copy too large to compare. A missing backup is examined: see nodehelper_backup_exists.", "item", "path");
        var exists = metrics.Family("nodehelper_backup_exists", "Whether the backup file exists (1) or not (0).", "item", "path");
        var modified = metrics.Family("nodehelper_backup_last_modified_timestamp_seconds", "When the backup file was last written (its mtime), Unix seconds.", "item", "path");
        var size = metrics.Family("nodehelper_backup_size_bytes", "Size of the backup file.", "item", "path");
        var maxAge = metrics.Family("nodehelper_backup_max_age_seconds", "How old the backup may be (Backups:Items:<name>:MaxAgeHours), for rules comparing it with time() - its last write or last success.", "item", "path");
        var lastSuccess = metrics.Family("nodehelper_backup_last_success_timestamp_seconds",
            "When the backup job last succeeded, Unix seconds: the oldest *_last_success_timestamp_seconds sample of a .prom file it writes.", "item", "path");
        var matches = metrics.Family("nodehelper_backup_copy_matches",
            "Whether the backup has the same content as the live file it copies (Backups:Items:<name>:CopyOf) now (1) or not, or is missing (0). Absent when the source cannot be read.", "item", "path", "source");
        var sourceOk = metrics.Family("nodehelper_backup_source_success",
            "Whether the live file a backup copies (Backups:Items:<name>:CopyOf) exists and could be read (1) or not (0).", "item", "path", "source");

        foreach (var item in options.Items.Values.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = PathExpansion.Expand(item.Path);
            var labels = new[] { item.Name, LabelValue.Clip(path) };
            Reading reading;
            try
            {
                reading = Read(item, path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                success.WithLabels(labels).Set(0);
                items.Note(item.Name, $"{path}: {UpstreamException.Clip(e.Message)}");
                continue;
            }

            success.WithLabels(labels).Set(1);
            exists.WithLabels(labels).Set(reading.File is null ? 0 : 1);
            if (reading.File is { } file)
            {
                modified.WithLabels(labels).Set(new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds() / 1000.0);
                size.WithLabels(labels).Set(file.Length);
            }

            if (item.MaxAgeSeconds is { } seconds)
            {
                maxAge.WithLabels(labels).Set(seconds);
            }

            if (reading.LastSuccess is { } succeeded)
            {
                lastSuccess.WithLabels(labels).Set(succeeded);
            }

            if (reading.Source is { } source)
            {
                var copyLabels = new[] { item.Name, labels[1], LabelValue.Clip(source.Path) };
                sourceOk.WithLabels(copyLabels).Set(source.Problem is null ? 1 : 0);
                if (source.Matches is { } equal)
                {
                    matches.WithLabels(copyLabels).Set(equal ? 1 : 0);
                }

                items.Note($"{item.Name} source", source.Problem is null ? null : $"{source.Path}: {source.Problem}");
            }

            items.Note(item.Name, null);
        }

        return Task.CompletedTask;
    }

    /// <summary>Everything of one item, read before anything is written: a failure leaves no partial series.</summary>
    private Reading Read(BackupItem item, string path, CancellationToken cancellationToken)
    {
        var file = ExistingFile.Stat(path);
        double? lastSuccess = file is not null && item.IsTextfile ? TextfileTimestamp.Read(path, DateTimeOffset.UtcNow) : null;
        return new Reading(file, lastSuccess, item.CopyOf is { } copyOf ? Compare(item, file, PathExpansion.Expand(copyOf), cancellationToken) : null);
    }

    private SourceReading Compare(BackupItem item, FileInfo? copy, string sourcePath, CancellationToken cancellationToken)
    {
        FileInfo? source;
        try
        {
            source = ExistingFile.Stat(sourcePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SourceReading(sourcePath, null, UpstreamException.Clip(e.Message));
        }

        if (source is null)
        {
            return new SourceReading(sourcePath, null, "does not exist");
        }

        if (copy is null)
        {
            return new SourceReading(sourcePath, false, null); // a missing copy does not hold the source's content
        }

        try
        {
            return new SourceReading(sourcePath, _comparison.Equal(item.Name, copy, source, cancellationToken), null);
        }
        catch (SourceUnreadableException e)
        {
            return new SourceReading(sourcePath, null, UpstreamException.Clip(e.Message));
        }
    }

    private sealed record Reading(FileInfo? File, double? LastSuccess, SourceReading? Source);

    /// <summary>The live file a copy is of: whether the copy matches it (null when it could not be read), and why not.</summary>
    private sealed record SourceReading(string Path, bool? Matches, string? Problem);
}
