using System.Diagnostics;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Backups;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>The backups collector over real files in a directory of each test's own.</summary>
public sealed class BackupsCollectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-backups-").FullName;

    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task ACopyIsComparedWithItsSourceOnEveryScrapeThatFollowsAChange()
    {
        var source = Write("lnd/channel.backup", "channels: alice, bob");
        var copy = Write("usb/channel.backup", "channels: alice, bob");
        var collector = Collector(("channel_backup", copy, null, source));

        (await Matches(collector)).Should().Be(1, "the copy holds the source's bytes");

        File.WriteAllText(source, "channels: alice, eve"); // same length, other content
        (await Matches(collector)).Should().Be(0, "the very next scrape after the source was rewritten with the same length");

        File.Copy(source, copy, overwrite: true);
        (await Matches(collector)).Should().Be(1, "copied again");

        File.WriteAllText(source, "channels: alice, bob, carol"); // a channel more
        (await Matches(collector)).Should().Be(0, "the very next scrape after the source grew");

        File.Copy(source, copy, overwrite: true);
        var restored = await Registries.CollectAsync(collector);
        restored.Value("nodehelper_backup_copy_matches", Labels("channel_backup", copy, source)).Should().Be(1);
        restored.Value("nodehelper_backup_source_success", Labels("channel_backup", copy, source)).Should().Be(1);
        restored.Value("nodehelper_backup_success", ("item", "channel_backup"), ("path", copy)).Should().Be(1);
    }

    [Fact]
    public async Task AnUnchangedPairIsNotReadAgainAndARewriteOfEitherIs()
    {
        var source = Write("lnd/channel.backup", new string('x', 100_000));
        var copy = Write("usb/channel.backup", new string('x', 100_000));
        var old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(source, old);
        File.SetLastWriteTimeUtc(copy, old.AddMinutes(1));
        var collector = Collector(("channel_backup", copy, null, source));

        (await Matches(collector)).Should().Be(1);
        (await Matches(collector)).Should().Be(1);
        (await Matches(collector)).Should().Be(1);
        collector.ContentReads.Should().Be(1, "the pair's lengths and write times did not change: two stat calls, no read");

        File.WriteAllText(source, new string('x', 99_999) + "y");
        (await Matches(collector)).Should().Be(0, "a new write time is a new comparison");
        collector.ContentReads.Should().Be(2);

        File.WriteAllText(copy, new string('x', 99_999) + "y");
        (await Matches(collector)).Should().Be(1, "the copy caught up");
    }

    [Fact]
    public async Task AMissingBackupIsAZeroNotAnAbsentSeries()
    {
        var source = Write("lnd/channel.backup", "channels");
        var gone = Path.Join(_dir, "usb", "channel.backup"); // the stick is not mounted: not even its directory
        var collector = Collector(("channel_backup", gone, null, source), ("restic", Path.Join(_dir, "restic.prom"), 26, null));

        var metrics = await Registries.CollectAsync(collector);

        metrics.Value("nodehelper_backup_exists", ("item", "channel_backup"), ("path", gone)).Should().Be(0);
        metrics.Value("nodehelper_backup_success", ("item", "channel_backup"), ("path", gone)).Should().Be(1, "looking worked; there is nothing there");
        metrics.Value("nodehelper_backup_copy_matches", Labels("channel_backup", gone, source)).Should().Be(0, "a missing copy does not hold the source");
        metrics.Value("nodehelper_backup_exists", ("item", "restic"), ("path", Path.Join(_dir, "restic.prom"))).Should().Be(0);
        metrics.Value("nodehelper_backup_max_age_seconds", ("item", "restic"), ("path", Path.Join(_dir, "restic.prom"))).Should().Be(26 * 3600);
        metrics.Names.Should().NotContain(["nodehelper_backup_last_modified_timestamp_seconds", "nodehelper_backup_size_bytes", "nodehelper_backup_last_success_timestamp_seconds"]);
    }

    [Fact]
    public async Task AMissingSourceIsItsOwnFailureNotAMatch()
    {
        var copy = Write("usb/wallet.dat", "wallet");
        var source = Path.Join(_dir, "bitcoin", "wallet.dat");
        var collector = Collector(("wallet", copy, null, source));

        var metrics = await Registries.CollectAsync(collector);

        metrics.Value("nodehelper_backup_source_success", Labels("wallet", copy, source)).Should().Be(0);
        metrics.Has("nodehelper_backup_copy_matches", Labels("wallet", copy, source)).Should().BeFalse("nothing to compare with is not a verdict");
        metrics.Value("nodehelper_backup_success", ("item", "wallet"), ("path", copy)).Should().Be(1, "the backup itself is there");
        _logs.All.Should().Contain("Collector backups, wallet source: " + source + ": does not exist");

        Write("bitcoin/wallet.dat", "wallet");
        (await Registries.CollectAsync(collector)).Value("nodehelper_backup_copy_matches", Labels("wallet", copy, source)).Should().Be(1);
        _logs.All.Should().Contain("Collector backups, wallet source: working again");
    }

    [Fact]
    public async Task ItsModificationTimeSizeAndMaximumAgeAreExportedExactly()
    {
        var path = Write("borg/last-archive", new string('b', 12_345));
        var written = new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        var metrics = await Registries.CollectAsync(Collector(("borg", path, 36, null)));

        metrics.Value("nodehelper_backup_last_modified_timestamp_seconds", ("item", "borg"), ("path", path)).Should().Be(1704164645.678);
        metrics.Value("nodehelper_backup_size_bytes", ("item", "borg"), ("path", path)).Should().Be(12_345);
        metrics.Value("nodehelper_backup_exists", ("item", "borg"), ("path", path)).Should().Be(1);
        metrics.Value("nodehelper_backup_max_age_seconds", ("item", "borg"), ("path", path)).Should().Be(36 * 3600);
        metrics.Names.Should().NotContain("nodehelper_backup_last_success_timestamp_seconds", "not a .prom file");
        metrics.Names.Should().NotContain("nodehelper_backup_copy_matches", "not a copy");
    }

    [Fact]
    public async Task ABackupJobsTextfileGivesItsLastSuccess()
    {
        // As a restic wrapper writes it for node_exporter's textfile collector: two repositories, the older success counts.
        var path = Write("textfile/restic.prom",
            "# HELP restic_backup_last_success_timestamp_seconds Last successful backup.\n" +
            "# TYPE restic_backup_last_success_timestamp_seconds gauge\n" +
            "restic_backup_last_success_timestamp_seconds{repo=\"nas\",host=\"a b}c\"} 1733000000\n" +
            "restic_backup_last_success_timestamp_seconds{repo=\"b2\"} 1.7329e9 1733000000000\n" +
            "restic_backup_duration_seconds 42.5\n" +
            "restic_backup_last_run_timestamp_seconds 1733100000\n");

        var metrics = await Registries.CollectAsync(Collector(("restic", path, 26, null)));

        metrics.Value("nodehelper_backup_last_success_timestamp_seconds", ("item", "restic"), ("path", path)).Should().Be(1_732_900_000);
        metrics.Value("nodehelper_backup_success", ("item", "restic"), ("path", path)).Should().Be(1);
        metrics.Value("nodehelper_backup_exists", ("item", "restic"), ("path", path)).Should().Be(1);
    }

    [Theory]
    [InlineData("garbage", "\u0000\u0001PK\u0003\u0004 not a metrics file {{{", "has no *_last_success_timestamp_seconds sample")]
    [InlineData("nan", "job_last_success_timestamp_seconds NaN\n", "job_last_success_timestamp_seconds is 'NaN', not a number of seconds")]
    [InlineData("text", "job_last_success_timestamp_seconds yesterday\n", "is 'yesterday', not a number of seconds")]
    [InlineData("infinite", "job_last_success_timestamp_seconds +Inf\n", "is '+Inf', not a number of seconds")]
    [InlineData("future", "job_last_success_timestamp_seconds 99999999999\n", "is 99999999999, in the future")]
    [InlineData("negative", "job_last_success_timestamp_seconds -1\n", "is -1, before 1970")]
    [InlineData("empty", "", "has no *_last_success_timestamp_seconds sample")]
    public async Task HostileTextfileContentFailsOnlyThatItem(string name, string content, string logged)
    {
        var hostile = Write($"textfile/{name}.prom", content);
        var good = Write("textfile/good.prom", "good_last_success_timestamp_seconds 1733000000\n");

        var metrics = await Registries.CollectAsync(Collector((name, hostile, 26, null), ("good", good, 26, null)));

        metrics.Value("nodehelper_backup_success", ("item", name), ("path", hostile)).Should().Be(0);
        metrics.Series.Keys.Where(k => k.Contains($"item=\"{name}\"", StringComparison.Ordinal)).Should().ContainSingle("a refused item leaves only its success series");
        metrics.Value("nodehelper_backup_last_success_timestamp_seconds", ("item", "good"), ("path", good)).Should().Be(1733000000);
        _logs.All.Should().Contain($"Collector backups, {name}: {hostile}: ").And.Contain(logged);
    }

    [Fact]
    public async Task AHugeTextfileIsRefusedAfterReadingAtMostTheCap()
    {
        var hostile = Path.Join(_dir, "huge.prom");
        using (var file = File.Create(hostile))
        {
            file.SetLength(64L * 1024 * 1024); // sparse: 64 MiB of zeros, then a valid sample that is never reached
            file.Write("\njob_last_success_timestamp_seconds 1733000000\n"u8);
        }

        var metrics = await Registries.CollectAsync(Collector(("huge", hostile, null, null)));

        metrics.Value("nodehelper_backup_success", ("item", "huge"), ("path", hostile)).Should().Be(0);
        _logs.All.Should().Contain($"is larger than {TextfileTimestamp.MaxBytes} bytes");
    }

    [Fact]
    public async Task AnEqualLengthPairAboveTheLimitIsNotReadAndSaysSo()
    {
        var source = Write("bitcoin/wallet.dat", new string('w', 4096));
        var copy = Write("usb/wallet.dat", new string('w', 4096));
        var shorter = Write("usb/old-wallet.dat", new string('w', 4000));
        var collector = new BackupsCollector(
            Options(1024, ("wallet", copy, null, source), ("old_wallet", shorter, null, source)), new ItemLog(_logs.CreateLogger("backups"), "backups"));

        var metrics = await Registries.CollectAsync(collector);

        metrics.Value("nodehelper_backup_success", ("item", "wallet"), ("path", copy)).Should().Be(0);
        metrics.Value("nodehelper_backup_copy_matches", Labels("old_wallet", shorter, source)).Should().Be(0, "lengths that differ need no read");
        collector.ContentReads.Should().Be(0);
        _logs.All.Should().Contain("more than Backups:CompareMaxBytes (1024)");
    }

    [Fact]
    public async Task ADirectoryWhereTheBackupShouldBeIsAFailureNotAFile()
    {
        var directory = Directory.CreateDirectory(Path.Join(_dir, "backup.tar")).FullName;

        var metrics = await Registries.CollectAsync(Collector(("tar", directory, 24, null)));

        metrics.Value("nodehelper_backup_success", ("item", "tar"), ("path", directory)).Should().Be(0);
        _logs.All.Should().Contain("is a directory, not a file");
    }

    [Fact]
    public async Task WhatTheExportersUserMayNotReadIsAFailureNotAMissingFileOrAMatch()
    {
        // The exporter as nobody (65534), as the packaged service runs unprivileged; the files are root's.
        const UnixFileMode Open = (UnixFileMode)0b111_101_101; // 0755
        File.SetUnixFileMode(_dir, Open);
        var locked = Directory.CreateDirectory(Path.Join(_dir, "lnd")).FullName;
        File.SetUnixFileMode(locked, (UnixFileMode)0b111_000_000); // 0700: LND's data directory, its user's only
        var source = Write("lnd/channel.backup", "channels");
        var tar = Write("lnd/backup.tar", "tar");
        var copy = Write("usb/channel.backup", "channels");
        var wallet = Write("usb/wallet.dat", "wallet");
        var liveWallet = Write("usb/wallet.live", "wallet");
        File.SetUnixFileMode(liveWallet, (UnixFileMode)0b110_000_000); // 0600: stat works, reading does not
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("setpriv")
        {
            ArgumentList =
            {
                "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", ExporterBinary.Dll, $"--urls=http://127.0.0.1:{port}",
                "--Services:Enabled=false", "--Host:Enabled=false", "--Posture:Enabled=false", "--Bitcoind:Enabled=false",
                $"--Backups:Items:channel_backup:Path={copy}", $"--Backups:Items:channel_backup:CopyOf={source}",
                $"--Backups:Items:tar:Path={tar}",
                $"--Backups:Items:wallet:Path={wallet}", $"--Backups:Items:wallet:CopyOf={liveWallet}",
            },
            Environment = { ["HOME"] = _dir, ["DOTNET_CLI_HOME"] = _dir },
        };

        var metrics = await ExporterBinary.FirstScrapeAsync(start, port);

        metrics.Value("nodehelper_scrape_collector_success", ("collector", "backups")).Should().Be(1, "items fail, the scrape does not");
        metrics.Value("nodehelper_backup_success", ("item", "tar"), ("path", tar)).Should().Be(0, "a file behind a directory it may not enter is unknown, not missing");
        metrics.Has("nodehelper_backup_exists", ("item", "tar"), ("path", tar)).Should().BeFalse();
        metrics.Value("nodehelper_backup_source_success", Labels("channel_backup", copy, source)).Should().Be(0);
        metrics.Has("nodehelper_backup_copy_matches", Labels("channel_backup", copy, source)).Should().BeFalse();
        metrics.Value("nodehelper_backup_success", ("item", "channel_backup"), ("path", copy)).Should().Be(1);
        metrics.Value("nodehelper_backup_source_success", Labels("wallet", wallet, liveWallet)).Should().Be(0, "a source it may stat but not read");
        metrics.Has("nodehelper_backup_copy_matches", Labels("wallet", wallet, liveWallet)).Should().BeFalse();
    }

    private static async Task<double> Matches(BackupsCollector collector)
    {
        var metrics = await Registries.CollectAsync(collector);
        return metrics.Family("nodehelper_backup_copy_matches").Should().ContainSingle().Which.Value;
    }

    private static (string, string)[] Labels(string item, string path, string source) => [("item", item), ("path", path), ("source", source)];

    private string Write(string relative, string content)
    {
        var path = Path.Join(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private BackupsCollector Collector(params (string Name, string Path, double? MaxAgeHours, string? CopyOf)[] items) =>
        new(Options(BackupsOptions.DefaultCompareMaxBytes, items), new ItemLog(_logs.CreateLogger("backups"), "backups"));

    private static BackupsOptions Options(int compareMaxBytes, params (string Name, string Path, double? MaxAgeHours, string? CopyOf)[] items) => new()
    {
        Items = items.ToDictionary(i => i.Name, i => new BackupItem(i.Name, i.Path, i.MaxAgeHours * 3600, i.CopyOf)),
        CompareMaxBytes = compareMaxBytes,
    };

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
