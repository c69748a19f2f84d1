using System.Diagnostics;
using System.Globalization;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>
/// Issue 11's "none of this needs root": the exporter as nobody (65534, no groups), with the posture, updates and
/// backups collectors on, reads every item. The kernel's socket tables and /sys are this machine's own; /etc and
/// /var/lib are the fixture host's (sshd with a drop-in, ufw, nftables, iptables-persistent with its rules 0640 root:root, apt's configuration and
/// lists); apt-get is this machine's, run as nobody in the background.
/// </summary>
public sealed class UnprivilegedExporterTests : IDisposable
{
    private const UnixFileMode Open = (UnixFileMode)0b111_101_101; // 0755
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100; // 0644
    private const UnixFileMode Private = (UnixFileMode)0b110_000_000; // 0600

    private static readonly string[] Collectors = ["posture", "updates", "backups", "host"];

    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-nobody-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AsNobodyEveryPostureUpdateAndBackupItemReports()
    {
        File.SetUnixFileMode(_dir, Open);
        var root = Dir("root");
        var fixture = Path.Join(AppContext.BaseDirectory, "Fixtures", "host");
        File.CreateSymbolicLink(Path.Join(root, "proc"), "/proc");
        File.CreateSymbolicLink(Path.Join(root, "sys"), "/sys");
        // The fixture host's /etc, but iptables-persistent's rules as netfilter-persistent save leaves them (0640
        // root:root: its 15-ip4tables plugin chmods them) and netfilter-persistent enabled, so they would be loaded.
        var etc = Dir(Path.Join("root", "etc"));
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path.Join(fixture, "etc")).Where(e => Path.GetFileName(e) is not ("iptables" or "systemd")))
        {
            File.CreateSymbolicLink(Path.Join(etc, Path.GetFileName(entry)), entry);
        }

        foreach (var file in Directory.EnumerateFiles(Path.Join(fixture, "etc", "systemd"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(fixture, file);
            Dir(Path.Join("root", Path.GetDirectoryName(relative)!));
            File.Copy(file, Path.Join(root, relative));
        }

        Dir(Path.Join("root", "etc", "systemd", "system", "multi-user.target.wants"));
        File.WriteAllText(Path.Join(etc, "systemd", "system", "multi-user.target.wants", "netfilter-persistent.service"), "");
        Dir(Path.Join("root", "etc", "iptables"));
        foreach (var rules in (string[])["rules.v4", "rules.v6"])
        {
            File.Copy(Path.Join(fixture, "etc", "iptables", "rules.v4"), Path.Join(etc, "iptables", rules));
            File.SetUnixFileMode(Path.Join(etc, "iptables", rules), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        File.CreateSymbolicLink(Path.Join(root, "var"), Path.Join(fixture, "var"));
        Dir(Path.Join("root", "run"));

        // bitcoind's secrets as bitcoind leaves them: the cookie 0600, wallets/ 0700, both root's.
        var bitcoin = Dir("bitcoin");
        var cookie = Path.Join(bitcoin, ".cookie");
        File.WriteAllText(cookie, "__cookie__:secret");
        File.SetUnixFileMode(cookie, Private);
        var wallets = Directory.CreateDirectory(Path.Join(bitcoin, "wallets")).FullName;
        File.SetUnixFileMode(wallets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // A channel backup and its copy, a restic job's metrics file, a version feed: readable by the exporter's user.
        var live = Write(Path.Join("lnd", "channel.backup"), "channels");
        var copy = Write(Path.Join("usb", "channel.backup"), "channels");
        var restic = Write(Path.Join("usb", "restic.prom"), $"restic_backup_last_success_timestamp_seconds {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\n");
        var feed = Write("update-feed.json", """{"generated": "2026-12-01T06:00:00Z", "latest": {"nodehelper": "99.0.0"}}""");

        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("setpriv")
        {
            ArgumentList =
            {
                "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", ExporterBinary.Dll, $"--urls=http://127.0.0.1:{port}",
                "--Services:Enabled=false", "--Bitcoind:Url=http://127.0.0.1:1/", $"--Bitcoind:CookieFile={cookie}",
                $"--Host:Root={root}", $"--Host:Paths:bitcoind={bitcoin}", "--Host:DirectorySizeIntervalSeconds=0",
                $"--Updates:FeedFile={feed}",
                $"--Backups:Items:channel_backup:Path={copy}", $"--Backups:Items:channel_backup:CopyOf={live}",
                $"--Backups:Items:restic:Path={restic}", "--Backups:Items:restic:MaxAgeHours=26",
            },
            Environment = { ["HOME"] = _dir, ["DOTNET_CLI_HOME"] = _dir },
        };

        await ExporterBinary.ServeAsync(start, port, async _ =>
        {
            // apt-get -s runs in the background from the start: seconds here, as nobody.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Exposition metrics = null!;
            await Eventually.TrueAsync("apt-get's count, as nobody", TimeSpan.FromSeconds(90), async () =>
            {
                metrics = Exposition.Parse(await http.GetStringAsync("metrics"));
                return metrics.Has("nodehelper_posture_source_success", ("source", "apt-get"));
            }, TimeSpan.FromSeconds(1));

            foreach (var collector in Collectors)
            {
                metrics.Value("nodehelper_scrape_collector_success", ("collector", collector)).Should().Be(1, collector);
            }

            metrics.Family("nodehelper_posture_source_success").Keys.Select(k => k.Split('"')[1]).Should().Contain(
                ["proc/net/tcp", "sshd_config", "ufw.conf", "nftables.conf", "iptables", "apt.conf", "apt-get"]);
            metrics.Family("nodehelper_posture_source_success").Should().OnlyContain(s => s.Value == 1, "nobody may read every source");
            metrics.Value("nodehelper_listener_exposed", ("port", port.ToString(CultureInfo.InvariantCulture)), ("service", "nodehelper")).Should().Be(0);
            metrics.Value("nodehelper_secret_file_world_readable", ("component", "bitcoind"), ("file", cookie)).Should().Be(0);
            metrics.Value("nodehelper_secret_file_world_readable", ("component", "bitcoind"), ("file", wallets)).Should().Be(0);
            metrics.Value("nodehelper_ssh_password_authentication_enabled").Should().Be(0);
            metrics.Value("nodehelper_ssh_root_login_permitted").Should().Be(0);
            metrics.Family("nodehelper_firewall_enabled").Should().HaveCount(2);
            metrics.Has("nodehelper_firewall_enabled", ("firewall", "iptables")).Should().BeFalse(
                "iptables' rules only root may read: whether they filter is unknown, neither on nor off");
            metrics.Value("nodehelper_firewall_rules_unreadable", ("firewall", "iptables")).Should().Be(1);
            metrics.Value("nodehelper_firewall_rules_unreadable", ("firewall", "nftables")).Should().Be(0, "Debian's /etc/nftables.conf is 0755");
            metrics.Value("nodehelper_posture_source_success", ("source", "iptables")).Should().Be(1, "an unreadable rules file is a known state, not a failed read");
            metrics.Value("nodehelper_reboot_required").Should().Be(0);
            metrics.Value("nodehelper_unattended_upgrades_enabled").Should().Be(1);
            metrics.Has("nodehelper_apt_upgrades_pending").Should().BeTrue();
            metrics.Has("nodehelper_apt_security_upgrades_pending").Should().BeTrue();
            metrics.Has("nodehelper_apt_lists_updated_timestamp_seconds").Should().BeTrue();

            metrics.Value("nodehelper_update_feed_success").Should().Be(1);
            metrics.Family("nodehelper_update_available").Should().ContainSingle(s => s.Key.Contains("\"nodehelper\"", StringComparison.Ordinal) && s.Value == 1);

            metrics.Family("nodehelper_backup_success").Should().HaveCount(2).And.OnlyContain(s => s.Value == 1);
            metrics.Family("nodehelper_backup_copy_matches").Should().ContainSingle().Which.Value.Should().Be(1);
            metrics.Family("nodehelper_backup_source_success").Should().ContainSingle().Which.Value.Should().Be(1);
            metrics.Family("nodehelper_backup_last_success_timestamp_seconds").Should().ContainSingle();
        });
    }

    private string Dir(string relative)
    {
        var path = Directory.CreateDirectory(Path.Join(_dir, relative)).FullName;
        File.SetUnixFileMode(path, Open);
        return path;
    }

    private string Write(string relative, string content)
    {
        var path = Path.Join(_dir, relative);
        Dir(Path.GetDirectoryName(relative) ?? "");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, Readable);
        return path;
    }
}
