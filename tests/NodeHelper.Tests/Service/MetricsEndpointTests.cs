using System.Net;
using System.Text;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>Layer 3: the running exporter over real sockets, against the simulated bitcoind.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private BitcoindSimulator _bitcoind = null!;

    public async Task InitializeAsync() => _bitcoind = await BitcoindSimulator.StartAsync();

    public async Task DisposeAsync() => await _bitcoind.DisposeAsync();

    [Fact]
    public async Task HealthyScrapeAnswersEverythingFresh()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Status.Should().Be(200);
        scrape.ContentType.Should().Be("text/plain; version=0.0.4; charset=utf-8");
        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "bitcoind")).Should().Be(1);
        scrape.Metrics.Has("nodehelper_scrape_collector_duration_seconds", ("collector", "bitcoind")).Should().BeTrue();
        scrape.Metrics.Value("bitcoind_up").Should().Be(1);
        scrape.Metrics.Value("bitcoind_blocks").Should().Be(150);
        scrape.Metrics.Value("nodehelper_build_info", ("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription), ("version", "0.1.0")).Should().Be(1);

        _bitcoind.State.MineBlock(BitcoindState.CapturedBlockTime + 600);
        (await exporter.ScrapeAsync()).Metrics.Value("bitcoind_blocks").Should().Be(151, "every scrape reads bitcoind afresh");
    }

    [Fact]
    public async Task PromtoolFindsNothingToCriticiseInARealScrape()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));
        await exporter.ScrapeAsync();
        var healthy = await exporter.ScrapeAsync();
        _bitcoind.State.Fault = BitcoindFault.WarmingUp;
        var failing = await exporter.ScrapeAsync();

        foreach (var scrape in new[] { healthy, failing })
        {
            var lint = await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body);
            (lint.StandardOutput + lint.StandardError).Should().BeEmpty();
            lint.ExitCode.Should().Be(0);
        }

        healthy.Metrics.Names.Should().Contain("bitcoind_latest_block_fee_rate_sat_per_vbyte", "the linted scrape holds every family");
    }

    [Theory]
    [InlineData(BitcoindFault.Unauthorized, "unauthorized")]
    [InlineData(BitcoindFault.Forbidden, "forbidden")]
    [InlineData(BitcoindFault.WarmingUp, "warming_up")]
    [InlineData(BitcoindFault.Http500, "http_error")]
    [InlineData(BitcoindFault.NotJson, "invalid_response")]
    [InlineData(BitcoindFault.TruncatedBody, "connection_lost")]
    [InlineData(BitcoindFault.HugeBody, "too_large")]
    [InlineData(BitcoindFault.NeverAnswers, "timeout")]
    public async Task EveryFaultEndsInUpZeroInsideTheDeadlineWithItsReasonAndNothingHalfEmitted(BitcoindFault fault, string reason)
    {
        // A long upstream timeout: only the deadline Prometheus gives can end a scrape of a bitcoind that never answers.
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind, "--Bitcoind:TimeoutSeconds=60"));
        await exporter.ScrapeAsync();
        _bitcoind.State.Fault = fault;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        scrape.Status.Should().Be(200);
        scrape.Metrics.Value("bitcoind_up").Should().Be(0);
        scrape.Metrics.Value("bitcoind_warming_up").Should().Be(fault == BitcoindFault.WarmingUp ? 1 : 0);
        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "bitcoind")).Should().Be(0);
        scrape.Metrics.Family("nodehelper_scrape_collector_failure_reason").Should().Equal(new Dictionary<string, double>
        {
            [$"nodehelper_scrape_collector_failure_reason{{collector=\"bitcoind\",reason=\"{reason}\"}}"] = 1,
        });
        // Not a timing assertion (these machines are shared): far under the 60 s upstream timeout means the scrape's
        // deadline ended it, and the deadline is Prometheus's 3 s less Scrape:TimeoutOffsetSeconds.
        scrape.Metrics.Value("nodehelper_scrape_collector_duration_seconds", ("collector", "bitcoind"))
            .Should().BeLessThan(30, "the scrape's deadline, not the 60 s upstream timeout, ends a collector");
        if (fault == BitcoindFault.NeverAnswers)
        {
            exporter.Logs.All.Should().Contain("no answer within the scrape deadline of 2.5 s", "Prometheus's 3 s less the 0.5 s offset");
        }

        scrape.Metrics.Names.Where(n => n.StartsWith("bitcoind_", StringComparison.Ordinal))
            .Should().BeEquivalentTo(["bitcoind_up", "bitcoind_warming_up"], "a failed upstream leaves no stale or partial series");
    }

    [Fact]
    public async Task AnAnswerOfTheWrongShapeIsAnItemFailureNotADownBitcoind()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));
        _bitcoind.State.Fault = BitcoindFault.WrongShape;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        scrape.Metrics.Value("bitcoind_up").Should().Be(1, "bitcoind answered the batch");
        scrape.Metrics.Value("bitcoind_rpc_call_success", ("method", "getblockchaininfo")).Should().Be(0);
        scrape.Metrics.Names.Should().NotContain("bitcoind_blocks").And.Contain("bitcoind_mempool_transactions");
    }

    [Fact]
    public async Task AStoppedBitcoindIsDownAndTheScrapeStillAnswers()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));
        await _bitcoind.DisposeAsync();

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        scrape.Status.Should().Be(200);
        scrape.Metrics.Value("bitcoind_up").Should().Be(0);
        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "bitcoind")).Should().Be(0);
        // Like bitcoind, the simulator deletes its cookie when it stops: the first thing NodeHelper cannot do is read it.
        scrape.Metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "bitcoind"), ("reason", "credentials")).Should().Be(1);
        _bitcoind = await BitcoindSimulator.StartAsync();
    }

    [Fact]
    public async Task OneScrapeIsOneHttpRequestToBitcoind()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));

        for (var i = 1; i <= 5; i++)
        {
            (await exporter.ScrapeAsync()).Metrics.Value("bitcoind_up").Should().Be(1);
            _bitcoind.RequestCount.Should().Be(i);
        }
    }

    [Fact]
    public async Task TwentyConcurrentScrapesShareOneRequest()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));
        _bitcoind.State.Latency = TimeSpan.FromSeconds(2);

        var scrapes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => exporter.ScrapeAsync(prometheusTimeoutSeconds: 10)));

        scrapes.Should().OnlyContain(s => s.Status == 200 && s.Metrics.Value("bitcoind_up") == 1 && s.Metrics.Value("bitcoind_blocks") == 150);
        _bitcoind.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task NoSecretReachesTheOutputOrTheLogs()
    {
        const string password = "correct-horse-battery-staple-9f3a";
        const string wrongPassword = "not-the-password-77c1";
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { User = "monitor", Password = password });
        var passwordFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        var cookie = await File.ReadAllTextAsync(_bitcoind.CookieFile!);
        var scrapes = new List<Scrape>();
        try
        {
            await using (var exporter = await ExporterUnderTest.StartAsync($"--Bitcoind:Url={bitcoind.Url}", "--Bitcoind:User=monitor", $"--Bitcoind:PasswordFile={passwordFile}"))
            {
                foreach (var fault in Enum.GetValues<BitcoindFault>().Where(f => f != BitcoindFault.NeverAnswers))
                {
                    bitcoind.State.Fault = fault;
                    scrapes.Add(await exporter.ScrapeAsync());
                }

                AssertNoSecret(exporter.Logs.All, scrapes, password, "monitor:" + password, cookie);
            }

            await using (var wrong = await ExporterUnderTest.StartAsync($"--Bitcoind:Url={bitcoind.Url}", "--Bitcoind:User=monitor", $"--Bitcoind:Password={wrongPassword}"))
            {
                bitcoind.State.Fault = BitcoindFault.None;
                var refused = await wrong.ScrapeAsync();
                refused.Metrics.Value("bitcoind_up").Should().Be(0);
                wrong.Logs.All.Should().Contain("HTTP 401");
                AssertNoSecret(wrong.Logs.All, [refused], wrongPassword, "monitor:" + wrongPassword);
            }

            await using (var cookieExporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind)))
            {
                _bitcoind.State.Fault = BitcoindFault.Unauthorized;
                var refused = await cookieExporter.ScrapeAsync();
                AssertNoSecret(cookieExporter.Logs.All, [refused], cookie, cookie.Split(':')[1]);
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static void AssertNoSecret(string logs, IEnumerable<Scrape> scrapes, params string[] secrets)
    {
        logs.Should().NotBeEmpty();
        var outputs = scrapes.Select(s => s.Body).Append(logs).ToList();
        foreach (var secret in secrets)
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
            foreach (var output in outputs)
            {
                output.Should().NotContain(secret).And.NotContain(encoded);
            }
        }
    }

    [Fact]
    public async Task AFailingUpstreamIsLoggedOncePerChangeNotOncePerScrape()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));
        await exporter.ScrapeAsync();
        _bitcoind.State.Fault = BitcoindFault.Http500;
        for (var i = 0; i < 5; i++)
        {
            await exporter.ScrapeAsync();
        }

        _bitcoind.State.Fault = BitcoindFault.None;
        await exporter.ScrapeAsync();
        await exporter.ScrapeAsync();

        var collectorLines = exporter.Logs.Lines.Where(l => l.Contains("Collector bitcoind", StringComparison.Ordinal) && !l.StartsWith("Debug", StringComparison.Ordinal)).ToList();
        collectorLines.Should().HaveCount(3);
        collectorLines[0].Should().StartWith("Information").And.Contain("upstream answering");
        collectorLines[1].Should().StartWith("Warning").And.Contain("failing: bitcoind answered HTTP 500");
        collectorLines[2].Should().StartWith("Information").And.Contain("upstream answering");
    }

    [Fact]
    public async Task CollectParameterPicksCollectorsAndRejectsUnknownOnes()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));

        var picked = await exporter.ScrapeAsync(query: "?collect[]=bitcoind");
        var unknown = await exporter.ScrapeAsync(query: "?collect[]=bitcoin");

        picked.Status.Should().Be(200);
        picked.Metrics.Value("bitcoind_up").Should().Be(1);
        unknown.Status.Should().Be(400);
        unknown.Body.Should().Contain("'bitcoin' is not an enabled collector; enabled: bitcoind");
        _bitcoind.RequestCount.Should().Be(1, "a rejected request reads no upstream");
    }

    [Fact]
    public async Task LandingPageListsCollectorsAndLinksMetrics()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind));

        using var response = await exporter.Http.GetAsync("");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        html.Should().Contain("<a href=\"metrics\">").And.Contain("metrics?collect[]=bitcoind").And.Contain("bitcoind JSON-RPC");
    }

    [Fact]
    public async Task ADisabledCollectorIsNeitherRunNorListed()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(_bitcoind, "--Bitcoind:Enabled=false"));

        var scrape = await exporter.ScrapeAsync();

        scrape.Status.Should().Be(200);
        scrape.Metrics.Names.Should().NotContain(n => n.StartsWith("bitcoind_", StringComparison.Ordinal));
        scrape.Metrics.Names.Should().Contain("nodehelper_build_info");
        _bitcoind.RequestCount.Should().Be(0);
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
    }
}
