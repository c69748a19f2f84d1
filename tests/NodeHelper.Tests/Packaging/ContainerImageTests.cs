using System.Diagnostics;
using System.Text.Json;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

/// <summary>
/// The image <c>make image</c> saves, opened as a container engine opens it: its layers unpacked in order into a
/// root file system, its config read for the user, environment, entry point and health check. No container runs on
/// this machine (ENVIRONMENT.md), so the exporter is started in that root with chroot as the image's user, with the
/// host's /proc mounted where compose.yml mounts it.
/// </summary>
public sealed class ContainerImageTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-image-").FullName;
    private readonly List<string> _mounts = [];

    private string RootFs => Path.Join(_dir, "rootfs");

    public Task InitializeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("amd64")]
    [InlineData("arm64")]
    public async Task TheImageRunsAsANonRootUserWithoutAShellAndChecksItsOwnHealth(string architecture)
    {
        var config = await UnpackAsync(ReleaseArtifacts.Image(architecture));

        config.GetProperty("architecture").GetString().Should().Be(architecture);
        var run = config.GetProperty("config");
        run.GetProperty("User").GetString().Should().Be("65532:65532", "the exporter never runs as root");
        run.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()).Should().Equal("/usr/bin/nodehelper");
        run.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString())
            .Should().Equal("CMD", "/usr/bin/nodehelper", "healthcheck");
        foreach (var directory in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin" })
        {
            var programs = Directory.Exists(Path.Join(RootFs, directory)) ? Directory.GetFileSystemEntries(Path.Join(RootFs, directory)) : [];
            programs.Select(Path.GetFileName).Should().BeSubsetOf(["nodehelper"], $"/{directory}: the image runs one program, no shell, no interpreter");
        }

        Directory.Exists(Path.Join(RootFs, "usr", "share", "perl5")).Should().BeFalse("no interpreter's libraries either");

        new FileInfo(Path.Join(RootFs, "etc", "ssl", "certs", "ca-certificates.crt")).Length.Should().BeGreaterThan(100_000,
            "TLS to a mail server or a public front end needs the CA bundle");
    }

    [Fact]
    public async Task TheExporterInTheImageScrapesBitcoindAndTheHostAndItsHealthcheckPasses()
    {
        var config = (await UnpackAsync(ReleaseArtifacts.Image("amd64"))).GetProperty("config");
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        // compose.yml: the host's /proc read-only at /host/proc; the cookie from bitcoind's data directory, read-only.
        await MountAsync("proc", "/proc");
        await MountAsync("proc", "/host/proc");
        var cookie = Path.Join(RootFs, "var", "lib", "nodehelper", "cookie");
        File.Copy(bitcoind.CookieFile!, cookie);
        await ExternalProcess.RunAsync("chown", ["65532:65532", cookie]);

        var port = LoopbackPort.Free();
        var environment = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        environment["NODEHELPER_urls"] = $"http://127.0.0.1:{port}"; // the container's 0.0.0.0:9338, on this machine's loopback
        environment["NODEHELPER_Bitcoind__Url"] = bitcoind.Url.ToString();
        environment["NODEHELPER_Bitcoind__CookieFile"] = "/var/lib/nodehelper/cookie";
        environment["NODEHELPER_Host__Paths__bitcoind"] = "/var/lib/nodehelper";
        var user = config.GetProperty("User").GetString()!;
        var entrypoint = config.GetProperty("Entrypoint")[0].GetString()!;

        await ExporterBinary.ServeAsync(InImage(user, environment, entrypoint), port, async metrics =>
        {
            metrics.Value("bitcoind_up").Should().Be(1);
            metrics.Value("nodehelper_scrape_collector_success", ("collector", "host")).Should().Be(1, "the host's /proc at /host/proc");

            var check = config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Skip(1).Select(e => e.GetString()!).ToArray();
            var start = InImage(user, environment, check);
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            using var health = Process.Start(start)!;
            var errors = health.StandardError.ReadToEndAsync();
            await health.WaitForExitAsync();
            health.ExitCode.Should().Be(0, await errors);
        });
    }

    /// <summary>The layers of a docker-archive, in order, into <see cref="RootFs"/>; the image config.</summary>
    private async Task<JsonElement> UnpackAsync(string archive)
    {
        var image = Path.Join(_dir, "image");
        Directory.CreateDirectory(image);
        Directory.CreateDirectory(RootFs);
        (await ExternalProcess.RunAsync("tar", ["-C", image, "-xf", archive])).ExitCode.Should().Be(0);
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Join(image, "manifest.json"))).RootElement[0];
        foreach (var layer in manifest.GetProperty("Layers").EnumerateArray())
        {
            var unpacked = await ExternalProcess.RunAsync("tar", ["-C", RootFs, "-xf", Path.Join(image, layer.GetString())]);
            unpacked.ExitCode.Should().Be(0, unpacked.StandardError);
        }

        return JsonDocument.Parse(await File.ReadAllTextAsync(Path.Join(image, manifest.GetProperty("Config").GetString()))).RootElement;
    }

    private async Task MountAsync(string type, string target)
    {
        var path = Path.Join(RootFs, target);
        Directory.CreateDirectory(path);
        var mounted = await ExternalProcess.RunAsync("mount", ["-t", type, "-o", "ro", type, path]);
        mounted.ExitCode.Should().Be(0, mounted.StandardError);
        _mounts.Add(path);
    }

    private ProcessStartInfo InImage(string user, Dictionary<string, string> environment, params string[] command)
    {
        var start = new ProcessStartInfo("chroot")
        {
            ArgumentList = { $"--userspec={user}", "--groups=", RootFs },
            WorkingDirectory = "/",
        };
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public Task DisposeAsync() => MountedTree.RemoveAsync(_dir, _mounts);
}
