using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The daily report of a day on which, for two hours, Prometheus got no probe of the /probe job at all (the NodeHelper
/// that probes was down): the shipped rule's NodeHelperTargetDown of the whole job, which no node's alerts hold, is a
/// finding of the whole report (see <see cref="FleetDay.ProberDown"/>).
/// </summary>
public sealed class ProberDownReportTests(ProberDownPrometheus prometheus) : IClassFixture<ProberDownPrometheus>
{
    private FleetDay Day => prometheus.Day;

    [Fact]
    public async Task NoProbeOfTheJobAnsweringIsAProblemOfTheWholeReport()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);
        report.BuildError.Should().BeNull();

        var finding = new Finding(Tone.Bad,
            $"No probe of job {FleetDay.ProbeJob} (prober {FleetDay.Prober}) answered for 1 h 55 min from {Formats.Time(Day.ProberAlertFrom)} (NodeHelperTargetDown): " +
            "the NodeHelper that probes was down or unreachable.");
        report.Findings.Where(f => f.Tone != Tone.Neutral).Should().Equal([finding],
            "the job's alert fired from the fifth of the 120 minutes without a probe, and no node's own alert did");
        report.Findings[0].Should().Be(finding, "a problem of every node comes first");
        report.Nodes.Select(n => (n.Name, n.Verdict)).Should().Equal([(FleetDay.Healthy, Verdict.Healthy), (FleetDay.ElectrumOnly, Verdict.Healthy)],
            "the alert is none of theirs");
        report.Verdict.Should().Be(Verdict.Problems, "nothing was watched for two hours");

        ReportRenderer.Text(report).Should().Contain($"\n  - {finding.Text}\n");
        ReportRenderer.Standalone(report).Should().Contain(System.Net.WebUtility.HtmlEncode(finding.Text));
    }
}
