using System.Globalization;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Posture;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The node's security posture, from what any user may read: which of the stack's ports listen beyond loopback
/// (/proc/net/tcp and tcp6; bitcoind's RPC port reachable from the LAN is the worst of them), and which secret files
/// other users can read (bitcoind's cookie and wallets, NodeHelper's own password files), whether sshd takes
/// passwords or root, whether a firewall is on (ufw, or nftables or iptables rules loaded at boot), whether an upgrade
/// waits for a reboot, whether unattended-upgrades is on, how many upgrades (security ones among them) are pending and
/// how old the package lists are. No root needed: everything read is world-readable on Debian (under Host:Root) but
/// iptables-persistent's rules (0640 root:root), which are then reported unreadable rather than judged; the
/// pending upgrades come from <paramref name="apt"/>'s background simulation, never from the scrape.
/// </summary>
internal sealed class PostureCollector(IReadOnlyDictionary<int, string> ports, IReadOnlyList<SecretPath> secrets, HostViewOptions host, ItemLog items,
    AptUpgradeMonitor? apt = null)
    : IMetricsCollector
{
    private static readonly string[] Tables = ["proc/net/tcp", "proc/net/tcp6"];

    /// <summary>How old the last scan of the socket tables may be before a scrape starts the next one in the background.</summary>
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(60);

    private readonly Lock _scanLock = new();
    private ListenerScan? _scan;
    private Task? _rescan;

    public string Name => "posture";

    public string Description => "security posture: the stack's ports listening beyond loopback, secret files other users can read";

    /// <summary>No upstream to be down: an unreadable table is an item (nodehelper_posture_source_success).</summary>
    public UpGauge? Up => null;

    public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var sources = metrics.Family("nodehelper_posture_source_success",
            "Whether a source of the posture checks could be read (1) or not (0): proc/net/tcp, proc/net/tcp6 (absent without IPv6), sshd_config, ufw.conf, nftables.conf, iptables, apt.conf and sources.list (where installed), apt-get (its latest upgrade simulation).", "source");
        WriteListeners(metrics, sources);
        WriteSecrets(metrics);
        WriteSsh(metrics, sources);
        WriteFirewall(metrics, sources);
        WriteApt(metrics, sources);
        metrics.Gauge("nodehelper_reboot_required", "Whether the system asks for a reboot to finish an upgrade (/run/reboot-required exists) (1) or not (0).",
            File.Exists(host.In("run/reboot-required")) ? 1 : 0);
        return Task.CompletedTask;
    }

    /// <summary>sshd's PasswordAuthentication and PermitRootLogin as sshd reads them (first value wins, drop-ins included); only where sshd is installed.</summary>
    private void WriteSsh(MetricSet m, MetricFamily sources)
    {
        const string Config = "etc/ssh/sshd_config";
        if (!File.Exists(host.In(Config)))
        {
            return;
        }

        try
        {
            var ssh = SshdConfig.Read("/" + Config, path => host.In(path.TrimStart('/')));
            m.Gauge("nodehelper_ssh_password_authentication_enabled", "Whether sshd accepts passwords (PasswordAuthentication, default yes) (1) or keys only (0).", ssh.PasswordAuthentication ? 1 : 0);
            m.Gauge("nodehelper_ssh_root_login_permitted", "Whether sshd lets root log in with any method (PermitRootLogin yes) (1) or not, or only with a key (0).", ssh.PermitRootLogin == "yes" ? 1 : 0);
            sources.WithLabels("sshd_config").Set(1);
            items.Note("sshd_config", null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            sources.WithLabels("sshd_config").Set(0);
            items.Note("sshd_config", UpstreamException.Clip(e.Message));
        }
    }

    /// <summary>
    /// The firewalls that will filter inbound traffic after the next boot, each only where it is installed: ufw's own
    /// switch (ENABLED= in /etc/ufw/ufw.conf); nftables.service enabled and /etc/nftables.conf filtering input;
    /// iptables-persistent's rules.v4 or rules.v6 filtering INPUT and netfilter-persistent.service enabled. The live
    /// ruleset needs CAP_NET_ADMIN to read, which the exporter never has. A rules file only root may read (what
    /// netfilter-persistent save leaves: 0640 root:root) is a known state, not a failed read: unknown, with no
    /// enabled series and nodehelper_firewall_rules_unreadable 1.
    /// </summary>
    private void WriteFirewall(MetricSet m, MetricFamily sources)
    {
        var enabled = m.Family("nodehelper_firewall_enabled",
            "Whether a firewall installed on the host filters inbound traffic after a boot (1) or not (0): ufw (ENABLED= in ufw.conf), nftables (nftables.service enabled and /etc/nftables.conf has an input hook chain with a drop policy or a drop or reject rule), iptables (netfilter-persistent.service enabled and /etc/iptables/rules.v4 or rules.v6 drops or rejects in the filter table's INPUT). No series while its rules may not be read.",
            "firewall");
        var unreadable = m.Family("nodehelper_firewall_rules_unreadable",
            "Whether a firewall's rules files exist but may not be read by the exporter's user (1: whether it filters is unknown; iptables-persistent writes rules.v4 and rules.v6 as 0640 root:root) or were read (0): nftables, iptables.",
            "firewall");
        var units = host.In("etc/systemd/system");
        Firewall(sources, enabled, null, "ufw", "ufw.conf", "etc/ufw/ufw.conf", path => File.ReadLines(path).Select(l => l.Trim())
            .Any(l => l.StartsWith("ENABLED=", StringComparison.Ordinal) && l[8..].Trim('"', '\'').Equals("yes", StringComparison.OrdinalIgnoreCase)));
        Firewall(sources, enabled, unreadable, "nftables", "nftables.conf", "etc/nftables.conf", _ =>
            !SystemdUnitLinks.EnabledAtBoot(units, "nftables.service")
                ? false
                : FirewallConfig.AnyFiltersInput(["/etc/nftables.conf"], f => FirewallConfig.NftablesFiltersInput(f, p => host.In(p.TrimStart('/')))));
        Firewall(sources, enabled, unreadable, "iptables", "iptables", "etc/iptables", path =>
            !SystemdUnitLinks.EnabledAtBoot(units, "netfilter-persistent.service")
                ? false
                : FirewallConfig.AnyFiltersInput(((string[])["rules.v4", "rules.v6"]).Select(f => Path.Join(path, f)).Where(File.Exists),
                    f => FirewallConfig.IptablesFiltersInput(File.ReadAllLines(f))));
    }

    /// <summary>
    /// One firewall's series and source, where <paramref name="installed"/> (a file or directory under Host:Root)
    /// exists. <paramref name="isOn"/> answers null when the rules exist but may not be read: the source is still
    /// read (a known state), and only <paramref name="unreadable"/> has a series.
    /// </summary>
    private void Firewall(MetricFamily sources, MetricFamily enabled, MetricFamily? unreadable, string firewall, string source, string installed, Func<string, bool?> isOn)
    {
        var path = host.In(installed);
        if (!Path.Exists(path))
        {
            return;
        }

        try
        {
            var on = isOn(path);
            if (on is { } value)
            {
                enabled.WithLabels(firewall).Set(value ? 1 : 0);
            }

            unreadable?.WithLabels(firewall).Set(on is null ? 1 : 0);
            sources.WithLabels(source).Set(1);
            items.Note(source, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            sources.WithLabels(source).Set(0);
            items.Note(source, UpstreamException.Clip(e.Message));
        }
    }

    /// <summary>
    /// apt's side, where apt is (/etc/apt): unattended-upgrades on (installed, and APT::Periodic's
    /// Update-Package-Lists and Unattended-Upgrade set as apt resolves them), when the package lists last changed,
    /// and the latest background count of pending upgrades.
    /// </summary>
    private void WriteApt(MetricSet m, MetricFamily sources)
    {
        bool? security = null; // whether the sources name a security suite; null: unknown (no /etc/apt, or unreadable)
        if (Directory.Exists(host.In("etc/apt")))
        {
            try
            {
                var config = AptConfig.Read(host.In("etc/apt"));
                // Installed: the program apt.systemd.daily runs, or dpkg's record of the package.
                var on = (File.Exists(host.In("usr/bin/unattended-upgrade")) || File.Exists(host.In("var/lib/dpkg/info/unattended-upgrades.list")))
                         && AptConfig.IsOn(config, "APT::Periodic::Enable", @default: true)
                         && AptConfig.IsOn(config, "APT::Periodic::Update-Package-Lists")
                         && AptConfig.IsOn(config, "APT::Periodic::Unattended-Upgrade")
                         && UpgradeTimerRuns();
                m.Gauge("nodehelper_unattended_upgrades_enabled",
                    "Whether unattended-upgrades is installed and apt runs it (APT::Periodic::Update-Package-Lists and APT::Periodic::Unattended-Upgrade not 0, as apt resolves /etc/apt/apt.conf.d and apt.conf; where systemd is the init, apt-daily-upgrade.timer enabled and not masked) (1) or not (0).",
                    on ? 1 : 0);
                sources.WithLabels("apt.conf").Set(1);
                items.Note("apt.conf", null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                sources.WithLabels("apt.conf").Set(0);
                items.Note("apt.conf", UpstreamException.Clip(e.Message));
            }

            try
            {
                security = AptSources.NameASecuritySuite(host.In("etc/apt"));
                sources.WithLabels("sources.list").Set(1);
                items.Note("sources.list", null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                sources.WithLabels("sources.list").Set(0);
                items.Note("sources.list", UpstreamException.Clip(e.Message));
            }
        }

        // apt-get update replaces a list file only when the mirror has a new one, which changes the directory's mtime;
        // apt.systemd.daily touches update-stamp after each apt-get update of its own that succeeds (apt-daily.timer:
        // 06:00 and 18:00, up to 12 h of random delay); update-success-stamp only where a Post-Invoke-Success hook
        // touches it (Ubuntu's update-notifier-common), after every successful apt-get update.
        var stamps = ((string[])["var/lib/apt/lists", "var/lib/apt/periodic/update-success-stamp", "var/lib/apt/periodic/update-stamp"])
            .Select(host.In).Where(Path.Exists).Select(p => (DateTimeOffset)File.GetLastWriteTimeUtc(p)).ToList();
        if (stamps.Count > 0)
        {
            m.Gauge("nodehelper_apt_lists_updated_timestamp_seconds",
                "When apt's package lists were last refreshed, as far as files tell: the newest mtime of /var/lib/apt/lists, /var/lib/apt/periodic/update-stamp (apt.systemd.daily) and update-success-stamp (a Post-Invoke-Success hook). Old lists make the pending counts meaningless.",
                stamps.Max().ToUnixTimeMilliseconds() / 1000.0);
        }

        if (apt?.Latest is not { } check)
        {
            return; // no apt-get, or its first run has not ended yet
        }

        if (check.Pending is { } pending)
        {
            m.Gauge("nodehelper_apt_upgrades_pending", "Packages apt-get -s dist-upgrade would install or upgrade (its Inst lines), in the latest background run.", pending.Upgrades);
            if (security == true)
            {
                // Only where a security suite is configured: Raspbian's archive has none, and a 0 there would say nothing.
                m.Gauge("nodehelper_apt_security_upgrades_pending",
                    "Of those, the packages whose new version a -security suite offers (Debian-Security, bookworm-security, jammy-security); only where apt's sources name a security suite.", pending.SecurityUpgrades);
            }

            m.Gauge("nodehelper_apt_upgrades_last_check_timestamp_seconds", "When the background apt-get -s dist-upgrade that counted them ended.",
                check.At.ToUnixTimeMilliseconds() / 1000.0);
            sources.WithLabels("apt-get").Set(1);
            items.Note("apt-get", null);
        }
        else
        {
            sources.WithLabels("apt-get").Set(0);
            items.Note("apt-get", check.Problem);
        }
    }

    /// <summary>
    /// Whether something runs apt.systemd.daily's install step. Where systemd is the init (/run/systemd/system, or
    /// apt's timer units installed under Host:Root), only apt-daily-upgrade.timer does (cron's apt-compat exits under
    /// systemd): it must be enabled (its link in a .wants directory of /etc/systemd/system, timers.target.wants) and
    /// not masked. Elsewhere /etc/cron.daily/apt-compat runs it.
    /// </summary>
    private bool UpgradeTimerRuns()
    {
        const string Timer = "apt-daily-upgrade.timer";
        var systemd = Directory.Exists(host.In("run/systemd/system"))
                      || File.Exists(host.In("lib/systemd/system/" + Timer)) || File.Exists(host.In("usr/lib/systemd/system/" + Timer));
        var units = host.In("etc/systemd/system");
        return !systemd || (SystemdUnitLinks.EnabledAtBoot(units, Timer) && !SystemdUnitLinks.Masked(units, Timer));
    }

    private void WriteListeners(MetricSet m, MetricFamily sources)
    {
        var scan = CurrentScan();
        foreach (var (table, ok) in scan.Sources)
        {
            sources.WithLabels(table).Set(ok ? 1 : 0);
        }

        var listening = scan.Sockets;
        var exposed = m.Family("nodehelper_listener_exposed",
            "Whether a port of the stack that listens does so beyond loopback, reachable from other machines (1), or on loopback only (0). Only listening ports have a series.",
            "port", "service");
        foreach (var (port, service) in ports.OrderBy(p => p.Key))
        {
            var sockets = listening.Where(s => s.Port == port).ToList();
            if (sockets.Count > 0)
            {
                exposed.WithLabels(port.ToString(CultureInfo.InvariantCulture), service).Set(sockets.Any(s => !s.LoopbackOnly) ? 1 : 0);
            }
        }
    }

    /// <summary>
    /// The latest scan of the socket tables. They list every TCP socket of the host, connections and TIME_WAIT
    /// included: on a busy node that is megabytes of text (make bench measured 6.7 MB allocated and 10 ms per scrape
    /// while its clients left thousands of sockets behind). Listeners change rarely, so the tables are read on the
    /// first scrape, then again in the background once the last scan is <see cref="ScanInterval"/> old; a scrape
    /// never waits for a rescan.
    /// </summary>
    private ListenerScan CurrentScan()
    {
        lock (_scanLock)
        {
            if (_scan is null)
            {
                _scan = Scan();
            }
            else if (DateTime.UtcNow - _scan.At >= ScanInterval && (_rescan is null || _rescan.IsCompleted))
            {
                _rescan = Task.Run(() =>
                {
                    var fresh = Scan();
                    lock (_scanLock)
                    {
                        _scan = fresh;
                    }
                });
            }

            return _scan;
        }
    }

    private ListenerScan Scan()
    {
        var sockets = new List<ListeningSocket>();
        var sources = new List<(string, bool)>();
        foreach (var table in Tables)
        {
            var path = host.In(table);
            if (table.EndsWith("tcp6", StringComparison.Ordinal) && !File.Exists(path))
            {
                continue; // IPv6 is off: nothing can listen on it.
            }

            try
            {
                sockets.AddRange(ListeningSockets.Parse(File.ReadLines(path)));
                sources.Add((table, true));
                items.Note(table, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                sources.Add((table, false));
                items.Note(table, UpstreamException.Clip(e.Message));
            }
        }

        return new ListenerScan(DateTime.UtcNow, sockets, sources);
    }

    private sealed record ListenerScan(DateTime At, List<ListeningSocket> Sockets, List<(string Table, bool Ok)> Sources);

    /// <summary>
    /// Whether a user who is neither the owner nor in the group can read the file (or list or enter the directory):
    /// its own mode allows it, and every directory above it lets others through (o+x). LND writes its readonly and
    /// invoice macaroons 0644 into a 0700 directory, bitcoind its cookie into a 0700 data directory: those are safe.
    /// (ACLs are not read.)
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    internal static bool OthersCanRead(string path)
    {
        var full = Path.GetFullPath(path);
        var others = Directory.Exists(full)
            ? UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.OtherRead;
        if ((File.GetUnixFileMode(full) & others) == 0)
        {
            return false;
        }

        for (var directory = Path.GetDirectoryName(full); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            if ((File.GetUnixFileMode(directory) & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private void WriteSecrets(MetricSet m)
    {
        var readable = m.Family("nodehelper_secret_file_world_readable",
            "Whether a secret file (or directory) can be read by every user of the host, by its own mode and the directories above it (1), or not (0): bitcoind's cookie and wallets, LND's TLS key and macaroons, NodeHelper's password files, web configuration and TLS key. Only existing files have a series.",
            "component", "file");
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are Unix's
        }

        foreach (var secret in secrets)
        {
            var path = PathExpansion.Expand(secret.Path);
            try
            {
                if (!Path.Exists(path))
                {
                    continue;
                }

                readable.WithLabels(secret.Component, LabelValue.Clip(path)).Set(OthersCanRead(path) ? 1 : 0);
                items.Note($"secret {path}", null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                items.Note($"secret {path}", UpstreamException.Clip(e.Message));
            }
        }
    }
}
