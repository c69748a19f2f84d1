using System.Text;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Status.Alerts;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>
/// An Alertmanager (or Prometheus) that answers wrongly: each becomes a view whose Problem says what went wrong and
/// which setting to check, never an exception out of GetAsync, never a hang, never unbounded memory, never a password.
/// </summary>
public sealed class AlertSourceHostileTests
{
    private const string NotTheApi = "answered with something that is not Alertmanager's API: is Status:AlertmanagerUrl right?";

    public static TheoryData<string, string> Answers => new()
    {
        { "HTTP 500", "answered HTTP 500: the database is on fire" },
        { "a web page", NotTheApi },
        { "JSON of another API", NotTheApi },
        { "an array of numbers", NotTheApi },
        { "an alert whose fingerprint is a number", NotTheApi },
        { "an alert without a status", NotTheApi },
        { "an alert in an unknown state", NotTheApi },
        { "a Content-Length of 40 MiB", "is larger than 8 MiB; refusing to read it." },
        { "a body without end", "is larger than 8 MiB; refusing to read it." },
        { "a body that stops coming", "did not answer within 1 s (Status:TimeoutSeconds)" },
        { "a connection closed half-way", "Status:AlertmanagerUrl" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task AWrongAnswerIsAProblemThatNamesTheSetting(string answer, string said)
    {
        await using var server = new RawHttpServer(Respond(answer));
        using var http = new HttpClient();
        // Long enough to read 8 MiB on a busy machine, except where the timeout itself is the case.
        var source = new AlertSource(http, new StatusOptions { AlertmanagerUrl = server.Url, TimeoutSeconds = answer == "a body that stops coming" ? 1 : 30 });

        var view = await source.GetAsync(default);

        view.Source.Should().Be("alertmanager");
        view.Alerts.Should().BeEmpty();
        view.CanSilence.Should().BeFalse();
        view.Problem.Should().Contain(said).And.Contain("Status:AlertmanagerUrl");
        (await source.Invoking(s => s.SilenceAsync("0123456789abcdef", TimeSpan.FromHours(1), "why", "me", default)).Should().ThrowAsync<AlertActionException>())
            .Which.Message.Should().Contain("Status:AlertmanagerUrl");
    }

    [Fact]
    public async Task AnUnreachablePortIsAProblem()
    {
        using var http = new HttpClient();
        var source = new AlertSource(http, new StatusOptions { AlertmanagerUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/am/") });

        var view = await source.GetAsync(default);

        view.Problem.Should().Contain("cannot read Alertmanager at http://127.0.0.1:").And.Contain("/am/: connection refused. Is Status:AlertmanagerUrl right?");
    }

    [Fact]
    public async Task AUrlsUserInfoNeverReachesTheProblem()
    {
        await using var server = new RawHttpServer(RawHttpServer.Answer(500, "text/plain", "no"));
        using var http = new HttpClient();
        var url = new UriBuilder(server.Url) { UserName = "admin", Password = "hunter2" }.Uri;

        var view = await new AlertSource(http, new StatusOptions { AlertmanagerUrl = url }).GetAsync(default);

        view.Problem.Should().Contain("answered HTTP 500").And.NotContain("hunter2").And.NotContain("admin");
    }

    [Fact]
    public async Task APrometheusThatFailsIsAProblemNamingItsSetting()
    {
        await using var server = new RawHttpServer(RawHttpServer.Answer(200, "application/json", """{"status":"error","errorType":"internal","error":"boom"}"""));
        using var http = new HttpClient();

        var view = await new AlertSource(http, new StatusOptions { PrometheusUrl = server.Url }).GetAsync(default);

        view.Source.Should().Be("prometheus");
        view.Problem.Should().Contain("not Prometheus's API: is Status:PrometheusUrl right?");
    }

    [Fact]
    public async Task ASummaryWithMarkupAndControlCharactersIsKeptForThePageToEscapeOnOneLine()
    {
        const string Alert = """
            [{"labels":{"alertname":"X","severity":"warning"},"annotations":{"summary":"<script>alert('x')</script>\nsecond line"},
              "receivers":[{"name":"r"}],"fingerprint":"abc","startsAt":"2026-11-23T10:00:00Z","updatedAt":"2026-11-23T10:00:00Z",
              "endsAt":"2026-11-23T11:00:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]
            """;
        // The same answer comes back for the silences, which it is not: the alerts are still shown, with that problem.
        await using var server = new RawHttpServer(RawHttpServer.Answer(200, "application/json", Alert));
        using var http = new HttpClient();

        var view = await new AlertSource(http, new StatusOptions { AlertmanagerUrl = server.Url }).GetAsync(default);

        view.Alerts.Should().ContainSingle().Which.Summary.Should().Be("<script>alert('x')</script> second line");
        view.Problem.Should().Contain("Status:AlertmanagerUrl", "the alerts' answer is not a list of silences");
    }

    private static Func<Stream, CancellationToken, Task> Respond(string answer) => answer switch
    {
        "HTTP 500" => RawHttpServer.Answer(500, "text/plain", "the database is on fire\n"),
        "a web page" => RawHttpServer.Answer(200, "text/html", "<html><body>Welcome to nginx!</body></html>"),
        "JSON of another API" => RawHttpServer.Answer(200, "application/json", """{"status":"success","data":{"alerts":[]}}"""),
        "an array of numbers" => RawHttpServer.Answer(200, "application/json", "[1, 2, 3]"),
        "an alert whose fingerprint is a number" => RawHttpServer.Answer(200, "application/json",
            """[{"fingerprint":12,"labels":{},"annotations":{},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"""),
        "an alert without a status" => RawHttpServer.Answer(200, "application/json", """[{"fingerprint":"ab","labels":{},"annotations":{}}]"""),
        "an alert in an unknown state" => RawHttpServer.Answer(200, "application/json",
            """[{"fingerprint":"ab","labels":{},"annotations":{},"status":{"state":"exploded","silencedBy":[],"inhibitedBy":[]}}]"""),
        "a Content-Length of 40 MiB" => async (stream, cancel) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 41943040\r\n\r\n["), cancel),
        "a body without end" => async (stream, cancel) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[\""), cancel);
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
            while (!cancel.IsCancellationRequested)
            {
                await stream.WriteAsync(chunk, cancel);
            }
        }
        ,
        "a body that stops coming" => async (stream, cancel) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"), cancel);
            await Task.Delay(Timeout.Infinite, cancel);
        }
        ,
        "a connection closed half-way" => async (stream, cancel) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"), cancel),
        _ => throw new ArgumentOutOfRangeException(nameof(answer)),
    };
}
