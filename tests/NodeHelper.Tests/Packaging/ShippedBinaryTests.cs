using System.Diagnostics;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

/// <summary>
/// The release binaries, run the way a node runs them. systemd is not PID 1 here, so the unit's restrictions that
/// this machine can apply to a process are applied by hand, each with the kernel switch systemd uses: a user that is
/// not root, no_new_privs, no capabilities, the whole file system read-only but the state directory
/// (ProtectSystem=strict), and, read from the shipped unit file by unit_sandbox.py, MemoryDenyWriteExecute=
/// (systemd 252's seccomp rules, and PR_SET_MDWE), SystemCallFilter= and SystemCallErrorNumber= (seccomp, from systemd-analyze's own syscall sets) and
/// RestrictAddressFamilies=.
/// </summary>
public sealed class ShippedBinaryTests : IAsyncLifetime
{
    private static readonly string Sandbox = Repository.PathOf("tests", "NodeHelper.Tests", "Packaging", "unit_sandbox.py");

    private readonly string _state = Directory.CreateTempSubdirectory("nodehelper-state-").FullName;
    private BitcoindSimulator _bitcoind = null!;

    public async Task InitializeAsync() => _bitcoind = await BitcoindSimulator.StartAsync();

    [Fact]
    public async Task TheNativeBinaryDoesItsWorkUnderTheUnitsRestrictions()
    {
        var cookie = Path.Join(_state, "cookie");
        File.Copy(_bitcoind.CookieFile!, cookie);
        Directory.CreateDirectory(Path.Join(_state, "reports"));
        await ExternalProcess.RunAsync("chown", ["-R", "65534:65534", _state]);

        var port = LoopbackPort.Free();
        var metrics = await ExporterBinary.FirstScrapeAsync(Restricted(ReleaseArtifacts.Binary("linux-x64"),
            $"--urls=http://127.0.0.1:{port}", $"--Bitcoind:Url={_bitcoind.Url}", $"--Bitcoind:CookieFile={cookie}",
            $"--Host:Paths:bitcoind={_state}", $"--Report:OutboxDirectory={Path.Join(_state, "reports")}"), port);

        metrics.Value("bitcoind_up").Should().Be(1);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "host")).Should().Be(1, "/proc and /sys stay readable");
    }

    [Fact]
    public async Task TheFrameworkDependentBuildCannotRunUnderMemoryDenyWriteExecuteWhichIsWhyTheUnitNeedsTheNativeOne()
    {
        // A unit with only this one line, so that nothing else can be why the JIT build fails.
        var unit = Path.Join(_state, "mdwe.service");
        await File.WriteAllTextAsync(unit, "[Service]\nMemoryDenyWriteExecute=yes\n");
        var dotnet = ExternalProcess.Require("dotnet", "the .NET SDK runs these tests");
        var jit = await ExternalProcess.RunAsync("/usr/bin/python3", [Sandbox, unit, dotnet, ExporterBinary.Dll, "--version"]);
        var native = await ExternalProcess.RunAsync("/usr/bin/python3", [Sandbox, unit, ReleaseArtifacts.Binary("linux-x64"), "--version"]);

        native.ExitCode.Should().Be(0, native.StandardError);
        native.StandardOutput.Should().StartWith("nodehelper ");
        jit.ExitCode.Should().NotBe(0, "a JIT must write code and then run it, which the kernel now refuses");
    }

    [Fact]
    public async Task TheArm64BinaryAnswersAScrapeOfBitcoindUnderQemu()
    {
        var qemu = ExternalProcess.Require("qemu-aarch64-static", "run `make test`, which installs Debian's qemu-user-static");
        var binary = ReleaseArtifacts.Binary("linux-arm64");
        var version = await ExternalProcess.RunAsync(qemu, [binary, "--version"]);
        version.StandardOutput.Trim().Should().Be($"nodehelper {ReleaseArtifacts.Version} (commit {GitCommit.Head()})");

        var port = LoopbackPort.Free();
        var metrics = await ExporterBinary.FirstScrapeAsync(new ProcessStartInfo(qemu)
        {
            ArgumentList = { binary, $"--urls=http://127.0.0.1:{port}", $"--Bitcoind:Url={_bitcoind.Url}", $"--Bitcoind:CookieFile={_bitcoind.CookieFile}" },
        }, port);

        metrics.Value("bitcoind_up").Should().Be(1);
        metrics.Value("bitcoind_blocks").Should().BeGreaterThan(0);
    }

    /// <summary>
    /// <paramref name="binary"/> in a mount namespace where every file system but /proc, /sys, /dev and the state
    /// directory is read-only, as the user nobody, with no_new_privs, no capabilities, and the unit's memory,
    /// system call and address family restrictions.
    /// </summary>
    private ProcessStartInfo Restricted(string binary, params string[] arguments)
    {
        const string readOnlySystem =
            "mount --make-rprivate / && mount --bind \"$STATE\" \"$STATE\" && " +
            "for m in $(awk '{print $2}' /proc/self/mounts); do case \"$m\" in /proc*|/sys*|/dev*|\"$STATE\") ;; " +
            "*) mount -o remount,bind,ro \"$m\" 2>/dev/null || true ;; esac; done; " +
            "touch /nodehelper-write-test 2>/dev/null && { echo 'the root file system is still writable' >&2; exit 97; }; " +
            "exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --bounding-set=-all --inh-caps=-all " +
            "/usr/bin/python3 \"$SANDBOX\" \"$UNIT\" \"$@\"";
        var start = new ProcessStartInfo("unshare") { ArgumentList = { "--mount", "sh", "-c", readOnlySystem, "sh", binary } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["STATE"] = _state;
        start.Environment["SANDBOX"] = Sandbox;
        start.Environment["UNIT"] = Repository.PathOf("packaging", "systemd", "nodehelper.service");
        start.Environment["HOME"] = _state;
        return start;
    }

    public async Task DisposeAsync()
    {
        await _bitcoind.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }
}
