using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Upstreams.Backups;

namespace NodeHelper.Exporter.Upstreams.Lnd;

/// <summary>
/// What of LND is read from its files rather than asked over REST: when the pinned tls.cert expires, and
/// channel.backup against its copy off the disk. Read whether LND answers or not: a stale backup copy matters most
/// when LND is down. Each file is its own item: a file that cannot be read leaves only its own series out.
/// The files are read off the scrape's path (<see cref="RefreshAsync"/>, bounded), because a copy on a mounted share
/// can hang in stat() or read(): a read still running past the bound makes every file an item failure until it ends,
/// never a scrape that waits.
/// </summary>
internal sealed class LndLocalFiles(LndOptions options, TimeProvider clock)
{
    /// <summary>Longest a scrape waits for the files.</summary>
    public static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(1);

    private static readonly string[] Items = ["tls.cert", "channel.backup", "channel.backup copy"];

    /// <summary>channel.backup grows with the channels (a few hundred bytes each); this bounds a wrong path to a huge file.</summary>
    private const int CompareMaxBytes = 64 * 1024 * 1024;

    private readonly CopyComparison _comparison = new(CompareMaxBytes);
    private readonly Lock _lock = new();
    private readonly Lock _certificateLock = new();
    private (FileStamp Stamp, DateTimeOffset NotAfter)? _certificate;

    private Task? _reading;
    private Task? _overdue;
    private DateTimeOffset _readingSince;
    private LndFilesReading? _latest;

    public LndLocalFiles(LndOptions options)
        : this(options, TimeProvider.System)
    {
    }

    /// <summary>Starts a reading unless one is running, and waits for it at most <see cref="ReadBound"/>. Never throws.</summary>
    public async Task RefreshAsync()
    {
        Task reading;
        lock (_lock)
        {
            if (_reading is null or { IsCompleted: true })
            {
                _readingSince = clock.GetUtcNow();
                _reading = Task.Run(() =>
                {
                    var read = Read(CancellationToken.None);
                    lock (_lock)
                    {
                        _latest = read;
                    }
                });
            }

            reading = _reading;
        }

        if (await Task.WhenAny(reading, Task.Delay(ReadBound, clock)) != reading)
        {
            lock (_lock)
            {
                _overdue = reading;
            }
        }
    }

    /// <summary>
    /// The latest reading; while a reading has run past <see cref="ReadBound"/>, none: every file is an item that
    /// failed, saying so. Null before the first reading ends.
    /// </summary>
    public LndFilesReading? Latest()
    {
        lock (_lock)
        {
            // Overdue: a scrape waited its bound for this reading and it has not ended (not one just started by another scrape).
            if (_reading is { IsCompleted: false } && ReferenceEquals(_reading, _overdue))
            {
                var seconds = (clock.GetUtcNow() - _readingSince).TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
                var stuck = $"still being read after {seconds} s: a hung mount or device?";
                return new LndFilesReading(null, null, false, null, false, null,
                    Items.Where(i => (i != "channel.backup copy" || options.ChannelBackupCopy is not null) && (i != "channel.backup" || options.ChannelBackupFile.Length > 0)).ToDictionary(i => i, _ => (string?)stuck, StringComparer.Ordinal));
            }

            return _latest;
        }
    }

    public LndFilesReading Read(CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
        var certificate = Attempt("tls.cert", problems, () => CertificateExpiry(PathExpansion.Expand(options.TlsCertFile)));
        // No channel.backup is read for a probed LND (/probe): that file is on the probed node, not here.
        var backupPath = PathExpansion.Expand(options.ChannelBackupFile);
        var backup = options.ChannelBackupFile.Length == 0 ? null : Attempt("channel.backup", problems, () => new Looked(ExistingFile.Stat(backupPath)));
        Looked? copy = null;
        bool? matches = null;
        if (options.ChannelBackupCopy is { } copyOf)
        {
            var copyPath = PathExpansion.Expand(copyOf);
            copy = Attempt("channel.backup copy", problems, () => new Looked(ExistingFile.Stat(copyPath)));
            if (copy is { File: { } copyFile } && backup is { File: { } live })
            {
                matches = Attempt("channel.backup copy", problems, () => (bool?)_comparison.Equal("channel.backup", copyFile, live, cancellationToken));
            }
            else if (copy is { File: null } && backup is { File: not null })
            {
                matches = false; // a missing copy does not hold the backup
            }
        }

        return new LndFilesReading(certificate, backup?.File, backup is not null, copy?.File, copy is not null, matches, problems);
    }

    /// <summary>The earliest notAfter of the certificates in the PEM file, kept while the file is unchanged.</summary>
    private DateTimeOffset? CertificateExpiry(string path)
    {
        var file = ExistingFile.Stat(path) ?? throw new IOException($"{path} does not exist");
        var stamp = FileStamp.Of(file);
        lock (_certificateLock)
        {
            if (_certificate is { } known && known.Stamp == stamp)
            {
                return known.NotAfter;
            }
        }

        X509Certificate2Collection certificates = [];
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new IOException($"{path} holds no PEM certificate: {e.Message}", e);
        }

        if (certificates.Count == 0)
        {
            throw new IOException($"{path} holds no PEM certificate");
        }

        var notAfter = certificates.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime()));
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        lock (_certificateLock)
        {
            _certificate = (stamp, notAfter);
        }

        return notAfter;
    }

    private static T? Attempt<T>(string item, Dictionary<string, string?> problems, Func<T?> read)
    {
        try
        {
            var value = read();
            problems.TryAdd(item, null);
            return value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TooLargeToCompareException or SourceUnreadableException)
        {
            problems[item] = UpstreamException.Clip(e.Message);
            return default;
        }
    }

    /// <summary>A file looked at: null inside when it does not exist.</summary>
    private sealed record Looked(FileInfo? File);
}

/// <summary>
/// One reading of LND's files. <see cref="CertificateNotAfter"/> is null when tls.cert could not be read;
/// <see cref="Backup"/>/<see cref="Copy"/> are null when missing (or unreadable: <see cref="BackupRead"/>/<see cref="CopyRead"/>
/// say which); <see cref="CopyMatches"/> is null when no copy is watched or either could not be compared.
/// </summary>
internal sealed record LndFilesReading(
    DateTimeOffset? CertificateNotAfter,
    FileInfo? Backup,
    bool BackupRead,
    FileInfo? Copy,
    bool CopyRead,
    bool? CopyMatches,
    IReadOnlyDictionary<string, string?> Problems);
