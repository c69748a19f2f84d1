using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>The page's history over a real Prometheus holding a recorded day: the sparklines and the forecast, on the page and in the JSON.</summary>
public sealed class StatusPageHistoryTests(RecordedPrometheus prometheus) : IClassFixture<RecordedPrometheus>
{
    [Fact]
    public async Task ThePageDrawsTheDayAndForecastsTheDisk()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        await using var exporter = await ExporterUnderTest.StartAsync(
            builder => builder.Services.AddSingleton(prometheus.ClockAtEnd()),
            [.. ExporterUnderTest.For(bitcoind), $"--Status:PrometheusUrl={prometheus.Url}", $"--Status:Instance={RecordedDay.Instance}"]);

        var html = await exporter.Http.GetStringAsync("");
        var history = JsonDocument.Parse(await exporter.Http.GetStringAsync("api/v1/status")).RootElement.GetProperty("history");

        history.GetProperty("problem").ValueKind.Should().Be(JsonValueKind.Null);
        history.GetProperty("sparklines").EnumerateArray().Select(s => s.GetProperty("key").GetString()).Should().Equal("tip_lag", "mempool", "disk_free");
        history.GetProperty("sparklines")[1].GetProperty("points").GetArrayLength().Should().Be(97);
        foreach (var key in new[] { "tip_lag", "mempool", "disk_free" })
        {
            html.Should().MatchRegex($"<div class=\"spark\" data-k=\"{key}\">.*?<svg[^>]*role=\"img\".*?</svg>", $"the {key} sparkline is drawn inline");
        }

        html.Should().Contain("data-forecast=\"bitcoind\"").And.Contain("full in 50 days at the last 6 hours&#39; rate");
    }
}
