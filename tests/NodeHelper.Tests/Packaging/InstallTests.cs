using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Packaging;

/// <summary>
/// <c>make install</c> as the README tells it: the NativeAOT binary on PATH as <c>nodehelper</c>, needing nothing beside
/// it, and the bundle beside it in share/. It runs alone: it publishes the exporter with NativeAOT (about a minute).
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InstallTests : IDisposable
{
    private const string Name = "make install";

    private readonly DirectoryInfo _prefix = Directory.CreateTempSubdirectory("nodehelper-prefix-");

    [Fact]
    public async Task MakeInstallPutsNodehelperOnPathWithItsBundle()
    {
        var install = await ExternalProcess.RunAsync("make", ["-C", Repository.Root, "install", $"PREFIX={_prefix.FullName}"], timeout: TimeSpan.FromMinutes(10));
        install.ExitCode.Should().Be(0, install.StandardOutput + install.StandardError);

        var bin = Path.Join(_prefix.FullName, "bin");
        Directory.GetFiles(bin).Select(Path.GetFileName).Should().Equal(["nodehelper"], "one file, with nothing it needs beside it");
        var path = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        var help = await ExternalProcess.RunAsync("bash", ["-c", "cd / && nodehelper --help"], environment: new Dictionary<string, string> { ["PATH"] = path });
        help.ExitCode.Should().Be(0, help.StandardError);
        help.StandardOutput.Should().Contain("--check-config").And.Contain("Bitcoind:Url");
        var check = await ExternalProcess.RunAsync("bash", ["-c", "cd / && nodehelper --check-config"], environment: new Dictionary<string, string> { ["PATH"] = path });
        check.ExitCode.Should().Be(0, check.StandardError);

        var share = Path.Join(_prefix.FullName, "share", "nodehelper");
        File.Exists(Path.Join(share, "prometheus", "rules", "nodehelper-bitcoind.yml")).Should().BeTrue();
        File.Exists(Path.Join(share, "prometheus", "consoles", "nodehelper-runbook.html")).Should().BeTrue();
        File.Exists(Path.Join(share, "alertmanager", "templates", "nodehelper-runbook.tmpl")).Should().BeTrue();
        Directory.GetFiles(Path.Join(share, "grafana", "dashboards"), "*.json").Should().NotBeEmpty();
        File.Exists(Path.Join(share, "runbook.md")).Should().BeTrue();
    }

    public void Dispose() => _prefix.Delete(recursive: true);
}
