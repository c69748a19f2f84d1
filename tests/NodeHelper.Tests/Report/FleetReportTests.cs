using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The daily report of one Prometheus watching a fleet (see <see cref="FleetDay"/>): the node beside it, and two nodes
/// NodeHelper probes, one of them with bitcoind refusing for four hours, another whose probes Prometheus cannot get. Each node has its section, the broken one is
/// named with its problem in the findings and the subject, and a probed node says what it was probed for and nothing
/// false about what no probe watches.
/// </summary>
public sealed class FleetReportTests(FleetPrometheus prometheus) : IClassFixture<FleetPrometheus>
{
    private FleetDay Day => prometheus.Day;

    [Fact]
    public async Task EveryNodeItFindsHasItsSectionAndTheBrokenOneIsNamedWithItsProblem()
    {
        var report = await BuildAsync(new ReportOptions());

        report.Nodes.Select(n => (n.Name, n.Job, n.Instance, n.Probed, n.Verdict)).Should().Equal(
            [
                (FleetDay.Local, FleetDay.LocalJob, FleetDay.LocalInstance, false, Verdict.Healthy),
                (FleetDay.Healthy, FleetDay.ProbeJob, FleetDay.Healthy, true, Verdict.Healthy),
                (FleetDay.Broken, FleetDay.ProbeJob, FleetDay.Broken, true, Verdict.Problems),
                (FleetDay.ElectrumOnly, FleetDay.ProbeJob, FleetDay.ElectrumOnly, true, Verdict.Healthy),
                (FleetDay.Unscraped, FleetDay.ProbeJob, FleetDay.Unscraped, true, Verdict.Problems),
            ],
            "NodeHelper's own job first, then the probed nodes, each by its node label");
        report.Verdict.Should().Be(Verdict.Problems, "one bad node makes the mail say so");
        report.Findings.Where(f => f.Tone != Tone.Neutral && f.Text.StartsWith($"{FleetDay.Broken}: ", StringComparison.Ordinal)).Should().Equal(
            [new Finding(Tone.Bad, $"{FleetDay.Broken}: NodeHelperBitcoindDown has been firing since {Formats.Time(Day.BrokenAlertFrom)}.")],
            "the alert the rule fired, named by its node, without the module, node and prober labels the section's title and name say already");
        report.Findings.Should().Contain(new Finding(Tone.Neutral, $"{FleetDay.Broken}: bitcoind was unavailable for about 4 h 00 min (83.34% available)."),
            "240 of the 1,441 samples in Prometheus 2.42's 24 hours (both ends included) are down");
        report.Findings.Should().OnlyContain(f => f.Text.StartsWith($"{FleetDay.Broken}: ", StringComparison.Ordinal) || f.Text.StartsWith($"{FleetDay.Unscraped}: ", StringComparison.Ordinal),
            "the other nodes had a quiet day");

        ReportRenderer.Subject(report).Should().Be($"[NodeHelper] Problems: {FleetDay.Broken}, {FleetDay.Unscraped} of 5 nodes, {Formats.Date(Day.End)}");
        var text = ReportRenderer.Text(report);
        text.Should().StartWith($"NodeHelper daily report, ").And.Contain(
            $"PROBLEMS: 5 nodes of jobs {FleetDay.LocalJob} and {FleetDay.ProbeJob}, the last 24 hours; problems: {FleetDay.Broken}, {FleetDay.Unscraped}\n");
        text.Should().Contain($"\n{FleetDay.Broken}\n=====\nProblems; probed by NodeHelper (job {FleetDay.ProbeJob}, instance {FleetDay.Broken})\n")
            .And.Contain($"\n{FleetDay.Local}\n====\nHealthy; job {FleetDay.LocalJob}, instance {FleetDay.LocalInstance}\n")
            .And.Contain($"From the Prometheus at {prometheus.Url}, jobs {FleetDay.LocalJob} and {FleetDay.ProbeJob}.");
    }

    [Fact]
    public async Task AProbedNodeSaysWhatItWasProbedForAndNothingFalseAboutTheRest()
    {
        var report = await BuildAsync(new ReportOptions());

        var node = report.Nodes.Single(n => n.Name == FleetDay.Healthy);
        node.Components.Select(c => c.Title).Should().Equal(["NodeHelper probe", "bitcoind", "Electrum server"],
            "only what a module probes has a card: no host, services, backups or exporter of its own");
        var probe = Component(node, "NodeHelper probe");
        probe.Availability.Should().Be(1, "NodeHelper answered every probe of it");
        probe.Facts.Select(f => (f.Label, f.Value)).Should().Equal(
            ("Probed for", "bitcoind, electrum only: its host, services and backups are not watched from here"),
            ("Probes failing now", "none"),
            ("Watched", "the last 10 h 00 min only: Prometheus has nothing older"));
        node.Watched.Should().Be(TimeSpan.FromHours(10), "from its first probe (its Electrum server's), not the bitcoind module's that came later, nor exporter metrics it has none of");
        Component(node, "bitcoind").Availability.Should().Be(1);
        Fact(Component(node, "bitcoind"), "Tip").Should().Be($"block {Formats.Count(FleetDay.FirstBlock + 150)}, 0 s old");
        Fact(Component(node, "Electrum server"), "Behind bitcoind").Should().Be("0 blocks now, at most 0 today",
            "its two modules' series join on (instance, job)");
        node.Charts.Select(c => c.Id).Should().Equal(["tip-age", "peers", "mempool"], "no disk chart: its disks are not watched");

        var section = Section(ReportRenderer.Text(report), FleetDay.Healthy, $"{FleetDay.Broken}\n");
        section.Should().NotContainAny(["down", "missing", "unavailable", "unknown", "not answering", "failing now: bitcoind"]);
        section.Should().Contain("No alert fired.");
    }

    [Fact]
    public async Task AnElectrumServerProbedAloneIsNotCalledBehindABitcoindNobodyWatches()
    {
        var report = await BuildAsync(new ReportOptions());

        var node = report.Nodes.Single(n => n.Name == FleetDay.ElectrumOnly);
        node.Components.Select(c => c.Title).Should().Equal(["NodeHelper probe", "Electrum server"]);
        Component(node, "Electrum server").Facts.Select(f => f.Label).Should().Equal(["Server", "Probe time"],
            "no bitcoind is probed on this node: no lag behind it, and not \"bitcoind is not answering\"");
        Section(ReportRenderer.Text(report), FleetDay.ElectrumOnly, $"{FleetDay.Unscraped}\n").Should().NotContainAny(["not answering", "unknown", "down", "missing"]);
    }

    [Fact]
    public async Task TheBrokenProbedNodeSaysWhichProbeFailsAndWhy()
    {
        var report = await BuildAsync(new ReportOptions());

        var node = report.Nodes.Single(n => n.Name == FleetDay.Broken);
        node.Components.Select(c => c.Title).Should().Equal(["NodeHelper probe", "bitcoind", "mempool backend"]);
        Component(node, "NodeHelper probe").Facts.Single(f => f.Label == "Probes failing now").Should()
            .Be(new Fact("Probes failing now", "bitcoind (refused)", Tone.Bad), "NodeHelperBitcoindDown fires for it");
        Formats.Percent(Component(node, "bitcoind").Availability!.Value).Should().Be("83.34%");
        Component(node, "NodeHelper probe").Facts.Should().NotContain(f => f.Label == "Watched", "it was probed all day");
        Fact(Component(node, "mempool backend"), "Behind bitcoind").Should().Be("unknown now: bitcoind is not answering, at most 0 today",
            "its bitcoind is probed, and down");
        node.Alerts.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Alert = "NodeHelperBitcoindDown", Severity = "critical", Detail = "", StillFiring = true });
        Section(ReportRenderer.Text(report), FleetDay.Broken, $"{FleetDay.ElectrumOnly}\n").Should().Contain("Age of bitcoind's tip: no data now (last 0 s)",
            "its tip was fresh until bitcoind stopped answering, and is not now");
    }

    [Fact]
    public async Task TheMailNamesEveryNodeInItsEscapedHtml()
    {
        var report = await BuildAsync(new ReportOptions());

        var html = ReportRenderer.Standalone(report);

        html.Split("<h2 ").Should().HaveCount(6, "one heading per node");
        foreach (var node in report.Nodes)
        {
            html.Should().Contain($">{node.Name}</h2>");
        }

        html.Should().Contain($"<title>[NodeHelper] Problems: {FleetDay.Broken}, {FleetDay.Unscraped} of 5 nodes, {Formats.Date(Day.End)}</title>")
            .And.Contain($"probed by NodeHelper (job {FleetDay.ProbeJob}, instance {FleetDay.Broken})")
            .And.Contain($"{FleetDay.Broken}: NodeHelperBitcoindDown has been firing since");
        html.Split("<div").Length.Should().Be(html.Split("</div>").Length, "every card is closed");
    }

    [Fact]
    public async Task WithoutAProbeJobTheReportIsTheLocalNodesAlone()
    {
        var report = await BuildAsync(new ReportOptions { ProbeJob = "" });

        var node = report.Nodes.Should().ContainSingle().Subject;
        node.Name.Should().Be(FleetDay.Local, "titled by its node label");
        node.Components.Select(c => c.Title).Should().Contain(["NodeHelper", "bitcoind", "Host", "Services"]);
        report.Verdict.Should().Be(Verdict.Healthy);
        ReportRenderer.Subject(report).Should().Be($"[NodeHelper] Healthy: {FleetDay.Local}, {Formats.Date(Day.End)}");
        ReportRenderer.Text(report).Should().Contain($"job {FleetDay.LocalJob}, instance {FleetDay.LocalInstance}", "the instance its label renamed");
    }

    [Fact]
    public async Task APrometheusThatOnlyProbesIsSaidNotJudged()
    {
        var report = await BuildAsync(new ReportOptions { Job = "elsewhere" });

        report.Nodes.Select(n => n.Name).Should().Equal(FleetDay.Healthy, FleetDay.Broken, FleetDay.ElectrumOnly, FleetDay.Unscraped);
        report.Findings.Should().Contain(new Finding(Tone.Neutral,
            $"Prometheus at {prometheus.Url} has no scrape of job \"elsewhere\" (Report:Job) in the last 24 hours: this report covers only the nodes NodeHelper probes."));
        report.Verdict.Should().Be(Verdict.Problems, "the broken and the unscraped nodes' alerts, and nothing else");
    }

    [Fact]
    public async Task TwoProbesOfOneNodeThatCannotBeScrapedAreToldApartByTheirModule()
    {
        var report = await BuildAsync(new ReportOptions());

        var node = report.Nodes.Single(n => n.Name == FleetDay.Unscraped);
        node.Alerts.Select(a => (a.Alert, a.Detail, a.StillFiring)).Should().Equal(
            [("NodeHelperTargetDown", "module bitcoind", true), ("NodeHelperTargetDown", "module electrum", true)],
            "NodeHelperTargetDown's name does not say which probe; the prober label says nothing about what is wrong");
        report.Findings.Where(f => f.Tone == Tone.Bad && f.Text.StartsWith($"{FleetDay.Unscraped}: ", StringComparison.Ordinal)).Should().Equal(
            new Finding(Tone.Bad, $"{FleetDay.Unscraped}: NodeHelperTargetDown (module bitcoind) has been firing since {Formats.Time(Day.UnscrapedAlertFrom)}."),
            new Finding(Tone.Bad, $"{FleetDay.Unscraped}: NodeHelperTargetDown (module electrum) has been firing since {Formats.Time(Day.UnscrapedAlertFrom)}."));
        ReportRenderer.Text(report).Should().NotContain("prober");
    }

    [Fact]
    public async Task AProbePrometheusCannotGetIsFailingNotNone()
    {
        var report = await BuildAsync(new ReportOptions());

        var node = report.Nodes.Single(n => n.Name == FleetDay.Unscraped);
        Component(node, "NodeHelper probe").Facts.Single(f => f.Label == "Probes failing now").Should().Be(
            new Fact("Probes failing now", "bitcoind (not answering the probe scrape), electrum (not answering the probe scrape)", Tone.Bad),
            "its up is 0 and there is no probe_success: NodeHelperTargetDown fires for both modules");
        node.Verdict.Should().NotBe(Verdict.Healthy);
        Section(ReportRenderer.Text(report), FleetDay.Unscraped, "From the Prometheus").Should()
            .Contain("Probes failing now: bitcoind (not answering the probe scrape), electrum (not answering the probe scrape)")
            .And.NotContain("Probes failing now: none");
        // Its cards were available all the time they were read, and are not read now: they say so, not "100% available" alone.
        var bitcoind = Component(node, "bitcoind");
        bitcoind.Availability.Should().Be(1);
        bitcoind.Facts[0].Should().Be(new Fact("Read now", "no: Prometheus cannot scrape its probe (module bitcoind): up 0", Tone.Bad));
        ReportRenderer.Text(report).Should().Contain("\nbitcoind (100% available, not read now)\n");
        // Its bitcoind was not read, not seen down: the Electrum server's lag says so, not "bitcoind is not answering".
        Fact(Component(node, "Electrum server"), "Behind bitcoind").Should().StartWith("unknown now: no reading of bitcoind in the last 10 minutes");
    }

    private async Task<HealthReport> BuildAsync(ReportOptions options)
    {
        using var http = new HttpClient();
        var report = await new DailyReportBuilder(new PrometheusApiClient(http, prometheus.Url), options).BuildAsync(Day.End, default);
        report.BuildError.Should().BeNull();
        return report;
    }

    /// <summary>The text part's section of one node: from its title to the line that begins with <paramref name="next"/>.</summary>
    private static string Section(string text, string node, string next)
    {
        var start = text.IndexOf($"\n{node}\n", StringComparison.Ordinal);
        var end = text.IndexOf($"\n{next}", start + 1, StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0);
        end.Should().BeGreaterThan(start);
        return text[start..end];
    }

    private static ComponentSection Component(NodeSection node, string title) => node.Components.Single(c => c.Title == title);

    private static string Fact(ComponentSection component, string label) =>
        component.Facts.Should().ContainSingle(f => f.Label == label, $"{component.Title} reports {label}").Subject.Value;
}
