using MimeKit;
using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The daily report against a real Prometheus holding a recorded day (see <see cref="RecordedDay"/>) and a real
/// SMTP listener: its numbers are the day's, the mail has both parts and inline charts, a refused report is sent
/// once when the server is back, and an unreachable Prometheus still yields a mail that says so.
/// </summary>
public sealed class DailyReportTests(RecordedPrometheus prometheus) : IClassFixture<RecordedPrometheus>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-report-");

    private RecordedDay Day => prometheus.Day;

    [Fact]
    public async Task TheReportsNumbersAreTheRecordedDays()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);

        report.Verdict.Should().Be(Verdict.Problems, "a critical alert fired and bitcoind was away for half an hour");
        var node = report.Nodes.Should().ContainSingle().Subject;
        node.Instance.Should().Be(RecordedDay.Instance);
        node.Components.Select(c => c.Title).Should().Equal(
            "NodeHelper", "bitcoind", "Electrum server", "mempool backend", "mempool web site", "MariaDB", "Lightning (LND)", "Host", "Services",
            "Security and backups");

        var bitcoind = Component(node, "bitcoind");
        Formats.Percent(bitcoind.Availability!.Value).Should().Be("97.92%", "30 of the day's 1,440 minutes were down");
        Fact(bitcoind, "Blocks seen").Should().Be("144", "a block every 10 minutes");
        Fact(bitcoind, "Tip").Should().Be("block 925,150, 0 s old");
        Fact(bitcoind, "Peers").Should().Be("20 now (14 outbound, 6 inbound), fewest 20");
        Fact(bitcoind, "Restarts").Should().Be("none");
        Component(node, "NodeHelper").Availability.Should().Be(1);
        Component(node, "NodeHelper").Facts.Should().NotContain(f => f.Label == "Watched", "Prometheus holds the whole day");
        Fact(Component(node, "Electrum server"), "Behind bitcoind").Should().Be("0 blocks now, at most 4 today");
        Fact(Component(node, "mempool web site"), "TLS certificate").Should().Be("expires in 60 days");
        Fact(Component(node, "Services"), "electrs.service").Should().Be("activating, restarted 3 times after failing", "as systemd showed it when recorded");
        Fact(Component(node, "Host"), "Disk of bitcoind (/var/lib/bitcoind)").Should().EndWith("full in 50 days at the last 6 hours' rate");
        Fact(bitcoind, "Longest wait for a block").Should().Be("14 min",
            "a day watched: a block every 10 minutes, and the last sample before bitcoind stopped stays in Prometheus's 5-minute lookback 4 minutes more");
        Fact(Component(node, "Host"), "CPU busy").Should().Be("25% on average");

        node.Alerts.Where(a => !a.StillFiring).Select(a => (a.Alert, a.Severity, a.Start, a.Duration)).Should().Equal(
            ("NodeHelperBitcoindDown", "critical", Day.BitcoindAlertFrom, TimeSpan.FromMinutes(28)),
            ("NodeHelperLndWalletLocked", "critical", Day.LndAlertFrom, TimeSpan.FromMinutes(15)),
            ("NodeHelperElectrumBehind", "warning", Day.ElectrumBehindFrom + TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(20)));
        node.Alerts.Where(a => a.StillFiring).Select(a => a.Alert).Should().BeEquivalentTo(RecordedDay.StandingAlerts.Select(a => a.Alert));
        Component(node, "Services").Facts.Single(f => f.Label == "mempool.service").Tone.Should().Be(Tone.Attention, "NodeHelperServiceFailed fires for it");
        Component(node, "Services").Facts.Single(f => f.Label == "bitcoind.service").Tone.Should().Be(Tone.Good);
        Component(node, "Host").Facts.Single(f => f.Label == "Raspberry Pi power").Tone.Should().Be(Tone.Attention);
        report.Findings.Select(f => f.Text).Should().Contain(
        [
            "bitcoind was unavailable for about 30 min (97.92% available).",
            $"NodeHelperBitcoindDown fired at {Formats.Time(Day.BitcoindAlertFrom)} for 28 min.",
            "systemd restarted electrs.service 3 times after it failed.",
        ]);
        report.Findings[0].Tone.Should().Be(Tone.Bad, "the worst comes first");
        var since = Formats.Time(Day.End - DailyReportBuilder.Window);
        report.Findings.Where(f => f.Tone != Tone.Neutral).Select(f => f.Text).Should().BeEquivalentTo(
            [
                $"NodeHelperBitcoindDown fired at {Formats.Time(Day.BitcoindAlertFrom)} for 28 min.",
                $"NodeHelperLndWalletLocked fired at {Formats.Time(Day.LndAlertFrom)} for 15 min.",
                $"NodeHelperElectrumBehind fired at {Formats.Time(Day.ElectrumBehindFrom + TimeSpan.FromMinutes(15))} for 20 min.",
                $"NodeHelperServiceFailed (state failed, unit mempool.service) has been firing all day (since before {since}).",
                $"NodeHelperPiUnderVoltage (flag under_voltage, when now) has been firing all day (since before {since}).",
                $"NodeHelperPiThrottled (flag throttled, when now) has been firing all day (since before {since}).",
            ],
            "what judges the day is what the shipped rules fired, nothing re-judged by the report");
        node.Charts.Select(c => c.Id).Should().Equal("tip-age", "peers", "mempool", "disk");
        node.Charts.Single(c => c.Id == "peers").Series.Select(s => s.Name).Should().BeEquivalentTo(["inbound", "outbound"]);
    }

    [Fact]
    public async Task TheSecurityAndBackupsSectionSaysWhatThePostureUpdatesAndBackupsCollectorsSaw()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);

        var security = Component(report.Nodes.Single(), "Security and backups");
        security.Facts.Select(f => (f.Label, f.Value)).Should().Equal(
            ("Reachable beyond loopback", "bitcoind-p2p :8333"),
            ("Secret files every user can read", "none"),
            ("SSH", "keys only, root not with a password"),
            ("Firewall", "on (nftables, ufw)"),
            ("Reboot", "not needed"),
            ("Package upgrades", "none pending, package lists refreshed 6 h 00 min ago"),
            ("unattended-upgrades", "on"),
            ("Updates", $"bitcoin_core 99.0.0 (runs 31.99.0); current: fulcrum, nodehelper (version feed of {Formats.Date(Day.FeedMadeAt)})"),
            ("Backup channel_backup", "the same as its live file now, written 3 d 0 h ago"),
            ("Backup restic", "last succeeded 5 h 00 min ago (at most 1 d 2 h)"));
        security.Facts.Where(f => f.Label != "Updates").Should().OnlyContain(f => f.Tone == Tone.Good, "no alert about any of them fires that day");
    }

    [Fact]
    public async Task TheLightningCardSaysWhatLndSawThatDay()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);

        var lnd = Component(report.Nodes.Single(), "Lightning (LND)");
        lnd.Availability.Should().Be(1, "a locked wallet is LND answering");
        lnd.Facts.Select(f => (f.Label, f.Value)).Should().Equal(
            ("Version", "0.14.3-beta"),
            ("Wallet", "unlocked; locked for 20 min today"),
            ("Synced to chain", "yes now, 100% of the time LND answered today"),
            ("Synced to graph", "yes now, 100% of the time LND answered today"),
            ("Behind bitcoind", "0 blocks now, at most 0 today"),
            ("Peers", "241"),
            ("Channels", "3 active, 0 inactive, 1 closing (1 force closing)"),
            ("Channel balance", "71,981 sat local, 1,337 sat remote, 2,000 sat in HTLCs"),
            ("On-chain balance", "250,000 sat confirmed; anchor reserve 30,000 sat"),
            ("In limbo", "60,000 sat; a force close matures in 144 blocks (about 1 d 0 h)"),
            ("HTLCs", "1 in flight, the nearest expires in 400 blocks (about 2 d 19 h)"),
            ("Routing fees earned", "12 sat in the last day (95 sat in the last week, 410 sat in the last month)"),
            ("TLS certificate", "expires in 300 days"),
            ("Channel backup", "written 3 d 0 h ago, its copy is the same now"),
            ("Alerts firing now", "none"));
        lnd.Facts.Should().OnlyContain(f => f.Tone == Tone.Good || f.Tone == Tone.Neutral, "no alert about LND fires at the end of the day");

        var text = ReportRenderer.Text(report);
        text.Should().Contain("Lightning (LND) (100% available)").And.Contain("  In limbo: 60,000 sat; a force close matures in 144 blocks");
    }

    [Fact]
    public async Task ANodeWithoutLndHasNoLightningCard()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions { Job = RecordedDay.NoLightningJob })
            .BuildAsync(Day.End, default);

        var node = report.Nodes.Should().ContainSingle().Subject;
        node.Components.Select(c => c.Title).Should().Contain(["bitcoind", "Electrum server", "MariaDB"]).And.NotContain("Lightning (LND)",
            "no lnd_up in the day: not a Lightning node, so no card of zeros");
        ReportRenderer.Text(report).Should().NotContain("Lightning").And.NotContain("LND");
    }

    [Fact]
    public async Task ALockedWalletIsAProblemWhileItsAlertFiresAndWhatOnlyLndKnowsIsUnknown()
    {
        using var http = new HttpClient();
        var client = new PrometheusApiClient(http, prometheus.Url);

        // Ten minutes into the lock, NodeHelperLndWalletLocked (critical) firing for five.
        var report = await new DailyReportBuilder(client, new ReportOptions()).BuildAsync(Day.LndAlertFrom + TimeSpan.FromMinutes(5), default);

        var lnd = Component(report.Nodes.Single(), "Lightning (LND)");
        var wallet = lnd.Facts.Single(f => f.Label == "Wallet");
        wallet.Value.Should().Be("locked now: LND answers nothing else until it is unlocked (lncli unlock); locked for 10 min today");
        wallet.Tone.Should().Be(Tone.Bad, "NodeHelperLndWalletLocked, of scope lnd, is critical and fires");
        lnd.Facts.Single(f => f.Label == "Alerts firing now").Should().Be(new Fact("Alerts firing now", "NodeHelperLndWalletLocked", Tone.Bad));
        Fact(lnd, "Sync, channels, balances").Should().Be("unknown while the wallet is locked");
        lnd.Facts.Select(f => f.Label).Should().NotContain(["Synced to chain", "Behind bitcoind", "Peers", "Channels", "Channel balance", "In limbo", "HTLCs"],
            "the values of ten minutes ago, still in Prometheus's lookback, are not what LND says now");
        Fact(lnd, "TLS certificate").Should().StartWith("expires in", "LND's files are read whether it answers or not");
        Fact(lnd, "Channel backup").Should().EndWith("its copy is the same now");
        report.Findings.Should().Contain(new Finding(Tone.Bad, $"NodeHelperLndWalletLocked has been firing since {Formats.Time(Day.LndAlertFrom)}."));

        // Two minutes into the lock the alert is not firing yet: the card says so, and judges nothing by itself.
        var before = await new DailyReportBuilder(client, new ReportOptions()).BuildAsync(Day.LndLockedFrom + TimeSpan.FromMinutes(2), default);
        Component(before.Nodes.Single(), "Lightning (LND)").Facts.Single(f => f.Label == "Wallet").Should().Be(
            new Fact("Wallet", "locked now: LND answers nothing else until it is unlocked (lncli unlock); locked for 2 min today", Tone.Good));
    }

    [Fact]
    public async Task HostileLabelValuesOfLndAreEscapedInTheMail()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions { Job = RecordedDay.HostileJob })
            .BuildAsync(Day.End, default);

        var lnd = Component(report.Nodes.Should().ContainSingle().Subject, "Lightning (LND)");
        Fact(lnd, "Version").Should().Be(RecordedDay.HostileVersion);
        Fact(lnd, "Wallet").Should().Be($"{RecordedDay.HostileState}, a state NodeHelper does not know");
        lnd.Facts.Single(f => f.Label == "Channels").Tone.Should().Be(Tone.Attention, "NodeHelperLndChannelsInactive (warning) is about the channels");
        Fact(lnd, "Alerts firing now").Should().Be("NodeHelperLndChannelsInactive");

        var html = ReportRenderer.Standalone(report);
        foreach (var hostile in new[] { RecordedDay.HostileVersion, RecordedDay.HostileState, RecordedDay.HostileChannel })
        {
            html.Should().NotContain(hostile).And.Contain(System.Net.WebUtility.HtmlEncode(hostile), "a label value is text in the mail, never markup");
        }

        html.Should().NotContain("<script").And.NotContain("<img src=x").And.NotContain("<iframe");
    }

    [Fact]
    public async Task OnAFirstDayDowntimeIsCountedOverTheHoursPrometheusWatched()
    {
        // Made 5 minutes after bitcoind came back: Prometheus holds only 15 h 35 min of this node, not a day.
        var at = Day.BitcoindDownUntil + TimeSpan.FromMinutes(5);
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(at, default);

        var node = report.Nodes.Should().ContainSingle().Subject;
        Fact(Component(node, "NodeHelper"), "Watched").Should().Be("the last 15 h 35 min only: Prometheus has nothing older");
        report.Findings.Select(f => f.Text).Should().Contain("bitcoind was unavailable for about 30 min (96.79% available).",
            "30 of the 936 minutes watched, not 3.21% of a whole day (46 min)");
    }

    [Fact]
    public async Task AfterAFewMinutesWatchedTheReportForecastsNothingAndAPendingAlertIsNoProblem()
    {
        // The young node: 3 minutes of data, its disk losing 1% a minute (a 2-minute slope says "full in 0 days"),
        // its tip 8 minutes old, and NodeHelperFilesystemFillingUp pending since its first scrape.
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions { Job = RecordedDay.YoungJob })
            .BuildAsync(Day.End, default);

        report.Verdict.Should().Be(Verdict.Healthy, "no alert fired: a pending one is Prometheus saying 'not yet'");
        var node = report.Nodes.Should().ContainSingle().Subject;
        Fact(Component(node, "NodeHelper"), "Watched").Should().Be("the last 3 min only: Prometheus has nothing older");
        var disk = Fact(Component(node, "Host"), "Disk of bitcoind (/var/lib/bitcoind)");
        disk.Should().NotContain("full in").And.NotContain("filling", "a trend needs 6 hours of history, as the rule's own");
        Component(node, "Host").Facts.Single(f => f.Label.StartsWith("Disk of bitcoind", StringComparison.Ordinal)).Tone
            .Should().Be(Tone.Good, "its alert is pending, not firing");
        Component(node, "bitcoind").Facts.Should().NotContain(f => f.Label == "Longest wait for a block", "3 minutes watched are no day's statistic");
        report.Findings.Should().ContainSingle().Which.Should().Be(new Finding(Tone.Neutral,
            $"NodeHelperFilesystemFillingUp (component bitcoind, path /var/lib/bitcoind) is pending since {Formats.Time(Day.YoungFrom)}: its condition holds, and it fires only if it goes on holding."));

        var text = ReportRenderer.Text(report);
        text.Should().Contain("Age of bitcoind's tip: now 8 min").And.NotContain("tip: tip:");
    }

    [Fact]
    public async Task ADataDirectoryThatMovedDuringTheDayIsTwoDisksNotACrash()
    {
        // Before: two path series for one component made ToDictionary throw, and `nodehelper report` died (exit 134).
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions { Job = RecordedDay.MovedJob })
            .BuildAsync(Day.End, default);

        report.BuildError.Should().BeNull();
        var host = Component(report.Nodes.Should().ContainSingle().Subject, "Host");
        host.Facts.Select(f => f.Label).Should().Contain("Disk of bitcoind (/mnt/new)");
        report.Verdict.Should().Be(Verdict.Healthy);
    }

    [Fact]
    public async Task AReportThatCannotBeMadeIsStillAMailSayingSo()
    {
        using var http = new HttpClient(new BrokenHandler());
        var builder = new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions());

        var report = await builder.BuildAsync(Day.End, default);

        report.Verdict.Should().Be(Verdict.CannotTell);
        report.BuildError.Should().BeOfType<NotImplementedException>();
        report.Findings.Should().ContainSingle().Which.Text.Should().StartWith("The report could not be made: making it failed (NotImplementedException:");
        var mail = ReportRenderer.Compose(report, "NodeHelper <nodehelper@example.org>", ["you@example.org"], "daily-test");
        mail.Subject.Should().StartWith("[NodeHelper] Cannot tell");
        mail.TextBody.Should().Contain("could not be made");
    }

    [Fact]
    public async Task WhileBitcoindIsDownItsFollowersLagIsUnknownNotItsLastTip()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions())
            .BuildAsync(Day.BitcoindDownFrom + TimeSpan.FromMinutes(20), default);

        var node = report.Nodes.Should().ContainSingle().Subject;
        Fact(Component(node, "Electrum server"), "Behind bitcoind").Should().Be("unknown now: bitcoind is not answering, at most 0 today");
        Fact(Component(node, "mempool backend"), "Behind bitcoind").Should().StartWith("unknown now");
    }

    [Fact]
    public async Task TheMailHasAnHtmlAndATextPartWithTheChartsInline()
    {
        await using var smtp = await RealServers.StartSmtpSinkAsync(Temp("smtp"));

        var (code, output, _) = await RunAsync(smtp.Port);

        code.Should().Be(0, output);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail")).Messages().Should().ContainSingle().Subject;
        mail.Subject.Should().Be($"[NodeHelper] Problems: node:9338, {Formats.Date(Day.End)}");
        mail.From.Mailboxes.Single().Address.Should().Be("nodehelper@example.org");
        mail.TextBody.Should().Contain("PROBLEMS: node:9338, the last 24 hours")
            .And.Contain("bitcoind (97.92% available)")
            .And.Contain("  Blocks seen: 144")
            .And.Contain("NodeHelperBitcoindDown (critical): ");
        mail.HtmlBody.Should().Contain("<meta name=\"viewport\"").And.Contain("97.92% available").And.Contain("NodeHelperElectrumBehind");

        var images = mail.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MimeType == "image/png").ToList();
        images.Should().HaveCount(4, "four charts, carried in the mail");
        foreach (var image in images)
        {
            image.ContentDisposition!.Disposition.Should().Be(ContentDisposition.Inline);
            mail.HtmlBody.Should().Contain($"src=\"cid:{image.ContentId}\"", "the HTML shows the image from the mail itself");
            using var content = new MemoryStream();
            await image.Content!.DecodeToAsync(content);
            content.ToArray().Take(8).Should().Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        }

        mail.HtmlBody.Should().NotContain("src=\"http", "nothing is loaded from anywhere");
    }

    [Fact]
    public async Task AReportTheMailServerRefusedIsSentOnceWhenItIsBack()
    {
        var port = LoopbackPort.Free();

        var refused = await RunAsync(port);

        refused.Code.Should().Be(1, "the report was not sent");
        refused.Error.Should().Contain("did not take the report").And.Contain("waits in");
        Directory.GetFiles(Path.Join(Outbox, "pending")).Should().ContainSingle("the report is kept on disk");

        await using var smtp = await RealServers.StartSmtpSinkAsync(Temp("smtp"), port);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail"));
        var retried = await RunAsync(port);
        var again = await RunAsync(port);

        retried.Code.Should().Be(0, retried.Error);
        again.Code.Should().Be(0, again.Error);
        again.Output.Should().Contain("was sent already");
        mail.Messages().Should().ContainSingle("the kept report goes once, and the day's report is not made twice");
        Directory.GetFiles(Path.Join(Outbox, "pending")).Should().BeEmpty();
        Directory.GetFiles(Path.Join(Outbox, "sent")).Should().ContainSingle();
    }

    [Fact]
    public async Task AnUnreachablePrometheusStillGivesAMailThatSaysSo()
    {
        await using var smtp = await RealServers.StartSmtpSinkAsync(Temp("smtp"));
        var nowhere = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");

        var (code, output, _) = await RunAsync(smtp.Port, nowhere);

        code.Should().Be(0, output);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail")).Messages().Should().ContainSingle().Subject;
        mail.Subject.Should().Be($"[NodeHelper] Cannot tell: nodehelper, {Formats.Date(Day.End)}");
        mail.TextBody.Should().Contain($"cannot reach Prometheus at {nowhere}: ConnectionRefused.");
        mail.HtmlBody.Should().Contain("Cannot tell");
    }

    [Fact]
    public async Task TheRunningExporterSendsTheScheduledReportAndRetriesUntilTheServerTakesIt()
    {
        var port = LoopbackPort.Free();
        var clock = prometheus.ClockAtEnd(TimeSpan.FromSeconds(-2));
        await using var exporter = await ExporterUnderTest.StartAsync(
            builder => builder.Services.AddSingleton(clock),
            [
                "--Bitcoind:Enabled=false", "--Host:Enabled=false", "--Services:Enabled=false",
                $"--Report:Schedule={RecordedPrometheus.Minute(Day.End)}", "--Report:RetrySeconds=1", .. ReportSettings(port, prometheus.Url),
            ]);

        await Eventually.TrueAsync("the first try fails: the server is down", TimeSpan.FromSeconds(30),
            () => exporter.Logs.All.Contains("Daily report not sent", StringComparison.Ordinal), TimeSpan.FromMilliseconds(100));
        await using var smtp = await RealServers.StartSmtpSinkAsync(Temp("smtp"), port);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail"));
        await mail.WaitForAsync(1, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var sent = mail.Messages().Should().ContainSingle("retries stop once the server has taken it").Subject;
        sent.Subject.Should().Be($"[NodeHelper] Problems: node:9338, {Formats.Date(Day.End)}");
        exporter.Logs.All.Should().Contain($"Daily report {DailyReportService.DailyId(Day.End, TimeZoneInfo.Utc)} sent to you@example.org");
    }

    [Fact]
    public async Task DryRunWritesTheReportWithItsChartsInsideTheFile()
    {
        var file = Path.Join(_work.FullName, "report.html");

        var (code, output, _) = await RunAsync(smtpPort: 1, dryRunTo: file);

        code.Should().Be(0);
        output.Should().Contain($"Problems; written to {file}");
        var html = await File.ReadAllTextAsync(file);
        html.Split("src=\"data:image/png;base64,").Should().HaveCount(5, "four charts, inside the file");
        Directory.Exists(Outbox).Should().BeFalse("a dry run sends nothing and keeps nothing");
    }

    [Fact]
    public async Task ADryRunToAFileThatCannotBeWrittenSaysSoAndExitsTwo()
    {
        var file = Path.Join(_work.FullName, "no-such-directory", "report.html");

        var (code, _, error) = await RunAsync(smtpPort: 1, dryRunTo: file);

        code.Should().Be(2);
        error.Should().Contain($"nodehelper report: --out {file} cannot be written: ");
    }

    [Fact]
    public async Task AnOutboxThatCannotBeWrittenSaysSoAndExitsTwo()
    {
        await File.WriteAllTextAsync(Outbox, "a file where the outbox directory should be");

        var (code, _, error) = await RunAsync(smtpPort: 1);

        code.Should().Be(2);
        error.Should().Contain($"nodehelper report: Report:OutboxDirectory {Outbox} cannot be written, so nothing was sent: ");
    }

    [Fact]
    public async Task AReportSentThatCannotBeFiledAsSentIsNotBlamedOnTheMailServer()
    {
        await using var smtp = await RealServers.StartSmtpSinkAsync(Temp("smtp"));
        Directory.CreateDirectory(Outbox);
        await File.WriteAllTextAsync(Path.Join(Outbox, "sent"), "a file where sent/ should be");

        var (code, _, error) = await RunAsync(smtp.Port);

        code.Should().Be(1);
        new Maildir(Path.Join(smtp.Directory, "mail")).Messages().Should().ContainSingle("the server took it");
        error.Should().Contain($"was sent, but cannot be moved to {Outbox}/sent, so it will be sent again")
            .And.NotContain("did not take the report");
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>What no HTTP client expects: a fault of NodeHelper's own between it and Prometheus.</summary>
    private sealed class BrokenHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new NotImplementedException("a handler that is not there");
    }

    private string Outbox => Path.Join(_work.FullName, "outbox");

    private string Temp(string name) => Directory.CreateDirectory(Path.Join(_work.FullName, name)).FullName;

    private string[] ReportSettings(int smtpPort, Uri prometheusUrl) =>
    [
        $"--Report:PrometheusUrl={prometheusUrl}", "--Report:To=you@example.org", "--Report:From=NodeHelper <nodehelper@example.org>",
        "--Report:Smtp:Host=127.0.0.1", $"--Report:Smtp:Port={smtpPort}", "--Report:Smtp:Security=none", $"--Report:OutboxDirectory={Outbox}",
        "--Report:TimeoutSeconds=10",
    ];

    /// <summary>nodehelper report, in-process, at the recorded day's end.</summary>
    private async Task<(int Code, string Output, string Error)> RunAsync(int smtpPort, Uri? prometheusUrl = null, string? dryRunTo = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = dryRunTo is null
            ? ReportSettings(smtpPort, prometheusUrl ?? prometheus.Url)
            : ["--dry-run", "--out", dryRunTo, .. ReportSettings(smtpPort, prometheusUrl ?? prometheus.Url)];
        var code = await ReportCommand.RunAsync(args, a => NodeHelper.Exporter.Program.LoadSettings(a).Report, output, error, prometheus.ClockStoppedAtEnd());
        return (code, output.ToString(), error.ToString());
    }

    private static ComponentSection Component(NodeSection node, string title) => node.Components.Single(c => c.Title == title);

    private static string Fact(ComponentSection component, string label) =>
        component.Facts.Should().ContainSingle(f => f.Label == label, $"{component.Title} reports {label}").Subject.Value;
}
