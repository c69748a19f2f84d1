using System.Globalization;
using System.Text.RegularExpressions;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

/// <summary>
/// The shipped units, checked by systemd's own analyzer as installed by the amd64 package: no error or unknown
/// directive (verify), and an exposure score at or below 2.0 (security; Debian's prometheus.service scores 4.0).
/// </summary>
public sealed partial class SystemdUnitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nodehelper-units-").FullName;

    public static TheoryData<string> Units => new() { "nodehelper.service", "nodehelper-report.service", "nodehelper-report.timer" };

    public static TheoryData<string> Services => new() { "nodehelper.service", "nodehelper-report.service" };

    [Theory]
    [MemberData(nameof(Units))]
    public async Task SystemdAnalyzeVerifyFindsNothingInTheInstalledUnit(string unit)
    {
        await InstallIntoRootAsync();

        var verify = await ExternalProcess.RunAsync("systemd-analyze", ["verify", "--man=no", $"--root={_root}", $"/lib/systemd/system/{unit}"]);

        verify.ExitCode.Should().Be(0, verify.StandardError);
        verify.StandardError.Should().BeEmpty("an unknown or misspelt directive is only a warning to systemd, silently ignored");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task SystemdAnalyzeSecurityScoresTheServiceAtOrBelowTwo(string unit)
    {
        var security = await ExternalProcess.RunAsync("systemd-analyze", ["security", "--offline=true", "--no-pager", Repository.PathOf("packaging", "systemd", unit)]);

        security.ExitCode.Should().Be(0, security.StandardError);
        var score = OverallExposure().Match(security.StandardOutput);
        score.Success.Should().BeTrue(security.StandardOutput);
        double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture).Should().BeLessThanOrEqualTo(2.0, security.StandardOutput);
    }

    [Fact]
    public void TheServiceNeverRunsAsRootAndNeverGainsPrivileges()
    {
        var unit = new SystemdUnit(Repository.PathOf("packaging", "systemd", "nodehelper.service"));

        unit.One("User").Should().Be("nodehelper");
        unit.One("NoNewPrivileges").Should().Be("yes");
        unit.One("CapabilityBoundingSet").Should().BeEmpty();
        unit.One("ExecStart").Should().Be("/usr/bin/nodehelper");
        unit.One("Type").Should().Be("notify", "systemd starts what depends on it once it listens (SystemdNotifyTests)");
        unit.One("MemoryDenyWriteExecute").Should().Be("yes", "the shipped binary is NativeAOT and runs under it (ShippedBinaryTests)");
    }

    /// <summary>The amd64 package unpacked into a root, beside this machine's own systemd units (the targets the unit names).</summary>
    private async Task InstallIntoRootAsync()
    {
        var unpack = await ExternalProcess.RunAsync("dpkg-deb", ["-x", ReleaseArtifacts.Package("amd64"), _root]);
        unpack.ExitCode.Should().Be(0, unpack.StandardError);
        var targets = await ExternalProcess.RunAsync("cp", ["-rn", "/lib/systemd/system/.", Path.Join(_root, "lib", "systemd", "system")]);
        targets.ExitCode.Should().Be(0, targets.StandardError);
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex OverallExposure();

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
