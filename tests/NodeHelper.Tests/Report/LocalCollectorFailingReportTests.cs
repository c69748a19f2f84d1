using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The daily report of a day whose last minutes the local node's Electrum collector has failed
/// (nodehelper_scrape_collector_success 0, see <see cref="FleetDay.LocalFailing"/>) and no alert about it has fired yet:
/// the report says so itself, rather than calling the node healthy until the alert fires.
/// </summary>
public sealed class LocalCollectorFailingReportTests(LocalFailingPrometheus prometheus) : IClassFixture<LocalFailingPrometheus>
{
    private FleetDay Day => prometheus.Day;

    [Fact]
    public async Task ALocalCollectorFailingBeforeItsAlertFiresIsNotReadNotFine()
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), new ReportOptions()).BuildAsync(Day.End, default);
        report.BuildError.Should().BeNull();

        var node = report.Nodes.Single();
        node.Probed.Should().BeFalse();
        node.Alerts.Should().BeEmpty("no alert about the Electrum server has fired");
        var electrum = node.Components.Single(c => c.Title == "Electrum server");
        electrum.Facts[0].Should().Be(new Fact("Read now", "no: its collector (electrum) fails: nodehelper_scrape_collector_success 0 (timeout)", Tone.Bad),
            "its card says first that what it shows is not read now, and why");
        electrum.NotRead.Should().BeTrue();
        node.Components.Single(c => c.Title == "bitcoind").Facts.Should().NotContain(f => f.Label == "Read now", "its bitcoind's collector succeeds");

        node.Verdict.Should().Be(Verdict.Problems);
        report.Findings.Where(f => f.Tone == Tone.Bad).Should().Equal(
            new Finding(Tone.Bad, "the collector electrum is failing now (nodehelper_scrape_collector_success 0, timeout): electrum is not being read, and no alert about it fires."));

        var available = Formats.Percent(electrum.Availability!.Value);
        ReportRenderer.Text(report).Should().Contain($"\nElectrum server ({available} available, not read now)\n  Read now: no: its collector (electrum) fails: nodehelper_scrape_collector_success 0 (timeout)\n");
        ReportRenderer.Standalone(report).Should().Contain(
            $"Electrum server <span style=\"font-size:13px;font-weight:normal;color:#b91c1c;\">{available} available, not read now</span>",
            "its availability is red, not the green or amber of a share of the day");
    }
}
