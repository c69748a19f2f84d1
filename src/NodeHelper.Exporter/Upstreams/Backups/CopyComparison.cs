namespace NodeHelper.Exporter.Upstreams.Backups;

/// <summary>What a file looked like to stat(): its length and last write time, the key of a cached verdict.</summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    public static FileStamp Of(FileInfo file) => new(file.Length, file.LastWriteTimeUtc);
}

/// <summary>
/// Whether a backup copy has the same content as its live file, now. A channel backup is rewritten only when
/// channels change, so its age says nothing; its content does. Comparing on every scrape would read both files
/// every 15 seconds, so:
/// <list type="bullet">
/// <item>different lengths differ, with nothing read;</item>
/// <item>equal lengths are compared byte by byte (stopping at the first difference), and the verdict is kept
/// keyed by both files' (length, last write time): an unchanged pair costs the two stat calls the scrape makes
/// anyway, and a rewrite of either file (a new last write time) is compared again on the very next scrape;</item>
/// <item>a verdict made while either file was written within <see cref="RacyWindow"/> is not kept (git's "racily
/// clean" rule): the kernel's file times tick in milliseconds, so a second rewrite that soon after could keep the
/// same time;</item>
/// <item>a pair longer than the limit (Backups:CompareMaxBytes) is not read at all: the caller reports it.</item>
/// </list>
/// A rewrite that keeps both the length and the last write time (touch -r, or a copy tool that restores times)
/// is not seen until one of them changes, as with rsync's and make's own checks.
/// </summary>
internal sealed class CopyComparison(int maxBytes)
{
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private const int ChunkBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (FileStamp Copy, FileStamp Source, bool Equal)> _verdicts = new(StringComparer.Ordinal);
    private int _contentReads;

    /// <summary>How many comparisons read the files' content (the cache missed): for tests.</summary>
    public int ContentReads => Volatile.Read(ref _contentReads);

    /// <summary>Whether <paramref name="copy"/> equals <paramref name="source"/>, for the item <paramref name="item"/>.</summary>
    /// <exception cref="TooLargeToCompareException">Equal lengths above the limit.</exception>
    /// <exception cref="SourceUnreadableException">The source cannot be opened or read.</exception>
    /// <exception cref="IOException">The copy cannot be read.</exception>
    public bool Equal(string item, FileInfo copy, FileInfo source, CancellationToken cancellationToken)
    {
        var (copyStamp, sourceStamp) = (FileStamp.Of(copy), FileStamp.Of(source));
        if (copyStamp.Length != sourceStamp.Length)
        {
            return false;
        }

        lock (_lock)
        {
            if (_verdicts.TryGetValue(item, out var known) && known.Copy == copyStamp && known.Source == sourceStamp)
            {
                return known.Equal;
            }
        }

        if (copyStamp.Length > maxBytes)
        {
            throw new TooLargeToCompareException(copyStamp.Length, maxBytes);
        }

        var started = DateTime.UtcNow;
        var equal = SameContent(copy.FullName, source.FullName, cancellationToken);
        Interlocked.Increment(ref _contentReads);
        lock (_lock)
        {
            var newest = copyStamp.LastWriteUtc > sourceStamp.LastWriteUtc ? copyStamp.LastWriteUtc : sourceStamp.LastWriteUtc;
            if (started - newest >= RacyWindow)
            {
                _verdicts[item] = (copyStamp, sourceStamp, equal);
            }
            else
            {
                _verdicts.Remove(item);
            }
        }

        return equal;
    }

    private static bool SameContent(string copyPath, string sourcePath, CancellationToken cancellationToken)
    {
        FileStream source;
        try
        {
            source = Open(sourcePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceUnreadableException(e);
        }

        using (source)
        {
            using var copy = Open(copyPath);
            var a = new byte[ChunkBytes];
            var b = new byte[ChunkBytes];
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fromCopy = copy.ReadAtLeast(a, a.Length, throwOnEndOfStream: false);
                int fromSource;
                try
                {
                    fromSource = source.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
                }
                catch (IOException e)
                {
                    throw new SourceUnreadableException(e);
                }

                if (fromCopy != fromSource || !a.AsSpan(0, fromCopy).SequenceEqual(b.AsSpan(0, fromSource)))
                {
                    return false;
                }

                if (fromCopy == 0)
                {
                    return true;
                }
            }
        }
    }

    /// <summary>Read while the writer may still be at it (LND rewrites channel.backup in place or by rename).</summary>
    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
}

/// <summary>The live file a copy is compared with could not be read: its own failure, never "matches".</summary>
internal sealed class SourceUnreadableException(Exception inner) : IOException(inner.Message, inner);

/// <summary>A copy and its source of equal length above Backups:CompareMaxBytes: not read.</summary>
internal sealed class TooLargeToCompareException(long length, int maxBytes)
    : IOException($"the copy and its source are {length} bytes each, more than Backups:CompareMaxBytes ({maxBytes}): not compared by content; raise the limit to compare them");
