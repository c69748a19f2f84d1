using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Scraping;

public sealed class ScrapeMachineryTests
{
    private static readonly ScrapeOptions Options = new();

    [Theory]
    [InlineData("10", 9.5)]
    [InlineData("2.5", 2.0)]
    [InlineData("0.6", 0.3)]
    [InlineData(null, 10)]
    [InlineData("", 10)]
    [InlineData("soon", 10)]
    [InlineData("-3", 10)]
    [InlineData("NaN", 10)]
    public void DeadlineIsPrometheusTimeoutMinusTheOffsetOrTheDefault(string? header, double expectedSeconds)
    {
        ScrapeDeadline.From(header, Options).TotalSeconds.Should().BeApproximately(expectedSeconds, 1e-9);
    }

    [Fact]
    public async Task ConcurrentCallersShareOneFetchAndLaterCallersGetAFreshOne()
    {
        var fetches = 0;
        var release = new TaskCompletionSource();
        var flight = new SingleFlight<int>(async _ =>
        {
            var n = Interlocked.Increment(ref fetches);
            await release.Task;
            return n;
        }, CancellationToken.None);

        var waiting = Enumerable.Range(0, 20).Select(_ => flight.GetAsync(CancellationToken.None)).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(waiting);

        results.Should().OnlyContain(r => r == 1);
        (await flight.GetAsync(CancellationToken.None)).Should().Be(2, "a call after the flight landed starts a new fetch");
    }

    [Fact]
    public async Task ACallerThatGivesUpDoesNotCancelTheOthers()
    {
        var release = new TaskCompletionSource();
        var flight = new SingleFlight<string>(async _ =>
        {
            await release.Task;
            return "answer";
        }, CancellationToken.None);
        using var impatient = new CancellationTokenSource();

        var early = flight.GetAsync(impatient.Token);
        var patient = flight.GetAsync(CancellationToken.None);
        await impatient.CancelAsync();
        release.SetResult();

        await early.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await patient).Should().Be("answer");
    }

    [Fact]
    public async Task AFailedFetchFailsItsCallersAndIsNotCached()
    {
        var calls = 0;
        var flight = new SingleFlight<int>(_ => ++calls == 1 ? throw new UpstreamException(FailureReason.Refused, "down") : Task.FromResult(calls), CancellationToken.None);

        await flight.Invoking(f => f.GetAsync(CancellationToken.None)).Should().ThrowAsync<UpstreamException>();
        (await flight.GetAsync(CancellationToken.None)).Should().Be(2);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("line\nbreak\u0007bell", "line break bell")]
    public void UpstreamTextIsCleanedBeforeItIsLogged(string text, string expected)
    {
        UpstreamException.Clip(text).Should().Be(expected);
        UpstreamException.Clip(new string('a', 500)).Should().HaveLength(201).And.EndWith("…");
    }

    [Fact]
    public async Task AFamilyTwoCollectorsBothWriteIsExportedOnceAndTheLaterCollectorFails()
    {
        var metrics = await ScrapeAsync(
            [new WritingCollector("first", m => m.Gauge("shared_metric", "Help.", 1)), new WritingCollector("second", m => m.Gauge("shared_metric", "Help.", 2))]);

        metrics.Value("shared_metric").Should().Be(1);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "first")).Should().Be(1);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "second")).Should().Be(0);
    }

    [Fact]
    public async Task ACollectorThatWritesADuplicateSeriesFailsAloneAndLeavesNothingHalfWritten()
    {
        var metrics = await ScrapeAsync(
            [
                new WritingCollector("twice", m =>
                {
                    var family = m.Family("test_network_reachable", "Help.", "network");
                    family.WithLabels("ipv4").Set(1);
                    family.WithLabels("ipv4").Set(0);
                }),
                new WritingCollector("fine", m => m.Gauge("fine_up", "Help.", 1)),
            ]);

        metrics.Names.Should().NotContain("test_network_reachable");
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "twice")).Should().Be(0);
        metrics.Value("fine_up").Should().Be(1);
    }

    [Fact]
    public async Task ACollectorDroppedForAClashStillSaysItsUpstreamIsNotUp()
    {
        var up = new UpGauge("second_up", "Help.");
        var metrics = await ScrapeAsync(
            [
                new WritingCollector("first", m => m.Gauge("shared_metric", "Help.", 1)),
                new WritingCollector("second", m =>
                {
                    m.Gauge("second_up", "Help.", 1);
                    m.Gauge("shared_metric", "Help.", 2);
                }, up),
            ]);

        metrics.Value("second_up").Should().Be(0, "its output was dropped: an alert on second_up == 0 must fire, not go silent");
        metrics.Value("shared_metric").Should().Be(1);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "second")).Should().Be(0);
    }

    [Fact]
    public async Task ADroppedCollectorDoesNotTakeALaterInnocentOneWithIt()
    {
        // first writes x; second writes x and y (dropped for x); third writes y, which nobody else exports.
        var metrics = await ScrapeAsync(
            [
                new WritingCollector("first", m => m.Gauge("x_metric", "Help.", 1)),
                new WritingCollector("second", m =>
                {
                    m.Gauge("x_metric", "Help.", 2);
                    m.Gauge("y_metric", "Help.", 2);
                }),
                new WritingCollector("third", m => m.Gauge("y_metric", "Help.", 3)),
            ]);

        metrics.Value("nodehelper_scrape_collector_success", ("collector", "second")).Should().Be(0);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "third")).Should().Be(1);
        metrics.Value("y_metric").Should().Be(3);
    }

    [Fact]
    public async Task ACollectorWhoseFailureWriterThrowsFailsAloneWithItsUpAtZero()
    {
        var metrics = await ScrapeAsync(
            [
                new WritingCollector("broken", _ => throw new UpstreamException(FailureReason.Refused, "refused"), new UpGauge("broken_up", "Help."),
                    writeFailure: _ => throw new InvalidOperationException("a bug in WriteFailure")),
                new WritingCollector("fine", m => m.Gauge("fine_up", "Help.", 1)),
            ]);

        metrics.Value("broken_up").Should().Be(0);
        metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "broken"), ("reason", "refused")).Should().Be(1);
        metrics.Value("fine_up").Should().Be(1);
    }

    /// <summary>One scrape of <paramref name="collectors"/>, run and written as /metrics does, read back.</summary>
    private static async Task<Exposition> ScrapeAsync(IMetricsCollector[] collectors)
    {
        var scrape = new ScrapeService(collectors, Options, new ExporterSelfMetrics(), new CollectorHealth(TimeProvider.System), NullLogger<ScrapeService>.Instance);
        var outcomes = await scrape.RunAsync(scrape.Collectors, TimeSpan.FromSeconds(5), CancellationToken.None);
        var text = new ArrayBufferWriter<byte>();
        scrape.Write(outcomes, text);
        return Exposition.Parse(Encoding.UTF8.GetString(text.WrittenSpan));
    }

    private sealed class WritingCollector(string name, Action<MetricSet> write, UpGauge? up = null, Action<MetricSet>? writeFailure = null) : IMetricsCollector
    {
        public string Name => name;

        public string Description => "writes what the test says";

        public UpGauge? Up => up;

        public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
        {
            write(metrics);
            return Task.CompletedTask;
        }

        public void WriteFailure(MetricSet metrics, UpstreamException failure) => writeFailure?.Invoke(metrics);
    }
}
