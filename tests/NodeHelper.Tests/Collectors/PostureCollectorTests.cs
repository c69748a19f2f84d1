using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Collectors;

/// <summary>The posture collector over this machine's real socket tables and real files.</summary>
public sealed class PostureCollectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-posture-").FullName;

    [Fact]
    public async Task AListenerOnEveryInterfaceIsExposedAndOneOnLoopbackIsNot()
    {
        using var open = new TcpListener(IPAddress.Any, 0);
        using var local = new TcpListener(IPAddress.Loopback, 0);
        using var local6 = new TcpListener(IPAddress.IPv6Loopback, 0);
        using var open6 = new TcpListener(IPAddress.IPv6Any, 0);
        open.Start();
        local.Start();
        local6.Start();
        open6.Start();
        var ports = new Dictionary<int, string>
        {
            [Port(open)] = "open", [Port(local)] = "local", [Port(local6)] = "local6", [Port(open6)] = "open6", [LoopbackPort.Free()] = "closed",
        };

        var metrics = await Registries.CollectAsync(Collector(ports, []));

        metrics.Value("nodehelper_listener_exposed", ("port", Port(open).ToString(CultureInfo.InvariantCulture)), ("service", "open")).Should().Be(1);
        metrics.Value("nodehelper_listener_exposed", ("port", Port(open6).ToString(CultureInfo.InvariantCulture)), ("service", "open6")).Should().Be(1);
        metrics.Value("nodehelper_listener_exposed", ("port", Port(local).ToString(CultureInfo.InvariantCulture)), ("service", "local")).Should().Be(0);
        metrics.Value("nodehelper_listener_exposed", ("port", Port(local6).ToString(CultureInfo.InvariantCulture)), ("service", "local6")).Should().Be(0);
        metrics.Series.Keys.Should().NotContain(k => k.Contains("\"closed\"", StringComparison.Ordinal), "a port nothing listens on has no series");
        metrics.Value("nodehelper_posture_source_success", ("source", "proc/net/tcp")).Should().Be(1);
    }

    [Fact]
    public async Task ACookieOthersCanReadIsFlaggedAndAGroupReadableOneIsNot()
    {
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101); // 0755: others may pass
        var open = Path.Join(_dir, "open.cookie");
        var group = Path.Join(_dir, "group.cookie");
        var wallets = Path.Join(_dir, "wallets");
        File.WriteAllText(open, "__cookie__:secret");
        File.WriteAllText(group, "__cookie__:secret");
        Directory.CreateDirectory(wallets);
        File.SetUnixFileMode(open, (UnixFileMode)0b110_100_100); // 0644
        File.SetUnixFileMode(group, (UnixFileMode)0b110_100_000); // 0640
        File.SetUnixFileMode(wallets, (UnixFileMode)0b111_101_101); // 0755

        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(),
            [new("bitcoind", open), new("bitcoind", group), new("bitcoind", wallets), new("nodehelper", Path.Join(_dir, "absent"))]));

        metrics.Value("nodehelper_secret_file_world_readable", ("component", "bitcoind"), ("file", open)).Should().Be(1);
        metrics.Value("nodehelper_secret_file_world_readable", ("component", "bitcoind"), ("file", group)).Should().Be(0);
        metrics.Value("nodehelper_secret_file_world_readable", ("component", "bitcoind"), ("file", wallets)).Should().Be(1, "others may enter and list it");
        metrics.Series.Keys.Should().NotContain(k => k.Contains("absent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMacaroonOthersMayReadIsSafeInADirectoryTheyMayNotEnter()
    {
        // LND writes readonly.macaroon 0644 into data/chain/bitcoin/mainnet, under a data directory of mode 0700.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        var lnd = Directory.CreateDirectory(Path.Join(_dir, "lnd")).FullName;
        var network = Directory.CreateDirectory(Path.Join(lnd, "data", "chain", "bitcoin", "mainnet")).FullName;
        var macaroon = Path.Join(network, "readonly.macaroon");
        File.WriteAllBytes(macaroon, [2, 1, 3]);
        File.SetUnixFileMode(macaroon, (UnixFileMode)0b110_100_100); // 0644
        File.SetUnixFileMode(lnd, (UnixFileMode)0b111_000_000); // 0700
        var secrets = new List<SecretPath> { new("lnd", macaroon) };

        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), secrets)))
            .Value("nodehelper_secret_file_world_readable", ("component", "lnd"), ("file", macaroon)).Should().Be(0, "nobody else gets past lnd/");

        File.SetUnixFileMode(lnd, (UnixFileMode)0b111_101_101); // 0755
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), secrets)))
            .Value("nodehelper_secret_file_world_readable", ("component", "lnd"), ("file", macaroon)).Should().Be(1);
    }

    [Fact]
    public void TheKernelsTableIsReadAsTheKernelWritesIt()
    {
        const string Table =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
            "   0: 0100007F:208C 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1 1 0 100 0 0 10 0\n" +
            "   1: 00000000:208D 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 2 1 0 100 0 0 10 0\n" +
            "   2: 0100007F:208C 0100007F:D431 01 00000000:00000000 00:00000000 00000000   999        0 3 1 0 20 4 30 10 -1\n";
        const string Table6 =
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
            "   0: 00000000000000000000000001000000:C383 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0\n" +
            "   1: 0000000000000000FFFF00000100007F:0CEA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0\n";

        ListeningSockets.Parse(Table).Should().Equal(new ListeningSocket(IPAddress.Loopback, 8332), new ListeningSocket(IPAddress.Any, 8333));
        var six = ListeningSockets.Parse(Table6);
        six.Should().Equal(new ListeningSocket(IPAddress.IPv6Loopback, 50051), new ListeningSocket(IPAddress.Parse("::ffff:127.0.0.1"), 3306));
        six.Should().OnlyContain(s => s.LoopbackOnly);
        FluentActions.Invoking(() => ListeningSockets.Parse("header\n   0: nonsense\n")).Should().Throw<FormatException>();
    }

    [Fact]
    public async Task SshFirewallAndRebootAreReadAsSshdUfwAndAptLeaveThem()
    {
        // The fixture host: Debian's sshd_config, a drop-in that turns passwords off, ufw on, no reboot pending.
        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], HostParsersTests.HostRoot));

        metrics.Value("nodehelper_ssh_password_authentication_enabled").Should().Be(0, "the drop-in's value is read first and wins");
        metrics.Value("nodehelper_ssh_root_login_permitted").Should().Be(0, "PermitRootLogin yes is only inside a Match block");
        metrics.Value("nodehelper_firewall_enabled", ("firewall", "ufw")).Should().Be(1);
        metrics.Value("nodehelper_reboot_required").Should().Be(0);
        metrics.Value("nodehelper_posture_source_success", ("source", "sshd_config")).Should().Be(1);

        // Another host: passwords by default, root allowed, ufw off, an upgrade waiting for a reboot.
        var root = Path.Join(_dir, "root");
        Directory.CreateDirectory(Path.Join(root, "etc", "ssh"));
        Directory.CreateDirectory(Path.Join(root, "etc", "ufw"));
        Directory.CreateDirectory(Path.Join(root, "run"));
        Directory.CreateDirectory(Path.Join(root, "proc", "net"));
        File.WriteAllText(Path.Join(root, "etc", "ssh", "sshd_config"), "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPermitRootLogin no\n");
        File.WriteAllText(Path.Join(root, "etc", "ufw", "ufw.conf"), "ENABLED=no\n");
        File.WriteAllText(Path.Join(root, "run", "reboot-required"), "*** System restart required ***\n");
        File.Copy("/proc/net/tcp", Path.Join(root, "proc", "net", "tcp"));

        var other = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], root));

        other.Value("nodehelper_ssh_password_authentication_enabled").Should().Be(1, "sshd's default, with no drop-in directory");
        other.Value("nodehelper_ssh_root_login_permitted").Should().Be(1, "the first PermitRootLogin wins");
        other.Value("nodehelper_firewall_enabled", ("firewall", "ufw")).Should().Be(0);
        other.Value("nodehelper_reboot_required").Should().Be(1);

        // A host without sshd or ufw has no such series, rather than a guess.
        var bareRoot = Directory.CreateDirectory(Path.Join(_dir, "bare", "proc", "net")).Parent!.Parent!.FullName;
        var bare = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], bareRoot));
        bare.Series.Keys.Should().NotContain(k => k.StartsWith("nodehelper_ssh_", StringComparison.Ordinal) || k.StartsWith("nodehelper_firewall", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSocketTablesAreNotReadOnEveryScrape()
    {
        // A busy node's tables are megabytes; the first scrape reads them, later ones report that scan until it is
        // a minute old (then a background rescan).
        var root = Directory.CreateDirectory(Path.Join(_dir, "busy", "proc", "net")).Parent!.Parent!.FullName;
        var table = Path.Join(root, "proc", "net", "tcp");
        const string Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        const string Rpc = "   0: 0100007F:208C 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1 1 0000000000000000 100 0 0 10 0\n";
        File.WriteAllText(table, Header + Rpc);
        var collector = Collector(new Dictionary<int, string> { [8332] = "bitcoind-rpc" }, [], root);

        (await Registries.CollectAsync(collector)).Value("nodehelper_listener_exposed", ("port", "8332"), ("service", "bitcoind-rpc")).Should().Be(0);
        File.WriteAllText(table, Header + Rpc.Replace("0100007F:208C", "00000000:208C", StringComparison.Ordinal));
        (await Registries.CollectAsync(collector)).Value("nodehelper_listener_exposed", ("port", "8332"), ("service", "bitcoind-rpc")).Should().Be(0,
            "the second scrape, a moment later, reports the first scan");
    }

    [Fact]
    public async Task UnattendedUpgradesFirewallsAndListsAreReadFromTheFixtureHost()
    {
        // The fixture host: unattended-upgrades installed and switched on by 20auto-upgrades (over 10periodic's 0),
        // ufw on, nftables enabled at boot with rules, iptables-persistent's rules.v4 present but
        // netfilter-persistent not enabled (so nothing loads them), and apt.systemd.daily's update stamp.
        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], HostParsersTests.HostRoot));

        metrics.Value("nodehelper_unattended_upgrades_enabled").Should().Be(1);
        metrics.Value("nodehelper_firewall_enabled", ("firewall", "ufw")).Should().Be(1);
        metrics.Value("nodehelper_firewall_enabled", ("firewall", "nftables")).Should().Be(1);
        metrics.Value("nodehelper_firewall_enabled", ("firewall", "iptables")).Should().Be(0, "no netfilter-persistent.service link: the rules are not loaded at boot");
        metrics.Value("nodehelper_firewall_rules_unreadable", ("firewall", "iptables")).Should().Be(0);
        metrics.Value("nodehelper_firewall_rules_unreadable", ("firewall", "nftables")).Should().Be(0);
        metrics.Value("nodehelper_apt_lists_updated_timestamp_seconds").Should().Be(
            new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Join(HostParsersTests.HostRoot, "var", "lib", "apt", "periodic", "update-success-stamp"))).ToUnixTimeMilliseconds() / 1000.0);
        foreach (var source in (string[])["apt.conf", "nftables.conf", "iptables", "ufw.conf"])
        {
            metrics.Value("nodehelper_posture_source_success", ("source", source)).Should().Be(1, source);
        }

        metrics.Series.Keys.Should().NotContain(k => k.StartsWith("nodehelper_apt_upgrades", StringComparison.Ordinal), "no apt-get was given to this collector");
    }

    [Theory]
    [InlineData("nat-only.rules.v4", 0)] // Docker's NAT and FORWARD chains filter nothing that comes in
    [InlineData("input-drop-policy.rules.v4", 1)]
    public async Task IptablesPersistentIsOnOnlyWhenItsRulesFilterInput(string rules, int on)
    {
        var root = CopyOfFixtureApt("iptables-" + rules);
        File.Copy(Path.Join(AppContext.BaseDirectory, "Fixtures", "firewall", rules), Path.Join(root, "etc", "iptables", "rules.v4"), overwrite: true);
        var wants = Directory.CreateDirectory(Path.Join(root, "etc", "systemd", "system", "multi-user.target.wants")).FullName;
        File.WriteAllText(Path.Join(wants, "netfilter-persistent.service"), "");
        File.WriteAllText(Path.Join(root, "etc", "nftables.conf"), File.ReadAllText(Path.Join(AppContext.BaseDirectory, "Fixtures", "firewall", "debian-default.nft")));

        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], root));

        metrics.Value("nodehelper_firewall_enabled", ("firewall", "iptables")).Should().Be(on, rules);
        metrics.Value("nodehelper_firewall_enabled", ("firewall", "nftables")).Should().Be(0, "Debian's shipped nftables.conf, enabled, filters nothing");
    }

    [Fact]
    public async Task UnattendedUpgradesAreOffUnderSystemdWhenTheUpgradeTimerIsDisabledOrMasked()
    {
        // APT::Periodic says yes in each copy; under systemd only apt-daily-upgrade.timer runs apt.systemd.daily install.
        var disabled = CopyOfFixtureApt("timer-disabled");
        Directory.CreateDirectory(Path.Join(disabled, "run", "systemd", "system"));
        File.Delete(Path.Join(disabled, "etc", "systemd", "system", "timers.target.wants", "apt-daily-upgrade.timer"));
        var masked = CopyOfFixtureApt("timer-masked");
        Directory.CreateDirectory(Path.Join(masked, "run", "systemd", "system"));
        File.CreateSymbolicLink(Path.Join(masked, "etc", "systemd", "system", "apt-daily-upgrade.timer"), "/dev/null");
        var maskedInstalled = CopyOfFixtureApt("timer-masked-lib");
        Directory.CreateDirectory(Path.Join(maskedInstalled, "lib", "systemd", "system"));
        File.WriteAllText(Path.Join(maskedInstalled, "lib", "systemd", "system", "apt-daily-upgrade.timer"), "[Timer]\nOnCalendar=*-*-* 6:00\n");
        File.CreateSymbolicLink(Path.Join(maskedInstalled, "etc", "systemd", "system", "apt-daily-upgrade.timer"), "/dev/null");
        var cron = CopyOfFixtureApt("no-systemd");
        File.Delete(Path.Join(cron, "etc", "systemd", "system", "timers.target.wants", "apt-daily-upgrade.timer"));

        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], HostParsersTests.HostRoot))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(1, "the fixture host runs systemd and has the timer's link in timers.target.wants");
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], disabled))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(0, "systemctl disable apt-daily-upgrade.timer: nothing installs upgrades");
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], masked))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(0, "systemctl mask apt-daily-upgrade.timer, its enable link left in place");
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], maskedInstalled))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(0, "systemd told by the timer unit under /lib, without /run");
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], cron))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(1, "without systemd, cron.daily's apt-compat runs apt.systemd.daily");
    }

    [Fact]
    public async Task WithoutASecuritySuiteInTheSourcesThereIsNoSecurityCount()
    {
        // 32-bit Raspberry Pi OS: Raspbian's archive has no -security suite, its fixes come in bookworm itself.
        var raspbian = CopyOfFixtureApt("raspbian");
        File.Delete(Path.Join(raspbian, "etc", "apt", "sources.list.d", "debian.sources"));
        File.WriteAllText(Path.Join(raspbian, "etc", "apt", "sources.list"), "deb http://raspbian.raspberrypi.com/raspbian/ bookworm main contrib non-free rpi\n");
        File.WriteAllText(Path.Join(raspbian, "etc", "apt", "sources.list.d", "raspi.list"), "deb http://archive.raspberrypi.com/debian/ bookworm main\n");
        var apt = new AptUpgradeMonitor(Path.Join(AppContext.BaseDirectory, "Fixtures", "apt", "apt-get"));
        (await apt.CheckAsync(CancellationToken.None)).Problem.Should().BeNull();

        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], raspbian, apt));

        metrics.Value("nodehelper_apt_upgrades_pending").Should().Be(121);
        metrics.Has("nodehelper_apt_security_upgrades_pending").Should().BeFalse("a 0 from sources without a security suite would say nothing");
        metrics.Value("nodehelper_posture_source_success", ("source", "sources.list")).Should().Be(1);
    }

    [Fact]
    public async Task UnattendedUpgradesAreOffWhenAptConfSaysSoOrTheProgramIsMissing()
    {
        var root = CopyOfFixtureApt("off");
        File.WriteAllText(Path.Join(root, "etc", "apt", "apt.conf"), "APT { Periodic { Unattended-Upgrade \"0\"; }; };\n");
        var missing = CopyOfFixtureApt("missing");
        File.Delete(Path.Join(missing, "var", "lib", "dpkg", "info", "unattended-upgrades.list"));
        var stale = CopyOfFixtureApt("stale");
        var lists = Directory.CreateDirectory(Path.Join(stale, "var", "lib", "apt", "lists")).FullName;
        var old = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Directory.SetLastWriteTimeUtc(lists, old);
        File.SetLastWriteTimeUtc(Path.Join(stale, "var", "lib", "apt", "periodic", "update-success-stamp"), old.AddDays(-1));

        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], root))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(0, "apt.conf is read after apt.conf.d and turns it off");
        (await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], missing))).Value("nodehelper_unattended_upgrades_enabled")
            .Should().Be(0, "APT::Periodic says yes, but nothing is installed to run");
        var staleMetrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], stale));
        staleMetrics.Value("nodehelper_unattended_upgrades_enabled").Should().Be(1);
        staleMetrics.Value("nodehelper_apt_lists_updated_timestamp_seconds").Should().Be(new DateTimeOffset(old).ToUnixTimeSeconds(), "the newest of the lists and the stamps");
    }

    [Fact]
    public async Task TheCapturedSimulationIsCountedInTheBackgroundAndReported()
    {
        var apt = new AptUpgradeMonitor(Path.Join(AppContext.BaseDirectory, "Fixtures", "apt", "apt-get"));
        var collector = Collector(new Dictionary<int, string>(), [], HostParsersTests.HostRoot, apt);

        (await Registries.CollectAsync(collector)).Series.Keys.Should().NotContain(k => k.StartsWith("nodehelper_apt_upgrades", StringComparison.Ordinal),
            "before the first run has ended there is no count, rather than a 0");
        var check = await apt.CheckAsync(CancellationToken.None);
        var metrics = await Registries.CollectAsync(collector);

        check.Problem.Should().BeNull();
        metrics.Value("nodehelper_apt_upgrades_pending").Should().Be(121);
        metrics.Value("nodehelper_apt_security_upgrades_pending").Should().Be(77);
        metrics.Value("nodehelper_apt_upgrades_last_check_timestamp_seconds").Should().Be(check.At.ToUnixTimeMilliseconds() / 1000.0);
        metrics.Value("nodehelper_posture_source_success", ("source", "apt-get")).Should().Be(1);
        metrics.Value("nodehelper_posture_source_success", ("source", "sources.list")).Should().Be(1, "debian.sources names bookworm-security");
    }

    [Fact]
    public async Task AnAptGetThatHangsIsKilledAndFailsOnlyItsItem()
    {
        var pidFile = Path.Join(_dir, "apt-get.pid");
        var hanging = Script("hanging-apt-get", $"echo $$ > '{pidFile}.tmp' && mv '{pidFile}.tmp' '{pidFile}'\nexec sleep 600\n");
        var apt = new AptUpgradeMonitor(hanging, TimeSpan.FromHours(1), TimeSpan.FromSeconds(5));
        var collector = Collector(new Dictionary<int, string>(), [], HostParsersTests.HostRoot, apt);

        var run = apt.CheckAsync(CancellationToken.None);
        await Eventually.TrueAsync("the fake apt-get started", TimeSpan.FromSeconds(30), () => File.Exists(pidFile) || run.IsCompleted);
        File.Exists(pidFile).Should().BeTrue("the fake apt-get started before its timeout");
        var during = await Registries.CollectAsync(collector);
        var check = await run;
        var after = await Registries.CollectAsync(collector);

        during.Value("nodehelper_unattended_upgrades_enabled").Should().Be(1, "the scrape answers while apt-get hangs");
        run.IsCompleted.Should().BeTrue();
        check.Problem.Should().Contain("killed");
        Directory.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}").Should().BeFalse("the hanging process was killed and reaped");
        after.Value("nodehelper_posture_source_success", ("source", "apt-get")).Should().Be(0);
        after.Value("nodehelper_posture_source_success", ("source", "apt.conf")).Should().Be(1);
        after.Value("nodehelper_firewall_enabled", ("firewall", "nftables")).Should().Be(1, "every other item is still there");
        after.Series.Keys.Should().NotContain(k => k.StartsWith("nodehelper_apt_upgrades", StringComparison.Ordinal) || k.StartsWith("nodehelper_apt_security", StringComparison.Ordinal),
            "a failed run leaves no count, not a stale one or a 0");

        var failing = new AptUpgradeMonitor(Script("failing-apt-get", "echo 'E: The package lists or status file could not be parsed or opened.' >&2\nexit 100\n"));
        (await failing.CheckAsync(CancellationToken.None)).Problem.Should().Contain("exited with 100").And.Contain("could not be parsed");
    }

    [Fact]
    public async Task ThisMachinesAptGetCountsAsNobodyUnderTheShippedUnitsSandbox()
    {
        // The real apt-get over this machine's lists, as the service runs it: as nobody, no new privileges, and under
        // the unit's system call filter and address families (unit_sandbox.py, as the shipped binary's tests use it).
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        var sandboxed = Script("sandboxed-apt-get",
            "exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs /usr/bin/python3 " +
            $"'{Repository.PathOf("tests", "NodeHelper.Tests", "Packaging", "unit_sandbox.py")}' '{Repository.PathOf("packaging", "systemd", "nodehelper.service")}' " +
            "/usr/bin/apt-get \"$@\"\n");
        var apt = new AptUpgradeMonitor(sandboxed);

        var check = await apt.CheckAsync(CancellationToken.None);
        var metrics = await Registries.CollectAsync(Collector(new Dictionary<int, string>(), [], "/", apt));

        check.Problem.Should().BeNull();
        metrics.Value("nodehelper_posture_source_success", ("source", "apt-get")).Should().Be(1);
        metrics.Value("nodehelper_apt_upgrades_pending").Should().BeGreaterThanOrEqualTo(metrics.Value("nodehelper_apt_security_upgrades_pending"));
        metrics.Value("nodehelper_apt_security_upgrades_pending").Should().BeGreaterThanOrEqualTo(0);
        metrics.Names.Should().Contain("nodehelper_apt_lists_updated_timestamp_seconds");
    }

    [Fact]
    public void NoAptGetMeansNoCheck()
    {
        AptUpgradeMonitor.Find("").Should().BeNull("an empty setting turns the check off");
        AptUpgradeMonitor.Find(Path.Join(_dir, "apt-get")).Should().BeNull("not a Debian-like system");
        AptUpgradeMonitor.Find("nodehelper-no-such-apt-get").Should().BeNull();
        AptUpgradeMonitor.Find("apt-get").Should().Be("/usr/bin/apt-get", "found on PATH here (Debian)");
    }

    private string Script(string name, string body)
    {
        var path = Path.Join(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>A host root with the fixture's /etc and /var (apt's configuration, dpkg's record of unattended-upgrades, the update stamp), to change.</summary>
    private string CopyOfFixtureApt(string name)
    {
        var root = Path.Join(_dir, name);
        foreach (var file in Directory.EnumerateFiles(HostParsersTests.HostRoot, "*", SearchOption.AllDirectories)
                     .Where(f => Path.GetRelativePath(HostParsersTests.HostRoot, f).Split('/')[0] is "etc" or "var"))
        {
            var copy = Path.Join(root, Path.GetRelativePath(HostParsersTests.HostRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return root;
    }

    private static PostureCollector Collector(IReadOnlyDictionary<int, string> ports, IReadOnlyList<SecretPath> secrets, string root = "/", AptUpgradeMonitor? apt = null) =>
        new(ports, secrets, new HostViewOptions { Root = root }, new ItemLog(NullLogger.Instance, "posture"), apt);

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
