using NodeHelper.Exporter.Configuration;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

/// <summary>
/// The two packages <c>make package</c> builds, checked as Debian checks a package: lintian, and what dpkg would
/// install from each. (Installing, upgrading and purging: DebianPackageInstallTests.)
/// </summary>
public sealed class DebianPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-unpacked-").FullName;

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    public async Task LintianFindsNoErrorAndNoWarning(string architecture)
    {
        var lintian = ExternalProcess.Require("lintian", "run `make test`, which installs Debian's lintian");
        var result = await ExternalProcess.RunAsync(lintian, ["--fail-on", "error,warning", ReleaseArtifacts.Package(architecture)],
            timeout: TimeSpan.FromMinutes(5));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Split('\n').Should().NotContain(line => line.StartsWith("E:", StringComparison.Ordinal) || line.StartsWith("W:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("amd64", 0x3E)] // EM_X86_64
    [InlineData("arm64", 0xB7)] // EM_AARCH64
    public async Task EachPackageHoldsTheBinaryOfItsArchitectureTheSettingsFileTheUnitsTheBundleAndTheManPage(string architecture, int elfMachine)
    {
        var deb = ReleaseArtifacts.Package(architecture);
        (await DpkgDebAsync("--field", deb, "Architecture")).Trim().Should().Be(architecture);
        (await DpkgDebAsync("--field", deb, "Depends")).Should().Contain("libc6").And.Contain("adduser").And.Contain("libssl3");
        await DpkgDebAsync("-R", deb, _dir);

        var binary = Path.Join(_dir, "usr", "bin", "nodehelper");
        var header = new byte[20];
        await using (var file = File.OpenRead(binary))
        {
            await file.ReadExactlyAsync(header);
        }

        header[..4].Should().Equal([0x7F, (byte)'E', (byte)'L', (byte)'F']);
        BitConverter.ToUInt16(header, 18).Should().Be((ushort)elfMachine, "the binary is built for the package's architecture");
        File.GetUnixFileMode(binary).Should().HaveFlag(UnixFileMode.UserExecute);

        (await File.ReadAllTextAsync(Path.Join(_dir, "DEBIAN", "conffiles"))).Trim().Should().Be("/etc/nodehelper/nodehelper.conf",
            "the settings file survives upgrades and goes only with purge");
        File.Exists(Path.Join(_dir, "etc", "nodehelper", "nodehelper.conf")).Should().BeTrue();
        foreach (var unit in new[] { "nodehelper.service", "nodehelper-report.service", "nodehelper-report.timer" })
        {
            File.ReadAllText(Path.Join(_dir, "lib", "systemd", "system", unit)).Should().Be(File.ReadAllText(Repository.PathOf("packaging", "systemd", unit)));
        }

        var share = Path.Join(_dir, "usr", "share", "nodehelper");
        foreach (var rules in Directory.GetFiles(Repository.PathOf("prometheus", "rules")))
        {
            File.Exists(Path.Join(share, "prometheus", "rules", Path.GetFileName(rules))).Should().BeTrue(rules);
        }

        foreach (var dashboard in Directory.GetFiles(Repository.PathOf("grafana", "dashboards")))
        {
            File.Exists(Path.Join(share, "grafana", "dashboards", Path.GetFileName(dashboard))).Should().BeTrue(dashboard);
        }

        File.Exists(Path.Join(share, "alertmanager", "templates", "nodehelper.tmpl")).Should().BeTrue();
        File.Exists(Path.Join(share, "alertmanager", "alertmanager.yml")).Should().BeTrue();
        File.Exists(Path.Join(share, "prometheus", "consoles", "nodehelper-runbook.html")).Should().BeTrue();
        File.Exists(Path.Join(share, "runbook.md")).Should().BeTrue();
        File.ReadAllText(Path.Join(share, "web-config.example.yml")).Should().Be(File.ReadAllText(Repository.PathOf("packaging", "web-config.example.yml")),
            "the example web configuration the README and nodehelper.conf point to");
        Directory.GetFiles(share, "*.cs", SearchOption.AllDirectories).Should().BeEmpty("the generators' sources are not the bundle");

        var man = await ExternalProcess.RunAsync("zcat", [Path.Join(_dir, "usr", "share", "man", "man1", "nodehelper.1.gz")]);
        man.StandardOutput.Should().Contain(".TH NODEHELPER \"1\"").And.Contain("Bitcoind:Url").And.Contain("check\\-config");
        File.Exists(Path.Join(_dir, "usr", "share", "doc", "nodehelper", "copyright")).Should().BeTrue();
    }

    [Fact]
    public void TheSettingsFileListsEverySettingCommentedOutWithItsDefault()
    {
        var lines = File.ReadAllLines(Repository.PathOf("packaging", "nodehelper.conf"));

        lines.Where(l => l.Length > 0 && l[0] != '#').Should().BeEmpty("every setting is commented out: the defaults apply until the operator changes one");
        foreach (var setting in ExporterSettings.DescribeAll())
        {
            if (setting.IsTemplate)
            {
                // Backups:Items:<name>:Path is shown for an example name: <name> would not be a valid one uncommented.
                lines.Select(SettingOfLine).Should().Contain(key => key != null && setting.Matches(key),
                    $"{setting.Key} is a setting (nodehelper --help), shown with an example name; `make package` ships this file");
                continue;
            }

            var variable = "#" + SettingsSources.EnvironmentPrefix + setting.Key.Replace(":", "__", StringComparison.Ordinal);
            lines.Should().Contain(l => l.StartsWith(variable + (setting.IsMap ? "__" : "="), StringComparison.Ordinal),
                $"{setting.Key} is a setting (nodehelper --help); `make package` ships this file");
        }

        lines.Should().Contain("#NODEHELPER_Report__OutboxDirectory=/var/lib/nodehelper/reports",
            "the packaged default is the unit's state directory (the unit's Environment= line)");
    }

    /// <summary>The setting a commented-out line sets (#NODEHELPER_Backups__Items__restic__Path=... is Backups:Items:restic:Path).</summary>
    private static string? SettingOfLine(string line)
    {
        var prefix = "#" + SettingsSources.EnvironmentPrefix;
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        return line.StartsWith(prefix, StringComparison.Ordinal) && equals > prefix.Length
            ? line[prefix.Length..equals].Replace("__", ":", StringComparison.Ordinal)
            : null;
    }

    [Fact]
    public async Task TheSettingsFileWithEverySettingUncommentedIsValid()
    {
        // The values the file shows are the defaults: taken literally (as systemd reads the file), they are valid.
        var environment = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(Repository.PathOf("packaging", "nodehelper.conf")).Where(l => l.StartsWith("#NODEHELPER_", StringComparison.Ordinal)))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            environment[line[1..equals]] = line[(equals + 1)..];
        }

        var check = await ExternalProcess.RunAsync(ReleaseArtifacts.Binary("linux-x64"), ["--check-config"], environment: environment);

        check.ExitCode.Should().Be(0, check.StandardOutput + check.StandardError);
        check.StandardOutput.Should().Contain("NODEHELPER_Bitcoind__Url");
    }

    private static async Task<string> DpkgDebAsync(params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync("dpkg-deb", arguments);
        result.ExitCode.Should().Be(0, result.StandardError);
        return result.StandardOutput;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
