using System.Text.RegularExpressions;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// The shipped Prometheus bundle: promtool accepts it and its unit tests pass, and every alert meets the standard of
/// the monitoring mixins (graded, explained, linked to a runbook section that exists, tested firing and silent).
/// </summary>
public sealed partial class PrometheusRuleTests
{
    private static readonly string[] Severities = ["critical", "warning", "info"];

    /// <summary>It fires always, by design; it has no case where it stays silent.</summary>
    private const string Watchdog = "NodeHelperWatchdog";

    [Fact]
    public async Task PromtoolAcceptsEveryRuleFile()
    {
        var result = await Promtool(["check", "rules", .. AlertingBundle.RuleFiles]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        AlertingBundle.RuleFiles.Should().HaveCountGreaterThan(5, "rules are grouped by component, one file each");
    }

    [Fact]
    public async Task PromtoolAcceptsTheScrapeConfigurationAndFindsEveryRuleFile()
    {
        var result = await Promtool(["check", "config", Repository.PathOf("prometheus", "prometheus.yml")]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain($"SUCCESS: {AlertingBundle.RuleFiles.Count} rule files found");
    }

    [Fact]
    public async Task PromtoolUnitTestsPass()
    {
        var result = await Promtool(["test", "rules", .. AlertingBundle.TestFiles]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        SuccessLine().Matches(result.StandardOutput).Should().HaveCount(AlertingBundle.TestFiles.Count);
    }

    [Fact]
    public void EveryAlertHasAUnitTestWhereItFiresAndOneWhereItStaysSilent()
    {
        var alerts = AlertingBundle.AllRules().Where(r => r.Rule.Alert is not null).Select(r => r.Rule.Alert!).ToHashSet();
        var cases = AlertingBundle.TestFiles.SelectMany(f => AlertingBundle.ReadTests(f).Tests).SelectMany(t => t.AlertRuleTest).ToList();

        var firing = cases.Where(c => c.ExpAlerts.Count > 0).Select(c => c.Alertname).ToHashSet();
        var silent = cases.Where(c => c.ExpAlerts.Count == 0).Select(c => c.Alertname).ToHashSet();

        alerts.Should().HaveCountGreaterThan(35);
        alerts.Except(firing).Should().BeEmpty("every alert has a case where it fires");
        alerts.Except(silent).Should().BeEquivalentTo([Watchdog], "every alert but the Watchdog has a case where it must stay silent");
        cases.Select(c => c.Alertname).Except(alerts).Should().BeEmpty("no test case names an alert that does not exist");
    }

    [Fact]
    public void EveryFiringCaseExpectsTheExactLabelsAndAnnotations()
    {
        // promtool compares the whole label and annotation sets, so a case that lists them all pins them exactly.
        foreach (var file in AlertingBundle.TestFiles)
        {
            foreach (var test in AlertingBundle.ReadTests(file).Tests)
            {
                foreach (var expected in test.AlertRuleTest.SelectMany(c => c.ExpAlerts.Select(a => (c.Alertname, Alert: a))))
                {
                    var where = $"{Path.GetFileName(file)}, \"{test.Name}\", {expected.Alertname}";
                    expected.Alert.ExpLabels.Keys.Should().Contain(["severity", "scope"], where);
                    expected.Alert.ExpAnnotations.Keys.Should().BeEquivalentTo(["summary", "description", "runbook_url"], where);
                    expected.Alert.ExpAnnotations["runbook_url"].Should().Be(AlertingBundle.RunbookBaseInTests + expected.Alertname.ToLowerInvariant(), where);
                }
            }
        }
    }

    [Fact]
    public void EveryAlertIsGradedExplainedAndLinkedToItsRunbookSection()
    {
        var runbookHeadings = File.ReadAllLines(Repository.PathOf("docs", "runbook.md"))
            .Where(l => l.StartsWith("### ", StringComparison.Ordinal))
            .Select(l => l[4..].Trim())
            .ToHashSet();

        foreach (var (file, _, rule) in AlertingBundle.AllRules().Where(r => r.Rule.Alert is not null))
        {
            var alert = rule.Alert!;
            var where = $"{alert} in {file}";
            alert.Should().StartWith("NodeHelper", where);
            rule.For.Should().NotBeNull($"{where} says how long its condition must hold");
            rule.Labels.Should().ContainKey("severity", where);
            Severities.Should().Contain(rule.Labels["severity"], where);
            (rule.Labels.ContainsKey("scope") || rule.Expr.Contains("\"scope\"", StringComparison.Ordinal))
                .Should().BeTrue($"{where} has a scope for Alertmanager's inhibitions, static or from its expression");
            rule.Annotations.Should().ContainKeys("summary", "description", "runbook_url");
            rule.Annotations["summary"].Should().NotBeNullOrWhiteSpace(where);
            if (alert != Watchdog)
            {
                rule.Annotations["description"].Should().Contain("{{", $"{where} describes the case with its values");
            }

            rule.Annotations["runbook_url"].Should().Be(AlertingBundle.RunbookBase + alert.ToLowerInvariant(), where);
            runbookHeadings.Should().Contain(alert, $"docs/runbook.md has the section {where} links to");
        }
    }

    [Fact]
    public async Task TheRunbookPageAndTheMailsStepsAreWhatItsGeneratorWritesFromDocsRunbookMd()
    {
        var work = Directory.CreateTempSubdirectory("nodehelper-runbook-");
        try
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var result = await ExternalProcess.RunAsync(dotnet, ["run", Repository.PathOf("docs", "runbook.cs"), "--", Repository.Root, work.FullName],
                timeout: TimeSpan.FromMinutes(3));

            result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
            foreach (var file in new[] { Path.Join("prometheus", "consoles", "nodehelper-runbook.html"), Path.Join("alertmanager", "templates", "nodehelper-runbook.tmpl") })
            {
                File.ReadAllText(Path.Join(work.FullName, file)).Should().Be(File.ReadAllText(Repository.PathOf(file)),
                    $"{file} is generated from docs/runbook.md: edit that, then `make runbook`");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void EveryAlertsMailCarriesItsRunbookSteps()
    {
        var template = File.ReadAllText(Repository.PathOf("alertmanager", "templates", "nodehelper-runbook.tmpl"));
        var page = File.ReadAllText(Repository.PathOf("prometheus", "consoles", "nodehelper-runbook.html"));
        foreach (var alert in AlertingBundle.AllRules().Select(r => r.Rule.Alert).OfType<string>().Distinct())
        {
            template.Should().Contain($"eq .Labels.alertname \"{alert}\" }}}}", $"the mail of {alert} says what to check first and how to fix it");
            page.Should().Contain($"<h3 id=\"{alert.ToLowerInvariant()}\">{alert}</h3>", $"{alert}'s runbook_url opens on its section");
        }
    }

    [Fact]
    public void RecordingRulesAreNamedLevelMetricOperationAndLiveInTheirOwnGroup()
    {
        var recordings = AlertingBundle.AllRules().Where(r => r.Rule.Record is not null).ToList();

        recordings.Should().NotBeEmpty();
        foreach (var (file, group, rule) in recordings)
        {
            rule.Record.Should().MatchRegex("^[a-z_]+:[a-z_]+:[a-z0-9_]+$", $"{rule.Record} in {file} follows level:metric:operation");
            group.Name.Should().Be("nodehelper-recording");
        }
    }

    [Fact]
    public void EveryRuleFileIsUnitTestedWithRecordingRulesEvaluatedFirst()
    {
        var tested = new HashSet<string>();
        foreach (var file in AlertingBundle.TestFiles)
        {
            var tests = AlertingBundle.ReadTests(file);
            var ruleFiles = tests.RuleFiles.Select(r => Path.GetFullPath(Path.Join(AlertingBundle.TestsDirectory, r))).ToList();
            ruleFiles.Should().OnlyContain(f => File.Exists(f), $"{Path.GetFileName(file)} names rule files that exist");
            tested.UnionWith(ruleFiles);

            // promtool runs groups in no fixed order; an alert built on a recorded series would otherwise see
            // this evaluation's value or the previous one by chance, and its exact annotations would flake.
            var groups = ruleFiles.SelectMany(f => AlertingBundle.ReadRules(f).Groups.Select(g => g.Name)).ToList();
            tests.GroupEvalOrder.Should().Equal(groups, $"{Path.GetFileName(file)} orders every group, the recording group first");
            groups[0].Should().Be("nodehelper-recording");
        }

        tested.Should().BeEquivalentTo(AlertingBundle.RuleFiles.Select(Path.GetFullPath));
    }

    [Fact]
    public void MetricNamesAreReadFromPromQlAsPrometheusWould()
    {
        AlertingBundle.MetricNames(
                "sum by (instance, job) (rate(cpu_seconds_total{mode=\"idle\"}[5m])) / on (instance) group_left total_bytes offset 1h > 0.4 " +
                "and predict_linear(avail_bytes[6h], 24 * 3600) < 1e12 unless label_replace(x:y:ratio == 1, \"scope\", \"$1\", \"collector\", \"(.*)\") " +
                "unless {__name__=~\"(one|two)_up\"} == 0")
            .Should().BeEquivalentTo(["cpu_seconds_total", "total_bytes", "avail_bytes", "x:y:ratio", "one_up", "two_up"]);
        AlertingBundle.QueriedMetricNames("status {{ with query (printf \"frontend_status{instance=%q}\" $labels.instance) }}")
            .Should().BeEquivalentTo(["frontend_status"]);
    }

    private static Task<ExternalProcess.Result> Promtool(string[] arguments) =>
        // promtool's unit tests take about 40 s of CPU (the posture and updates files most); beside the rest of the suite
        // on two cores that is more than the default minute.
        ExternalProcess.RunAsync(ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus package"), arguments,
            timeout: TimeSpan.FromMinutes(4));

    [GeneratedRegex("^  SUCCESS$", RegexOptions.Multiline)]
    private static partial Regex SuccessLine();
}
