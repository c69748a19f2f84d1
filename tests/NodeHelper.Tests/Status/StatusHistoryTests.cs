using System.Net;
using System.Net.Sockets;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Status.History;
using NodeHelper.Report;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>
/// The status page's history against a real Prometheus holding the recorded day (<see cref="RecordedDay"/>): its
/// sparklines are the day's, the disk that fills is forecast as the report does and a node watched for minutes is not;
/// and against servers that fail (unreachable, 500, not JSON, several nodes in one job) the view says what to fix.
/// </summary>
public sealed class StatusHistoryTests(RecordedPrometheus prometheus) : IClassFixture<RecordedPrometheus>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RecordedDay Day => prometheus.Day;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task TheSparklinesAreTheRecordedDays()
    {
        var view = await History(new StatusOptions { PrometheusUrl = prometheus.Url }).GetAsync(default);

        view.Problem.Should().BeNull();
        view.ReadAt.Should().Be(Day.End);
        view.Source.Should().Be(prometheus.Url.ToString());
        view.Sparklines.Select(s => s.Key).Should().Equal("tip_lag", "mempool", "disk_free");
        view.Sparklines.Should().AllSatisfy(s =>
        {
            s.Points.Should().HaveCount(97, "a point every 15 minutes over 24 hours, both ends included");
            s.Points[0].Time.Should().Be(Day.End - TimeSpan.FromHours(24));
            s.Points[^1].Time.Should().Be(Day.End);
        });

        var lag = view.Sparklines[0];
        (lag.Low, lag.High, lag.Latest).Should().Be(("0 blocks", "4 blocks", "0 blocks"), "the Electrum server was 4 blocks behind three hours ago");
        lag.Points.Single(p => p.Time == Day.ElectrumBehindFrom).Value.Should().Be(RecordedDay.ElectrumLag);

        var mempool = view.Sparklines[1];
        mempool.Latest.Should().Be(Formats.Bytes(Day.Recorded("bitcoind_mempool_usage_bytes")));
        mempool.Points.Where(p => double.IsNaN(p.Value)).Select(p => p.Time).Should().Equal([Day.BitcoindDownFrom + TimeSpan.FromMinutes(15)],
            "bitcoind was away for 30 minutes: one step has no value within Prometheus's 5-minute lookback");

        view.Sparklines[2].Latest.Should().Be(Formats.Bytes(Day.RecordedFamily("nodehelper_filesystem_avail_bytes").Values.Min()),
            "at the end of the day the filling disk is back at its recorded value");

        var disks = view.Forecasts;
        var bitcoind = disks.Should().ContainSingle(d => d.Component == "bitcoind").Subject;
        bitcoind.DaysUntilFull.Should().BeApproximately(RecordedDay.DaysUntilFull, 0.5);
        bitcoind.Text.Should().Be("full in 50 days at the last 6 hours' rate");
        disks.Where(d => d.Component != "bitcoind").Should().NotBeEmpty().And.AllSatisfy(d =>
        {
            d.DaysUntilFull.Should().BeNull();
            d.Text.Should().Be("not filling");
        });
    }

    [Fact]
    public async Task AnInstanceThatIsSetIsTheOneRead()
    {
        var mine = await History(new StatusOptions { PrometheusUrl = prometheus.Url, Instance = RecordedDay.Instance }).GetAsync(default);
        mine.Problem.Should().BeNull();
        mine.Sparklines.Select(s => s.Key).Should().Equal("tip_lag", "mempool", "disk_free");

        var other = await History(new StatusOptions { PrometheusUrl = prometheus.Url, Instance = "elsewhere:9338" }).GetAsync(default);
        other.Sparklines.Should().BeEmpty();
        other.Problem.Should().Contain("no scrape of job \"nodehelper\"").And.Contain("Status:Job");
    }

    [Fact]
    public async Task ANodeWatchedForMinutesHasNoForecastAndNoLagWithoutTheRecordingRules()
    {
        var view = await History(new StatusOptions { PrometheusUrl = prometheus.Url, Job = RecordedDay.YoungJob }).GetAsync(default);

        view.Problem.Should().BeNull();
        view.Sparklines.Select(s => s.Key).Should().Equal(["mempool", "disk_free"], "no lag is recorded for the young node");
        view.Forecasts.Should().NotBeEmpty().And.AllSatisfy(d =>
        {
            d.DaysUntilFull.Should().BeNull("its disk falls 1% a minute, but over 3 minutes: no forecast from that");
            d.Text.Should().StartWith("needs 6 hours of history").And.NotContain("full in");
        });
    }

    [Fact]
    public async Task WithoutAPrometheusTheViewIsEmptyAndNoProblem()
    {
        var view = await new StatusHistory(_http, new StatusOptions(), TimeProvider.System).GetAsync(default);

        view.Should().BeEquivalentTo(new HistoryView([], [], null, null));
        view.Source.Should().BeNull();
    }

    [Fact]
    public async Task AnUnreachablePrometheusIsAProblemNamingTheSetting()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var view = await History(new StatusOptions { PrometheusUrl = new Uri($"http://127.0.0.1:{port}/") }).GetAsync(default);

        view.Problem.Should().Contain("cannot reach Prometheus").And.Contain("Status:PrometheusUrl");
        view.Sparklines.Should().BeEmpty();
        view.Forecasts.Should().BeEmpty();
        view.ReadAt.Should().BeNull();
    }

    [Theory]
    [InlineData(500, "text/html", "<html><body>Internal Server Error</body></html>")]
    [InlineData(200, "text/plain", "not json at all")]
    [InlineData(200, "application/json", """{"blocks": 925000}""")]
    [InlineData(200, "application/json", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"a"},"value":[1e300,"1"]}]}}""")]
    [InlineData(200, "application/json", """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[[-5,"1"]]}]}}""")]
    public async Task AnAnswerThatIsNotPrometheussIsAProblemNamingTheSetting(int status, string type, string body)
    {
        await using var server = new RawHttpServer(RawHttpServer.Answer(status, type, body));

        var view = await History(new StatusOptions { PrometheusUrl = server.Url }).GetAsync(default);

        view.Problem.Should().Contain("is not Prometheus's API: is Status:PrometheusUrl right?").And.NotContain("Report:");
        view.Sparklines.Should().BeEmpty();
    }

    [Fact]
    public async Task APrometheusRefusingTheQueryIsAProblemNamingTheSetting()
    {
        await using var server = new RawHttpServer(RawHttpServer.Answer(500, "application/json",
            """{"status":"error","errorType":"internal","error":"query processing would load too many samples"}"""));

        var view = await History(new StatusOptions { PrometheusUrl = server.Url }).GetAsync(default);

        view.Problem.Should().Contain("too many samples").And.Contain("Status:PrometheusUrl");
    }

    [Fact]
    public async Task APrometheusThatDoesNotAnswerInTimeIsAProblemNamingTheSettings()
    {
        await using var server = new RawHttpServer((_, cancel) => Task.Delay(Timeout.Infinite, cancel));

        var view = await History(new StatusOptions { PrometheusUrl = server.Url, TimeoutSeconds = 0.3 }).GetAsync(default);

        view.Problem.Should().Be($"No history: Prometheus at {server.Url} did not answer within 0.3 s (Status:PrometheusUrl, Status:TimeoutSeconds).");
    }

    [Fact]
    public async Task SeveralInstancesOfTheJobAreNotMixed()
    {
        var at = prometheus.ClockStoppedAtEnd().GetUtcNow().ToUnixTimeSeconds();
        await using var server = new RawHttpServer(RawHttpServer.Answer(200, "application/json",
            $$$"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"instance":"node1:9338","job":"nodehelper"},"values":[[{{{at}}},"1"]]},
              {"metric":{"instance":"node2:9338","job":"nodehelper"},"values":[[{{{at}}},"2"]]}]}}
            """));

        var view = await History(new StatusOptions { PrometheusUrl = server.Url }).GetAsync(default);

        view.Problem.Should().Be("Prometheus watches several instances of job \"nodehelper\" (node1:9338, node2:9338): set Status:Instance to this node's.");
        view.Sparklines.Should().BeEmpty();
        view.Forecasts.Should().BeEmpty();
    }

    [Fact]
    public async Task OneReadServesFiveMinutesAndConcurrentCallersShareIt()
    {
        var requests = 0;
        var clock = new SettableClock(DateTimeOffset.UtcNow);
        var answer = RawHttpServer.Answer(200, "application/json",
            $$$"""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"instance":"node:9338","job":"nodehelper"},"value":[{{{clock.GetUtcNow().ToUnixTimeSeconds()}}},"{{{(clock.GetUtcNow() - TimeSpan.FromHours(24)).ToUnixTimeSeconds()}}}"]}]}}
            """);
        await using var server = new RawHttpServer(async (stream, cancel) =>
        {
            Interlocked.Increment(ref requests);
            await Task.Delay(200, cancel);
            await answer(stream, cancel);
        });
        var history = new StatusHistory(_http, new StatusOptions { PrometheusUrl = server.Url }, clock);

        var both = await Task.WhenAll(history.GetAsync(default), history.GetAsync(default));
        both[0].Problem.Should().BeNull();
        both[1].Should().BeSameAs(both[0], "the second caller waited for the first one's read");
        history.Reads.Should().Be(1);
        var perRead = requests;
        perRead.Should().BePositive();

        clock.Advance(TimeSpan.FromMinutes(4));
        (await history.GetAsync(default)).Should().BeSameAs(both[0]);
        requests.Should().Be(perRead, "within five minutes Prometheus is not asked again");

        clock.Advance(TimeSpan.FromMinutes(1.5));
        (await history.GetAsync(default)).Should().NotBeSameAs(both[0]);
        requests.Should().Be(2 * perRead);
        history.Reads.Should().Be(2);
    }

    [Fact]
    public async Task AFailureIsRepeatedForAMinuteOnly()
    {
        var requests = 0;
        var clock = new SettableClock(DateTimeOffset.UtcNow);
        var answer = RawHttpServer.Answer(500, "text/html", "<html>down</html>");
        await using var server = new RawHttpServer(async (stream, cancel) =>
        {
            Interlocked.Increment(ref requests);
            await answer(stream, cancel);
        });
        var history = new StatusHistory(_http, new StatusOptions { PrometheusUrl = server.Url }, clock);

        var first = await history.GetAsync(default);
        first.Problem.Should().NotBeNull();
        var perRead = requests;
        (await history.GetAsync(default)).Should().BeSameAs(first);
        requests.Should().Be(perRead);

        clock.Advance(StatusHistory.FailureCacheFor);
        await history.GetAsync(default);
        requests.Should().Be(2 * perRead);
    }

    private StatusHistory History(StatusOptions options) => new(_http, options, prometheus.ClockStoppedAtEnd());

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
