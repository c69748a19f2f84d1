using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// <c>nodehelper bundle install</c> into an existing Prometheus/Alertmanager configuration directory (Debian's
/// /etc/prometheus, here a copy in a temporary directory), with Debian's promtool and amtool on PATH.
/// </summary>
public sealed class BundleInstallTests : IDisposable
{
    private readonly string _etc = Directory.CreateTempSubdirectory("nodehelper-etc-prometheus-").FullName;

    public BundleInstallTests() =>
        File.WriteAllText(Path.Join(_etc, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");

    [Fact]
    public async Task ItInstallsTheRulesRunbookAndTemplatesPrintsThePrometheusLinesAndChecksThem()
    {
        ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus");

        var result = await InstallAsync(Repository.Root);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        foreach (var rules in Directory.GetFiles(Repository.PathOf("prometheus", "rules")))
        {
            File.ReadAllText(Path.Join(_etc, "rules", Path.GetFileName(rules))).Should().Be(File.ReadAllText(rules));
        }

        File.Exists(Path.Join(_etc, "consoles", "nodehelper-runbook.html")).Should().BeTrue();
        File.Exists(Path.Join(_etc, "templates", "nodehelper.tmpl")).Should().BeTrue();
        File.Exists(Path.Join(_etc, "alertmanager.yml")).Should().BeTrue("there was none: the bundle's is the start");
        result.StandardOutput.Should().Contain("- rules/nodehelper-*.yml").And.Contain("job_name: nodehelper");
        result.StandardOutput.Should().Contain("promtool check: passed").And.Contain("amtool check-config: passed");
        File.ReadAllText(Path.Join(_etc, "prometheus.yml")).Should().Be("global:\n  scrape_interval: 15s\n", "the operator's prometheus.yml is not edited");
    }

    [Fact]
    public async Task AnOperatorsChangedFileIsBackedUpAndTheirAlertmanagerYmlIsNeverReplaced()
    {
        Directory.CreateDirectory(Path.Join(_etc, "rules"));
        var rules = Path.Join(_etc, "rules", "nodehelper-host.yml");
        await File.WriteAllTextAsync(rules, "# my own thresholds\ngroups: []\n");
        var alertmanager = Path.Join(_etc, "alertmanager.yml");
        await File.WriteAllTextAsync(alertmanager, "route:\n  receiver: mine\nreceivers:\n  - name: mine\n");

        var result = await InstallAsync(Repository.Root);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        var backup = Directory.GetFiles(Path.Join(_etc, "rules"), "nodehelper-host.yml.bak-*").Should().ContainSingle().Subject;
        File.ReadAllText(backup).Should().Be("# my own thresholds\ngroups: []\n");
        File.ReadAllText(rules).Should().Be(File.ReadAllText(Repository.PathOf("prometheus", "rules", "nodehelper-host.yml")));
        File.ReadAllText(alertmanager).Should().Be("route:\n  receiver: mine\nreceivers:\n  - name: mine\n");
        File.Exists(alertmanager + ".nodehelper").Should().BeTrue("the bundle's goes beside it, to merge");

        // Run again: nothing differs now, so nothing more is backed up.
        var again = await InstallAsync(Repository.Root);
        again.ExitCode.Should().Be(0);
        Directory.GetFiles(Path.Join(_etc, "rules"), "*.bak-*").Should().ContainSingle();
    }

    [Fact]
    public async Task ABrokenRuleFileFailsTheCheckWithPromtoolsMessage()
    {
        ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus");
        var bundle = Path.Join(_etc, "bundle");
        Directory.CreateDirectory(bundle);
        await ExternalProcess.RunAsync("cp", ["-r", Repository.PathOf("prometheus"), Repository.PathOf("alertmanager"), bundle]);
        await File.WriteAllTextAsync(Path.Join(bundle, "prometheus", "rules", "nodehelper-host.yml"), "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: up ==\n");

        var result = await InstallAsync(bundle);

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain("promtool check: FAILED").And.Contain("nodehelper-host.yml");
    }

    [Fact]
    public async Task NoPrometheusYmlThereIsExitTwoNamingTheOption()
    {
        File.Delete(Path.Join(_etc, "prometheus.yml"));

        var result = await InstallAsync(Repository.Root);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("--prometheus-dir");
    }

    private Task<ExternalProcess.Result> InstallAsync(string bundle) =>
        ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "bundle", "install", "--prometheus-dir", _etc, "--alertmanager-dir", _etc, "--bundle-dir", bundle]);

    public void Dispose() => Directory.Delete(_etc, recursive: true);
}
