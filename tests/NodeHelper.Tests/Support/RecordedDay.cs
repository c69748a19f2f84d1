using System.Globalization;
using System.Text;

namespace NodeHelper.Tests.Support;

/// <summary>
/// 25 hours of a node's history, built from a real recorded scrape of the whole stack (Fixtures/report/whole-stack.prom)
/// with one scripted day on top: a block every 10 minutes, bitcoind down for 30 minutes ten hours ago (with the
/// alert Prometheus would have fired), the Electrum server 4 blocks behind for 35 minutes three hours ago (and its
/// warning, 20 minutes), electrs restarted three times six hours ago, the bitcoind disk filling to be full in 50.5 days,
/// apt's lists refreshed 6 hours before the end, the version feed made a day before, a channel backup copy written
/// three days before and a restic job's success five hours before. LND follows bitcoind's tip with a force close
/// maturing and an HTLC in flight (their blocks left counting down with the blocks), and restarted about eight hours
/// before the end: its wallet waited locked for 20 minutes (LND answering only its state, with the alert Prometheus would
/// have fired from the fifth minute on).
/// Four more nodes, each in a job of its own so the main day's report covers one node: a node Prometheus has watched
/// for only <see cref="YoungMinutes"/> minutes (job <see cref="YoungJob"/>: its disk falling fast over those minutes,
/// its tip 8 minutes old, the disk alert pending), and a node whose bitcoind data directory moved five hours ago (job
/// <see cref="MovedJob"/>: two path series for one component in the window), a node without LND (job
/// <see cref="NoLightningJob"/>: the recorded scrape but LND's series for the last half hour), and a node whose LND
/// answers with hostile label values (job <see cref="HostileJob"/>, for ten minutes, with an lnd alert as hostile).
/// Beside the scrapes, the main node has the lag records the bundle's recording rules would have stored (<see cref="LagRecords"/>).
/// Written as OpenMetrics for <c>promtool tsdb create-blocks-from openmetrics</c>, one sample a minute.
/// </summary>
internal sealed partial class RecordedDay
{
    public const string Job = "nodehelper";
    public const string Instance = "node:9338";
    public const long FirstBlock = 925_000;
    public const double DaysUntilFull = 50.5;

    public const string YoungJob = "young";
    public const string YoungInstance = "young:9338";
    public const int YoungMinutes = 3;

    public const string MovedJob = "moved";
    public const string MovedInstance = "moved:9338";

    public const string NoLightningJob = "no-lightning";
    public const string NoLightningInstance = "plain:9338";

    public const string HostileJob = "hostile";
    public const string HostileInstance = "hostile:9338";

    /// <summary>What the hostile node's LND says its version is, and its wallet state; and a label of its alert.</summary>
    public const string HostileVersion = "0.18.4-beta<script>alert('version')</script>";
    public const string HostileState = "<img src=x onerror=\"alert('state')\">";
    public const string HostileChannel = "</td><iframe src=\"//evil.example\">";

    /// <summary>The last block of the day (a block every 10 minutes over 25 hours).</summary>
    public const long LastBlock = FirstBlock + 150;

    /// <summary>The force close in the recorded scrape matures 144 blocks after the last block; the HTLC expires 400 after it.</summary>
    public const long ForceCloseMaturityHeight = LastBlock + 144;
    public const long HtlcExpiryHeight = LastBlock + 400;

    /// <summary>LND's tls.cert has this long left at the end of the day.</summary>
    public static readonly TimeSpan LndCertificateLeft = TimeSpan.FromDays(300);

    public static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    private readonly Exposition _recorded = Exposition.Parse(File.ReadAllText(Path.Join(AppContext.BaseDirectory, "Fixtures", "report", "whole-stack.prom")));

    public RecordedDay(DateTimeOffset end)
    {
        End = end;
        Start = end - TimeSpan.FromHours(25);
    }

    /// <summary>The last sample; the report is made at this moment.</summary>
    public DateTimeOffset End { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset BitcoindDownFrom => End - TimeSpan.FromHours(10);

    public DateTimeOffset BitcoindDownUntil => BitcoindDownFrom + TimeSpan.FromMinutes(30);

    /// <summary>NodeHelperBitcoindDown fires after its 2 minutes and lasts until bitcoind is back: 28 minutes.</summary>
    public DateTimeOffset BitcoindAlertFrom => BitcoindDownFrom + TimeSpan.FromMinutes(2);

    public DateTimeOffset ElectrumBehindFrom => End - TimeSpan.FromHours(3);

    /// <summary>35 minutes behind: NodeHelperElectrumBehind fires after its 15 minutes and lasts 20.</summary>
    public DateTimeOffset ElectrumBehindUntil => ElectrumBehindFrom + TimeSpan.FromMinutes(35);

    public DateTimeOffset ElectrsRestartsFrom => End - TimeSpan.FromHours(6);

    /// <summary>apt refreshes its lists twice a day: at the end of the day they are 6 hours old.</summary>
    public static readonly TimeSpan AptListsAge = TimeSpan.FromHours(6);

    /// <summary>The version feed was made the day before the report.</summary>
    public DateTimeOffset FeedMadeAt => End - TimeSpan.FromDays(1);

    /// <summary>The channel backup (and its copy) last changed three days ago, when a channel opened.</summary>
    public DateTimeOffset ChannelBackupWrittenAt => End - TimeSpan.FromDays(3);

    /// <summary>The nightly restic job succeeded five hours before the report (its limit: 26 hours).</summary>
    public DateTimeOffset ResticSucceededAt => End - TimeSpan.FromHours(5);

    /// <summary>
    /// LND restarted: its wallet locked from then until <see cref="LndUnlockedAt"/>. Three minutes after a block: a real
    /// Prometheus marks the series LND stops answering stale, a backfill cannot, and read through the 5-minute lookback
    /// across the gap their last height still equals bitcoind's (LND was not behind; the day has no such lag).
    /// </summary>
    public DateTimeOffset LndLockedFrom => End - TimeSpan.FromHours(8) + TimeSpan.FromMinutes(3);

    public DateTimeOffset LndUnlockedAt => LndLockedFrom + TimeSpan.FromMinutes(20);

    /// <summary>NodeHelperLndWalletLocked fires from the fifth minute locked until the wallet is unlocked: 15 minutes.</summary>
    public DateTimeOffset LndAlertFrom => LndLockedFrom + TimeSpan.FromMinutes(5);

    /// <summary>The node without LND: the last half hour.</summary>
    public DateTimeOffset NoLightningFrom => End - TimeSpan.FromMinutes(30);

    /// <summary>The hostile node: the last ten minutes.</summary>
    public DateTimeOffset HostileFrom => End - TimeSpan.FromMinutes(10);

    /// <summary>The young node's first sample.</summary>
    public DateTimeOffset YoungFrom => End - TimeSpan.FromMinutes(YoungMinutes);

    /// <summary>When the moved node's bitcoind data directory moved from /mnt/old to /mnt/new.</summary>
    public DateTimeOffset MovedAt => End - TimeSpan.FromHours(5);

    /// <summary>The warnings the recorded scrape's own state fires the whole day: mempool.service failed, the Pi's power (get_throttled).</summary>
    public static readonly (string Alert, string Scope, string Labels)[] StandingAlerts =
    [
        ("NodeHelperServiceFailed", "services", "state=\"failed\",unit=\"mempool.service\""),
        ("NodeHelperPiUnderVoltage", "host", "flag=\"under_voltage\",when=\"now\""),
        ("NodeHelperPiThrottled", "host", "flag=\"throttled\",when=\"now\""),
    ];

    public double Recorded(string series) => _recorded.Series[series];

    /// <summary>Every series of one family in the recorded scrape, by its key.</summary>
    public IReadOnlyDictionary<string, double> RecordedFamily(string name) => _recorded.Family(name);

    public string ToOpenMetrics()
    {
        var text = new StringBuilder(48 * 1024 * 1024);
        foreach (var family in _recorded.Series.Keys.GroupBy(k => k.Split('{')[0], StringComparer.Ordinal))
        {
            text.Append("# TYPE ").Append(family.Key).Append(" gauge\n");
            foreach (var series in family)
            {
                for (var time = Start; time <= End; time += Step)
                {
                    if (Value(family.Key, series, time) is { } value)
                    {
                        Sample(text, series, value, time);
                    }
                }

                for (var time = YoungFrom; time <= End; time += Step)
                {
                    Sample(text, series, YoungValue(family.Key, series, time), time, YoungJob, YoungInstance);
                }

                if (!family.Key.StartsWith("lnd_", StringComparison.Ordinal) && !series.Contains("\"lnd\"", StringComparison.Ordinal))
                {
                    for (var time = NoLightningFrom; time <= End; time += Step)
                    {
                        Sample(text, series, Recorded(series), time, NoLightningJob, NoLightningInstance);
                    }
                }

                if (family.Key.StartsWith("lnd_", StringComparison.Ordinal))
                {
                    for (var time = HostileFrom; time <= End; time += Step)
                    {
                        Sample(text, HostileSeries(family.Key, series), Recorded(series), time, HostileJob, HostileInstance);
                    }
                }

                if (family.Key is "nodehelper_filesystem_size_bytes" or "nodehelper_filesystem_avail_bytes" && series.Contains("\"bitcoind\"", StringComparison.Ordinal))
                {
                    for (var time = Start; time <= End; time += Step)
                    {
                        var path = time < MovedAt ? "/mnt/old" : "/mnt/new";
                        Sample(text, PathLabel().Replace(series, $"path=\"{path}\""), Recorded(series), time, MovedJob, MovedInstance);
                    }
                }
            }
        }

        // What the recording rules of the bundle would have stored beside the scrapes: each indexer's lag behind bitcoind.
        foreach (var record in LagRecords)
        {
            text.Append("# TYPE ").Append(record).Append(" gauge\n");
            for (var time = Start; time <= End; time += Step)
            {
                if (Lag(record, time) is { } lag)
                {
                    Sample(text, record, lag, time);
                }
            }
        }

        text.Append("# TYPE up gauge\n");
        for (var time = Start; time <= End; time += Step)
        {
            Sample(text, "up", 1, time);
            Sample(text, "up", 1, time, MovedJob, MovedInstance);
            if (time >= YoungFrom)
            {
                Sample(text, "up", 1, time, YoungJob, YoungInstance);
            }

            if (time >= NoLightningFrom)
            {
                Sample(text, "up", 1, time, NoLightningJob, NoLightningInstance);
            }

            if (time >= HostileFrom)
            {
                Sample(text, "up", 1, time, HostileJob, HostileInstance);
            }
        }

        text.Append("# TYPE ALERTS gauge\n");
        Alert(text, "NodeHelperBitcoindDown", "critical", "bitcoind", BitcoindAlertFrom, BitcoindDownUntil);
        Alert(text, "NodeHelperElectrumBehind", "warning", "electrum", ElectrumBehindFrom + TimeSpan.FromMinutes(15), ElectrumBehindUntil);
        Alert(text, "NodeHelperLndWalletLocked", "critical", "lnd", LndAlertFrom, LndUnlockedAt);

        // The hostile node's alert about LND carries a label as hostile as its values.
        var hostile = $"ALERTS{{alertname=\"NodeHelperLndChannelsInactive\",alertstate=\"firing\",chan_id=\"{Escape(HostileChannel)}\",scope=\"lnd\",severity=\"warning\"}}";
        for (var time = HostileFrom; time <= End; time += Step)
        {
            Sample(text, hostile, 1, time, HostileJob, HostileInstance);
        }

        // What the recorded scrape shows all day long, Prometheus alerts on all day long: a failed unit, a Pi short of power.
        foreach (var (alert, scope, labels) in StandingAlerts)
        {
            var series = $"ALERTS{{alertname=\"{alert}\",alertstate=\"firing\",{labels},scope=\"{scope}\",severity=\"warning\"}}";
            for (var time = Start; time <= End; time += Step)
            {
                Sample(text, series, 1, time);
            }
        }

        // On the young node, the disk-filling alert is pending: its condition has held since the first scrape.
        const string filling = "alertname=\"NodeHelperFilesystemFillingUp\",component=\"bitcoind\",path=\"/var/lib/bitcoind\",scope=\"host\",severity=\"warning\"";
        for (var time = YoungFrom; time <= End; time += Step)
        {
            Sample(text, $"ALERTS{{{filling},alertstate=\"pending\"}}", 1, time, YoungJob, YoungInstance);
        }

        text.Append("# TYPE ALERTS_FOR_STATE gauge\n");
        for (var time = YoungFrom; time <= End; time += Step)
        {
            Sample(text, $"ALERTS_FOR_STATE{{{filling}}}", YoungFrom.ToUnixTimeSeconds(), time, YoungJob, YoungInstance);
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    /// <summary>The recording rules' lag of each indexer behind bitcoind (prometheus/rules/nodehelper-recording.yml), stored for the main node.</summary>
    public static readonly string[] LagRecords =
        ["instance:electrum_tip_height:lag_blocks", "instance:mempool_tip_height:lag_blocks", "instance:lnd_block_height:lag_blocks"];

    /// <summary>How far the Electrum server falls behind for 35 minutes three hours before the end.</summary>
    public const long ElectrumLag = 4;

    /// <summary>
    /// A lag record at a moment as the rule evaluates it: bitcoind_blocks minus the indexer's height, so nothing while
    /// bitcoind is down, and nothing of LND's while its wallet is locked.
    /// </summary>
    private double? Lag(string record, DateTimeOffset time)
    {
        if (time >= BitcoindDownFrom && time < BitcoindDownUntil)
        {
            return null;
        }

        return record switch
        {
            "instance:electrum_tip_height:lag_blocks" => time >= ElectrumBehindFrom && time < ElectrumBehindUntil ? ElectrumLag : 0,
            "instance:lnd_block_height:lag_blocks" when time >= LndLockedFrom && time < LndUnlockedAt => null,
            _ => 0,
        };
    }

    /// <summary>The young node: the recorded scrape, but a tip 8 minutes old and a disk that loses 1% of its space a minute.</summary>
    private double YoungValue(string name, string series, DateTimeOffset time) => name switch
    {
        "bitcoind_best_block_timestamp_seconds" => (YoungFrom - TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(),
        "nodehelper_filesystem_avail_bytes" when series.Contains("\"bitcoind\"", StringComparison.Ordinal) =>
            Recorded(series) * (1 - (0.01 * (time - YoungFrom).TotalMinutes)),
        _ => Recorded(series),
    };

    /// <summary>A series' value at a moment, or null when the scripted day has no sample (bitcoind's series while it is down).</summary>
    private double? Value(string name, string series, DateTimeOffset time)
    {
        var down = time >= BitcoindDownFrom && time < BitcoindDownUntil;
        var blocks = FirstBlock + Math.Floor((time - Start).TotalSeconds / 600);
        var seconds = time.ToUnixTimeSeconds();
        switch (name)
        {
            case "bitcoind_up":
                return down ? 0 : 1;
            case "bitcoind_warming_up":
                return 0;
            case "nodehelper_scrape_collector_success" when series.Contains("\"bitcoind\"", StringComparison.Ordinal):
                return down ? 0 : 1;
        }

        if (down && name.StartsWith("bitcoind_", StringComparison.Ordinal))
        {
            return null;
        }

        if (name.StartsWith("lnd_", StringComparison.Ordinal))
        {
            return LndValue(name, series, time, blocks);
        }

        return name switch
        {
            "bitcoind_blocks" or "bitcoind_headers" or "bitcoind_latest_block_height" or "mempool_tip_height" or "mariadb_mempool_indexed_block_height" => blocks,
            "electrum_tip_height" => time >= ElectrumBehindFrom && time < ElectrumBehindUntil ? blocks - ElectrumLag : blocks,
            "bitcoind_best_block_timestamp_seconds" => (Start + TimeSpan.FromSeconds(600 * Math.Floor((time - Start).TotalSeconds / 600))).ToUnixTimeSeconds(),
            "bitcoind_uptime_seconds" => (time - Start).TotalSeconds + (3 * 86400),
            "mariadb_uptime_seconds" => (time - Start).TotalSeconds + (5 * 86400),
            "mariadb_mempool_newest_statistics_timestamp_seconds" or "nodehelper_directory_size_timestamp_seconds" => seconds - 30,
            "mempool_frontend_tls_certificate_expiry_timestamp_seconds" => (End + TimeSpan.FromDays(60)).ToUnixTimeSeconds(),
            "nodehelper_service_restarts_total" when series.Contains("\"electrs.service\"", StringComparison.Ordinal) =>
                Recorded(series) + Math.Clamp(Math.Floor((time - ElectrsRestartsFrom).TotalMinutes / 10) + 1, 0, 3),
            "nodehelper_filesystem_avail_bytes" when series.Contains("\"bitcoind\"", StringComparison.Ordinal) =>
                Recorded(series) + ((End - time).TotalSeconds * Recorded(series) / (DaysUntilFull * 86400)),
            "nodehelper_cpu_seconds_total" => Recorded(series) + ((time - Start).TotalSeconds * CpuRate(series)),
            "nodehelper_apt_lists_updated_timestamp_seconds" => seconds - AptListsAge.TotalSeconds,
            "nodehelper_apt_upgrades_last_check_timestamp_seconds" => seconds - 600,
            "nodehelper_update_feed_generated_timestamp_seconds" => FeedMadeAt.ToUnixTimeSeconds(),
            "nodehelper_backup_last_modified_timestamp_seconds" when series.Contains("\"channel_backup\"", StringComparison.Ordinal) => ChannelBackupWrittenAt.ToUnixTimeSeconds(),
            "nodehelper_backup_last_modified_timestamp_seconds" or "nodehelper_backup_last_success_timestamp_seconds" => ResticSucceededAt.ToUnixTimeSeconds(),
            _ => Recorded(series),
        };
    }

    /// <summary>
    /// LND at bitcoind's tip, its force close and HTLC counting down with the blocks. While its wallet is locked it
    /// answers only /v1/state: its state and the series of its files are there, nothing else (as the collector writes).
    /// </summary>
    private double? LndValue(string name, string series, DateTimeOffset time, double blocks)
    {
        var locked = time >= LndLockedFrom && time < LndUnlockedAt;
        switch (name)
        {
            case "lnd_up":
                return 1;
            case "lnd_wallet_locked":
                return locked ? 1 : 0;
            case "lnd_wallet_state":
                return series.Contains(locked ? "\"LOCKED\"" : "\"SERVER_ACTIVE\"", StringComparison.Ordinal) ? 1 : 0;
            case "lnd_tls_certificate_expiry_timestamp_seconds":
                return (End + LndCertificateLeft).ToUnixTimeSeconds();
            case "lnd_channel_backup_last_modified_timestamp_seconds" or "lnd_channel_backup_copy_last_modified_timestamp_seconds":
                return ChannelBackupWrittenAt.ToUnixTimeSeconds();
            case "lnd_channel_backup_exists" or "lnd_channel_backup_copy_exists" or "lnd_channel_backup_copy_matches" or "lnd_file_read_success":
                return Recorded(series);
        }

        if (locked)
        {
            return null;
        }

        return name switch
        {
            "lnd_block_height" => blocks,
            "lnd_best_header_timestamp_seconds" => (Start + TimeSpan.FromSeconds(600 * Math.Floor((time - Start).TotalSeconds / 600))).ToUnixTimeSeconds(),
            "lnd_force_close_maturity_blocks" => ForceCloseMaturityHeight - blocks,
            "lnd_htlc_expiry_blocks" => HtlcExpiryHeight - blocks,
            _ => Recorded(series),
        };
    }

    /// <summary>The hostile node's LND: its version, commit and an unknown wallet state are markup.</summary>
    private static string HostileSeries(string name, string series) => name switch
    {
        "lnd_build_info" => $"lnd_build_info{{commit=\"{Escape(HostileChannel)}\",version=\"{Escape(HostileVersion)}\"}}",
        "lnd_wallet_state" when series.Contains("\"SERVER_ACTIVE\"", StringComparison.Ordinal) => $"lnd_wallet_state{{state=\"{Escape(HostileState)}\"}}",
        _ => series,
    };

    /// <summary>A label value as the exposition format writes it.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Two CPUs, a quarter busy: 1.5 idle seconds a second, 0.3 user, 0.2 system.</summary>
    private static double CpuRate(string series) =>
        series.Contains("\"idle\"", StringComparison.Ordinal) ? 1.5
        : series.Contains("\"user\"", StringComparison.Ordinal) ? 0.3
        : series.Contains("\"system\"", StringComparison.Ordinal) ? 0.2 : 0;

    private static void Alert(StringBuilder text, string alert, string severity, string scope, DateTimeOffset from, DateTimeOffset until)
    {
        var series = $"ALERTS{{alertname=\"{alert}\",alertstate=\"firing\",scope=\"{scope}\",severity=\"{severity}\"}}";
        for (var time = from; time < until; time += Step)
        {
            Sample(text, series, 1, time);
        }

        // Prometheus marks a resolved alert's series stale; a backfill cannot, so a NaN sample ends it instead.
        Sample(text, series, double.NaN, until);
    }

    /// <summary>One OpenMetrics sample of the series with the scrape's job and instance added, as Prometheus stores it.</summary>
    private static void Sample(StringBuilder text, string series, double value, DateTimeOffset time, string job = Job, string instance = Instance)
    {
        var brace = series.IndexOf('{', StringComparison.Ordinal);
        var target = $"instance=\"{instance}\",job=\"{job}\"";
        if (brace < 0)
        {
            text.Append(series).Append('{').Append(target).Append('}');
        }
        else
        {
            text.Append(series.AsSpan(0, brace + 1)).Append(target).Append(',').Append(series.AsSpan(brace + 1));
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    [System.Text.RegularExpressions.GeneratedRegex("path=\"[^\"]*\"")]
    private static partial System.Text.RegularExpressions.Regex PathLabel();
}
