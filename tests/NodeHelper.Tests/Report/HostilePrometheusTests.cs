using System.Text;
using NodeHelper.Report;
using NodeHelper.Report.Prometheus;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>
/// The report's Prometheus answering wrongly: a web page (the URL points at nginx), JSON of another API, a number
/// that is not one, an answer too large, one without end, one that stalls. Each becomes a report that says it
/// could not be made and why, never an exception out of the report, never a hang, never unbounded memory.
/// </summary>
public sealed class HostilePrometheusTests
{
    private const string NotTheApi = "answered with something that is not Prometheus's API: is Report:PrometheusUrl right?";

    public static TheoryData<string, string> Answers => new()
    {
        { "a web page", NotTheApi },
        { "JSON of another API", NotTheApi },
        { "a value that is not a number", NotTheApi },
        { "a Content-Length of 40 MiB", "is larger than 32 MiB; refusing to read it." },
        { "a body without end", "is larger than 32 MiB; refusing to read it." },
        { "a body that stops coming", "did not answer in time." },
        { "a connection closed half-way", "broke off its answer." },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task AWrongAnswerGivesAReportThatSaysItCouldNotBeMade(string answer, string said)
    {
        await using var server = new RawHttpServer(Respond(answer));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };

        var report = await new DailyReportBuilder(new PrometheusApiClient(http, server.Url), new ReportOptions())
            .BuildAsync(DateTimeOffset.UtcNow, default);

        report.Verdict.Should().Be(Verdict.CannotTell);
        report.Nodes.Should().BeEmpty();
        report.Findings.Should().ContainSingle().Which.Text.Should().StartWith("The report could not be made: ").And.Contain(said);
    }

    private static Func<Stream, CancellationToken, Task> Respond(string answer) => answer switch
    {
        "a web page" => RawHttpServer.Answer(200, "text/html", "<html><body>Welcome to nginx!</body></html>"),
        "JSON of another API" => RawHttpServer.Answer(200, "application/json", """{"blocks": 925000}"""),
        "a value that is not a number" => RawHttpServer.Answer(200, "application/json",
            """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"node:9338"},"value":[1795480000,"many"]}]}}"""),
        "a Content-Length of 40 MiB" => async (stream, cancel) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 41943040\r\n\r\n{"), cancel),
        "a body without end" => async (stream, cancel) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":\""), cancel);
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
            while (!cancel.IsCancellationRequested)
            {
                await stream.WriteAsync(chunk, cancel);
            }
        }
        ,
        "a body that stops coming" => async (stream, cancel) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"status\":"), cancel);
            await Task.Delay(Timeout.Infinite, cancel);
        }
        ,
        "a connection closed half-way" => async (stream, cancel) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"status\":"), cancel),
        _ => throw new ArgumentOutOfRangeException(nameof(answer)),
    };
}
