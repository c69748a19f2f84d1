using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Status.Alerts;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>Without Status:AlertmanagerUrl the page's alerts are Prometheus's (GET api/v1/alerts), firing and pending, without silences.</summary>
public sealed class AlertSourcePrometheusTests
{
    /// <summary>The shape of Prometheus 2.42's answer (activeAt in nanoseconds, as Go writes it).</summary>
    private const string Answer = """
        {"status":"success","data":{"alerts":[
          {"labels":{"alertname":"NodeHelperDiskFilling","instance":"node1:9338","job":"nodehelper","scope":"host","severity":"warning"},
           "annotations":{"summary":"The disk fills in 3 days","runbook_url":"javascript:alert(1)"},
           "state":"pending","activeAt":"2026-11-23T10:05:00.123456789Z","value":"1e+00"},
          {"labels":{"alertname":"NodeHelperBitcoindDown","instance":"node1:9338","job":"nodehelper","scope":"bitcoind","severity":"critical"},
           "annotations":{"summary":"bitcoind is down","runbook_url":"http://127.0.0.1:9090/consoles/nodehelper-runbook.html#NodeHelperBitcoindDown"},
           "state":"firing","activeAt":"2026-11-23T10:00:00.5Z","value":"0e+00"},
          {"labels":{"alertname":"NodeHelperBitcoindDown","instance":"node2:9338","job":"nodehelper","scope":"bitcoind","severity":"critical"},
           "annotations":{"summary":"bitcoind is down"},"state":"firing","activeAt":"2026-11-23T09:00:00Z","value":"0e+00"}
        ]}}
        """;

    [Fact]
    public async Task ListsThisInstancesFiringAndPendingAlertsWithAStableFingerprint()
    {
        await using var prometheus = new RawHttpServer(RawHttpServer.Answer(200, "application/json", Answer));
        using var http = new HttpClient();
        var source = new AlertSource(http, new StatusOptions { PrometheusUrl = prometheus.Url, Instance = "node1:9338" });

        var view = await source.GetAsync(default);

        view.Source.Should().Be("prometheus");
        view.Problem.Should().BeNull();
        view.CanSilence.Should().BeFalse();
        view.Silences.Should().BeEmpty();
        view.Alerts.Select(a => (a.Name, a.State, a.Severity)).Should().Equal(("NodeHelperBitcoindDown", "firing", "critical"), ("NodeHelperDiskFilling", "pending", "warning"));
        var down = view.Alerts[0];
        down.Since.Should().Be(new DateTimeOffset(2026, 11, 23, 10, 0, 0, 500, TimeSpan.Zero));
        down.Summary.Should().Be("bitcoind is down");
        down.Scope.Should().Be("bitcoind");
        down.RunbookUrl.Should().Be(new Uri("http://127.0.0.1:9090/consoles/nodehelper-runbook.html#NodeHelperBitcoindDown"));
        view.Alerts[1].Since.Should().Be(new DateTimeOffset(2026, 11, 23, 10, 5, 0, TimeSpan.Zero).AddTicks(1234567));
        view.Alerts[1].RunbookUrl.Should().BeNull("only an http or https runbook is a link");

        down.Fingerprint.Should().MatchRegex("^[0-9a-f]{16}$").And.Be(AlertParser.Fingerprint(new Dictionary<string, string>
        {
            ["severity"] = "critical", ["scope"] = "bitcoind", ["job"] = "nodehelper", ["instance"] = "node1:9338", ["alertname"] = "NodeHelperBitcoindDown",
        }), "the fingerprint is of the sorted labels, whatever their order");
        (await source.GetAsync(default)).Alerts[0].Fingerprint.Should().Be(down.Fingerprint);
        view.Alerts[1].Fingerprint.Should().NotBe(down.Fingerprint);

        (await source.Invoking(s => s.SilenceAsync(down.Fingerprint, TimeSpan.FromHours(1), "why", "me", default)).Should().ThrowAsync<AlertActionException>())
            .Which.Message.Should().Contain("Status:AlertmanagerUrl");
    }

    [Fact]
    public async Task WithoutAnInstanceEveryAlertIsListed()
    {
        await using var prometheus = new RawHttpServer(RawHttpServer.Answer(200, "application/json", Answer));
        using var http = new HttpClient();

        var view = await new AlertSource(http, new StatusOptions { PrometheusUrl = prometheus.Url }).GetAsync(default);

        view.Alerts.Should().HaveCount(3);
        view.Alerts[0].Labels["instance"].Should().Be("node2:9338", "the oldest critical first");
    }

    [Fact]
    public async Task WithNeitherUrlThereIsNoSourceAndNoProblem()
    {
        using var http = new HttpClient();

        var view = await new AlertSource(http, new StatusOptions()).GetAsync(default);

        view.Should().BeEquivalentTo(new { Source = "none", Alerts = Array.Empty<StatusAlert>(), Silences = Array.Empty<StatusSilence>(), Problem = (string?)null });
        view.CanSilence.Should().BeFalse();
    }

    [Fact]
    public async Task AnAlertmanagerThatIsSetButDownIsAProblemNotAFallBackToPrometheus()
    {
        await using var prometheus = new RawHttpServer(RawHttpServer.Answer(200, "application/json", Answer));
        using var http = new HttpClient();
        var down = new Uri($"http://127.0.0.1:{NodeHelper.Stack.Servers.LoopbackPort.Free()}/");

        var view = await new AlertSource(http, new StatusOptions { PrometheusUrl = prometheus.Url, AlertmanagerUrl = down }).GetAsync(default);

        view.Source.Should().Be("alertmanager");
        view.Alerts.Should().BeEmpty();
        view.Problem.Should().Contain("Status:AlertmanagerUrl").And.Contain("connection refused");
        view.CanSilence.Should().BeFalse();
    }
}
