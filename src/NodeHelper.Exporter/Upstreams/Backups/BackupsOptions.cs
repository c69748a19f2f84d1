using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Upstreams.Backups;

/// <summary>The backups to watch, by name; the collector is off when none is configured.</summary>
internal sealed class BackupsOptions
{
    public const string Section = "Backups";

    /// <summary>256 MiB: a wallet.dat or channel.backup is far smaller; reading two such files takes seconds on a Pi's SD card.</summary>
    public const int DefaultCompareMaxBytes = 256 * 1024 * 1024;

    /// <summary>The backups, by the name in Backups:Items:&lt;name&gt; (the <c>item</c> label).</summary>
    public IReadOnlyDictionary<string, BackupItem> Items { get; init; } = new Dictionary<string, BackupItem>();

    /// <summary>The largest copy compared with its source by content; a larger pair of equal size is not compared (the item fails, with the reason logged).</summary>
    public int CompareMaxBytes { get; init; } = DefaultCompareMaxBytes;

    public static BackupsOptions Read(SettingsReader settings)
    {
        var d = new BackupsOptions();
        return new BackupsOptions
        {
            Items = settings.Sections($"{Section}:Items", (item, prefix) => new BackupItem(
                prefix[(prefix.LastIndexOf(':') + 1)..],
                item.RequiredString($"{prefix}:Path",
                    "A backup to watch: the file a backup job writes or a copy of a live file (e.g. /mnt/usb/channel.backup); a path ending in .prom is read as a textfile-collector file for its *_last_success_timestamp_seconds."),
                item.OptionalPositive($"{prefix}:MaxAgeHours", 24 * 366, "hours",
                    "How old the backup may be before NodeHelperBackupTooOld fires (its modification time, or for a .prom file the job's last success); none: no age limit.") * 3600,
                item.String($"{prefix}:CopyOf", "",
                    "The live file this backup is a copy of (e.g. /var/lib/lnd/data/chain/bitcoin/mainnet/channel.backup): whether the copy equals it now, by content.") is { Length: > 0 } source
                    ? source
                    : null)),
            CompareMaxBytes = settings.Int($"{Section}:CompareMaxBytes", d.CompareMaxBytes, 0, int.MaxValue,
                "The largest copy (Backups:Items:<name>:CopyOf) compared with its source by content when either changes; a larger pair of equal size is reported unreadable rather than read whole on each change."),
        };
    }
}

/// <summary>One configured backup: where it is, how old it may be, and the live file it copies, if any.</summary>
internal sealed record BackupItem(string Name, string Path, double? MaxAgeSeconds, string? CopyOf)
{
    /// <summary>A textfile-collector file (as node_exporter reads *.prom): its job's last success is read from it.</summary>
    public bool IsTextfile => Path.EndsWith(".prom", StringComparison.Ordinal);
}
