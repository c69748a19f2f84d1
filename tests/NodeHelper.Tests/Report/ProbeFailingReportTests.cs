using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The daily report of a day whose last minutes a probed module has not been read (probe_success 0) and no alert about
/// it has fired yet (see <see cref="FleetDay.ProbeFailing"/>): the report says so itself, rather than calling the node
/// healthy until the alert fires.
/// </summary>
public sealed class ProbeFailingReportTests(ProbeFailingPrometheus prometheus) : IClassFixture<ProbeFailingPrometheus>
{
    private FleetDay Day => prometheus.Day;

    [Fact]
    public async Task AProbeFailingBeforeItsAlertFiresIsNotReadNotFine()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);
        report.BuildError.Should().BeNull();

        var node = report.Nodes.Single(n => n.Name == FleetDay.Failing);
        node.Alerts.Should().BeEmpty("NodeHelperElectrumDown is only pending: its 5 minutes have not passed");
        var electrum = node.Components.Single(c => c.Title == "Electrum server");
        electrum.Facts[0].Should().Be(new Fact("Read now", "no: its probe (module electrum) fails: probe_success 0 (timeout)", Tone.Bad),
            "its card says first that what it shows is not read now, and why");
        node.Components.Single(c => c.Title == "NodeHelper probe").Facts.Single(f => f.Label == "Probes failing now").Should()
            .Be(new Fact("Probes failing now", "electrum (timeout)", Tone.Bad), "a module nobody reads is a problem before its alert fires too");
        node.Components.Single(c => c.Title == "bitcoind").Facts.Should().NotContain(f => f.Label == "Read now", "its bitcoind's probe answers");

        node.Verdict.Should().Be(Verdict.Problems);
        report.Nodes.Single(n => n.Name == FleetDay.Healthy).Verdict.Should().Be(Verdict.Healthy);
        report.Findings.Where(f => f.Tone != Tone.Neutral).Should().Equal(
            new Finding(Tone.Bad, $"{FleetDay.Failing}: the probe of electrum is failing now (probe_success 0, timeout): electrum is not being read, and no alert about it fires."));
        ReportRenderer.Subject(report).Should().Be($"[NodeHelper] Problems: {FleetDay.Failing} of 2 nodes, {Formats.Date(Day.End)}");

        var available = Formats.Percent(electrum.Availability!.Value);
        available.Should().Be("99.72%", "4 of the day's 1,441 samples are down");
        ReportRenderer.Text(report).Should().Contain($"\nElectrum server ({available} available, not read now)\n  Read now: no: its probe (module electrum) fails: probe_success 0 (timeout)\n");
        var html = ReportRenderer.Standalone(report);
        html.Should().Contain($"Electrum server <span style=\"font-size:13px;font-weight:normal;color:#b91c1c;\">{available} available, not read now</span>",
            "its availability is red, not the green or amber of a share of the day");
    }
}
