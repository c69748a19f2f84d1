using System.Diagnostics;
using System.Globalization;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

[CollectionDefinition(Name)]
public sealed class FreshDebian : ICollectionFixture<DebianRootFixture>
{
    public const string Name = "a fresh Debian 12";
}

/// <summary>
/// The amd64 package as a node operator meets it, in a fresh Debian 12 made with mmdebstrap: <c>apt install ./…deb</c>,
/// the service started the way its unit says (user, environment, settings file, command), a scrape of a simulated
/// bitcoind, an upgrade that keeps the operator's settings and the report outbox, and a purge that leaves nothing.
/// systemd is not PID 1 here, so the unit's lines are applied by the test (SystemdUnit), not by systemd.
/// </summary>
[Collection(FreshDebian.Name)]
public sealed class DebianPackageInstallTests(DebianRootFixture debian) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("nodehelper-deb-").FullName;

    [Fact]
    public async Task InstallsRunsAsItsOwnUserUpgradesKeepingSettingsAndPurgesToNothing()
    {
        await using var root = await debian.NewRootAsync();
        var before = await SnapshotAsync(root);

        // Install as the README says.
        File.Copy(ReleaseArtifacts.Package("amd64"), root.In("/tmp/nodehelper.deb"));
        var install = await root.RunAsync("apt-get update -qq && apt-get install -y -q ./tmp/nodehelper.deb", TimeSpan.FromMinutes(5));
        install.ExitCode.Should().Be(0, install.StandardOutput + install.StandardError);
        install.StandardOutput.Should().Contain("sudo adduser nodehelper bitcoin", "the group it needs is named, not added");
        install.StandardError.Should().NotContain("Warning");
        (await root.RunAsync("id -nG nodehelper")).StandardOutput.Trim().Should().Be("nodehelper", "no group is added silently");
        File.Exists(root.In("/etc/systemd/system/multi-user.target.wants/nodehelper.service")).Should().BeTrue("the service starts at boot");

        // Run it as its unit would, against a simulated bitcoind whose cookie the nodehelper user may read.
        await using (var bitcoind = await BitcoindSimulator.StartAsync())
        {
            var cookie = root.In("/var/lib/nodehelper/bitcoind.cookie");
            File.Copy(bitcoind.CookieFile!, cookie);
            (await root.RunAsync("chown nodehelper:nodehelper /var/lib/nodehelper/bitcoind.cookie")).ExitCode.Should().Be(0);
            var metrics = await RunServiceAsync(root,
                $"--Bitcoind:Url={bitcoind.Url}", "--Bitcoind:CookieFile=/var/lib/nodehelper/bitcoind.cookie");
            metrics.Value("bitcoind_up").Should().Be(1);
            metrics.Value("bitcoind_blocks").Should().BeGreaterThan(0);
        }

        // The operator's settings and a report waiting in the outbox survive an upgrade.
        var conffile = root.In("/etc/nodehelper/nodehelper.conf");
        await File.AppendAllTextAsync(conffile, "NODEHELPER_Electrum__Enabled=true\n");
        Directory.CreateDirectory(root.In("/var/lib/nodehelper/reports/pending"));
        await File.WriteAllTextAsync(root.In("/var/lib/nodehelper/reports/pending/2026-12-01.eml"), "a report");
        var next = await BuildPackageAsync("0.1.1~test1");
        File.Copy(next, root.In("/tmp/nodehelper-next.deb"));
        var upgrade = await root.RunAsync("dpkg -i /tmp/nodehelper-next.deb");
        upgrade.ExitCode.Should().Be(0, upgrade.StandardOutput + upgrade.StandardError);
        (await root.RunAsync("dpkg-query -W -f='${Version}' nodehelper")).StandardOutput.Should().Be("0.1.1~test1");
        (await File.ReadAllTextAsync(conffile)).Should().EndWith("NODEHELPER_Electrum__Enabled=true\n");
        File.Exists(root.In("/var/lib/nodehelper/reports/pending/2026-12-01.eml")).Should().BeTrue("the outbox is kept");
        upgrade.StandardOutput.Should().NotContain("sudo adduser nodehelper bitcoin", "the note is for the first install");

        // Remove, then install again (the package's config-files state): enabled again, the report timer not masked.
        var remove = await root.RunAsync("dpkg --remove nodehelper");
        remove.ExitCode.Should().Be(0, remove.StandardOutput + remove.StandardError);
        File.Exists(conffile).Should().BeTrue("remove keeps the settings");
        var reinstall = await root.RunAsync("dpkg -i /tmp/nodehelper-next.deb");
        reinstall.ExitCode.Should().Be(0, reinstall.StandardOutput + reinstall.StandardError);
        File.Exists(root.In("/etc/systemd/system/multi-user.target.wants/nodehelper.service")).Should().BeTrue("enabled again");
        foreach (var unit in new[] { "nodehelper.service", "nodehelper-report.timer" })
        {
            var masked = new FileInfo(root.In("/etc/systemd/system/" + unit));
            (masked.LinkTarget == "/dev/null").Should().BeFalse($"{unit} is not left masked: `systemctl enable` must work");
        }

        // Purge: the system is as it was before the install.
        var purge = await root.RunAsync("dpkg --purge nodehelper");
        purge.ExitCode.Should().Be(0, purge.StandardOutput + purge.StandardError);
        // What apt installed for it alone (libssl3 on a minimal system) goes with autoremove, as a user would run it.
        (await root.RunAsync("apt-get autoremove --purge -y -q")).ExitCode.Should().Be(0);
        var after = await SnapshotAsync(root);
        after.Except(before).Should().BeEmpty("purge removes every file, the user, its group and the state directory");
        before.Except(after).Should().BeEmpty("and nothing that was there before");
    }

    /// <summary>
    /// Starts /usr/bin/nodehelper as the installed unit says (User=, Group=, WorkingDirectory=, Environment=,
    /// EnvironmentFile=, ExecStart=), plus a loopback port and <paramref name="settings"/>; returns its first scrape.
    /// </summary>
    private static async Task<Exposition> RunServiceAsync(DebianRoot root, params string[] settings)
    {
        var unit = new SystemdUnit(root.In("/lib/systemd/system/nodehelper.service"));
        var ids = (await root.RunAsync($"id -u {unit.One("User")}; getent group {unit.One("Group")} | cut -d: -f3")).StandardOutput.Split('\n');
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("chroot")
        {
            ArgumentList = { $"--userspec={ids[0].Trim()}:{ids[1].Trim()}", "--groups=", root.Path, unit.One("ExecStart"), $"--urls=http://127.0.0.1:{port}" },
            WorkingDirectory = "/",
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        start.Environment.Clear();
        start.Environment["HOME"] = unit.One("WorkingDirectory");
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (key, value) in unit.EnvironmentUnder(root.Path))
        {
            start.Environment[key] = value;
        }

        return await ExporterBinary.FirstScrapeAsync(start, port);
    }

    /// <summary>The same package at another version, built by the same script.</summary>
    private async Task<string> BuildPackageAsync(string version)
    {
        var binary = ReleaseArtifacts.Binary("linux-x64");
        var built = await ExternalProcess.RunAsync(Repository.PathOf("packaging", "build-deb.sh"), ["amd64", binary, _work, version],
            timeout: TimeSpan.FromMinutes(5));
        built.ExitCode.Should().Be(0, built.StandardError);
        return built.StandardOutput.Trim();
    }

    /// <summary>
    /// Every path in the root, and the account files' lines: what an install may add and a purge must take away.
    /// dpkg's and apt's own records and logs, /run (a tmpfs, emptied at boot: adduser keeps its lock there) and the
    /// files the test itself copied into /tmp are left out.
    /// </summary>
    private static async Task<HashSet<string>> SnapshotAsync(DebianRoot root)
    {
        var listed = await root.RunAsync(
            "find / -xdev \\( -path /proc -o -path /run -o -path /tmp -o -path /var/lib/dpkg -o -path /var/log -o -path /var/cache -o -path /var/lib/apt \\) -prune -o -print; " +
            "cat /etc/passwd /etc/group /etc/shadow /etc/gshadow");
        listed.ExitCode.Should().Be(0, listed.StandardError);
        return listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.EndsWith('-') || !line.StartsWith("/etc/", StringComparison.Ordinal)) // adduser's backups: /etc/passwd- …
            .ToHashSet();
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
