using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>The updates collector over a real feed file, and the whole exporter reading bitcoind's version from the simulator.</summary>
public sealed class UpdatesCollectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-updates-").FullName;

    private string Feed => Path.Join(_dir, "update-feed.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AFeedThatSays99RaisesTheUpdateForTheBitcoindThatRuns()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        File.WriteAllText(Feed, """{"generated": "2026-12-01T06:00:00Z", "latest": {"bitcoin_core": "99.0.0", "nodehelper": "0.0.1"}}""");
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(bitcoind, $"--Updates:FeedFile={Feed}"));

        // Collectors run in parallel: the first scrape may compare before bitcoind's version was read.
        Scrape scrape = null!;
        await Eventually.TrueAsync("bitcoind's version compared with the feed", TimeSpan.FromSeconds(20), async () =>
        {
            scrape = await exporter.ScrapeAsync();
            return scrape.Metrics.Family("nodehelper_update_available").Keys.Any(k => k.Contains("bitcoin_core", StringComparison.Ordinal));
        });

        scrape.Metrics.Value("nodehelper_update_available", ("component", "bitcoin_core"), ("running", "31.99.0"), ("latest", "99.0.0")).Should().Be(1);
        scrape.Metrics.Value("nodehelper_update_available", ("component", "nodehelper"), ("running", ExporterSelfMetrics.Version), ("latest", "0.0.1")).Should().Be(0, "an older release in the feed is no update");
        scrape.Metrics.Value("nodehelper_update_feed_success").Should().Be(1);
        scrape.Metrics.Value("nodehelper_update_feed_generated_timestamp_seconds").Should().Be(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "updates")).Should().Be(1);
    }

    [Fact]
    public async Task TheSameOrAnOlderReleaseIsNoUpdateAndAChangedFeedIsReadAgain()
    {
        var running = new RunningVersions();
        running.Saw("fulcrum", "2.1.1");
        running.Saw("mempool", "?");
        var collector = Collector(running);
        File.WriteAllText(Feed, """{"latest": {"fulcrum": "2.1.1", "mempool": "3.2.1"}}""");

        var same = await Registries.CollectAsync(collector);
        same.Value("nodehelper_update_available", ("component", "fulcrum"), ("running", "2.1.1"), ("latest", "2.1.1")).Should().Be(0);
        same.Series.Keys.Should().NotContain(k => k.Contains("mempool", StringComparison.Ordinal), "a backend built without git says '?': not a version to compare");
        same.Has("nodehelper_update_feed_generated_timestamp_seconds").Should().BeFalse("this feed says not when it was made");

        File.WriteAllText(Feed, """{"latest": {"fulcrum": "2.2.0"}, "generated": "2026-12-02T00:00:00Z"}""");
        var newer = await Registries.CollectAsync(collector);
        newer.Value("nodehelper_update_available", ("component", "fulcrum"), ("running", "2.1.1"), ("latest", "2.2.0")).Should().Be(1);
    }

    [Fact]
    public async Task AVersionNotReadForTenMinutesNoLongerRuns()
    {
        var clock = new SteppedClock(DateTimeOffset.UnixEpoch.AddYears(56));
        var running = new RunningVersions(clock);
        running.Saw("electrs", "0.10.5");
        File.WriteAllText(Feed, """{"latest": {"electrs": "0.10.10"}}""");

        (await Registries.CollectAsync(Collector(running))).Value("nodehelper_update_available", ("component", "electrs"), ("running", "0.10.5"), ("latest", "0.10.10")).Should().Be(1);
        clock.Now += RunningVersions.MaxAge + TimeSpan.FromSeconds(1);
        (await Registries.CollectAsync(Collector(running))).Series.Keys.Should().NotContain(k => k.Contains("electrs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not json")]
    [InlineData("""{"generated": "2026-12-01T06:00:00Z"}""")]
    [InlineData("""{"latest": ["30.0"]}""")]
    [InlineData("huge")]
    public async Task ABrokenFeedFailsOnlyItsOwnGaugeAndTheScrapeAnswers(string content)
    {
        if (content == "huge")
        {
            File.WriteAllText(Feed, "{\"latest\": {\"nodehelper\": \"1.0\"}, \"x\": \"" + new string('a', 100_000) + "\"}");
        }
        else if (content != "missing")
        {
            File.WriteAllText(Feed, content);
        }

        var scrape = await Registries.ScrapeAsync(Collector(new RunningVersions()));

        scrape.Value("nodehelper_update_feed_success").Should().Be(0);
        scrape.Names.Should().NotContain("nodehelper_update_available");
        scrape.Value("nodehelper_scrape_collector_success", ("collector", "updates")).Should().Be(1, "a feed is an item of the collector, not an upstream that is down");
    }

    [Fact]
    public async Task ALatestThatIsNotAVersionIsSkippedAndCannotInjectASeries()
    {
        File.WriteAllText(Feed, """{"latest": {"nodehelper": "1.0\"} 1\nnodehelper_update_available{component=\"x\"} 1"}}""");

        var scrape = await Registries.CollectAsync(Collector(new RunningVersions()));

        scrape.Value("nodehelper_update_feed_success").Should().Be(1);
        scrape.Names.Should().NotContain("nodehelper_update_available");
    }

    private UpdatesCollector Collector(RunningVersions running) => new(Feed, running, new ItemLog(NullLogger.Instance, "updates"));

    private sealed class SteppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
