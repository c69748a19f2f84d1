using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the mempool backend collector and the front end probe, against their simulators, exact values.</summary>
public sealed class MempoolCollectorTests : IAsyncLifetime
{
    private MempoolSimulator _mempool = null!;

    public async Task InitializeAsync() => _mempool = await MempoolSimulator.StartAsync();

    public async Task DisposeAsync() => await _mempool.DisposeAsync();

    private MempoolCollector Collector(double timeoutSeconds = 5) =>
        new(new MempoolClient(new MempoolOptions { Enabled = true, Url = _mempool.Url, TimeoutSeconds = timeoutSeconds }), new ItemLog(NullLogger.Instance, "mempool"), CancellationToken.None);

    private static MempoolFrontendCollector Frontend(FrontendSimulator frontend, bool verify = false, double timeoutSeconds = 5) =>
        new(new MempoolFrontendClient(new MempoolOptions { FrontendUrl = frontend.Url, FrontendTlsVerify = verify, TimeoutSeconds = timeoutSeconds }), CancellationToken.None);

    [Fact]
    public async Task CapturedBackendGivesExactValues()
    {
        _mempool.State.Fees = (12.5, 8, 4, 2, 1);
        _mempool.State.MempoolCount = 42_000;

        var metrics = await Registries.CollectAsync(Collector());

        metrics.Value("mempool_up").Should().Be(1);
        metrics.Value("mempool_build_info", ("backend", "none"), ("version", "?")).Should().Be(1);
        metrics.Value("mempool_tip_height").Should().Be(150);
        metrics.Value("mempool_synced").Should().Be(1);
        metrics.Family("mempool_recommended_fee_sat_per_vbyte").Should().Equal(new Dictionary<string, double>
        {
            ["mempool_recommended_fee_sat_per_vbyte{target=\"fastest\"}"] = 12.5,
            ["mempool_recommended_fee_sat_per_vbyte{target=\"half_hour\"}"] = 8,
            ["mempool_recommended_fee_sat_per_vbyte{target=\"hour\"}"] = 4,
            ["mempool_recommended_fee_sat_per_vbyte{target=\"economy\"}"] = 2,
            ["mempool_recommended_fee_sat_per_vbyte{target=\"minimum\"}"] = 1,
        });
        metrics.Value("mempool_transactions").Should().Be(42_000);
        metrics.Value("mempool_vsize_bytes").Should().Be(906);
        metrics.Value("mempool_total_fee_sat").Should().Be(11788);
        metrics.Value("mempool_loading_progress_ratio", ("indicator", "mempool")).Should().Be(1);
        metrics.Value("mempool_loading_progress_ratio", ("indicator", "block-indexing")).Should().Be(1);
        metrics.Value("mempool_difficulty_adjustment_progress_ratio").Should().BeApproximately(0.07440476190476191, 1e-15);
        metrics.Value("mempool_difficulty_adjustment_estimated_change_ratio").Should().Be(-0.75);
        metrics.Value("mempool_difficulty_adjustment_remaining_blocks").Should().Be(1866);
        metrics.Value("mempool_incoming_vbytes_per_second").Should().Be(0);
        metrics.Family("mempool_endpoint_success").Values.Should().HaveCount(5).And.OnlyContain(v => v == 1);
        _mempool.RequestCount.Should().Be(5, "five endpoints, once each");
    }

    [Fact]
    public async Task ABackendNotInSyncIsUpButNotSyncedAndHasNoFees()
    {
        _mempool.State.Synced = false;
        _mempool.State.TipHeight = 144;

        var metrics = await Registries.CollectAsync(Collector());

        metrics.Value("mempool_up").Should().Be(1);
        metrics.Value("mempool_synced").Should().Be(0);
        metrics.Value("mempool_tip_height").Should().Be(144);
        metrics.Names.Should().NotContain("mempool_recommended_fee_sat_per_vbyte", "no fee is better than a stale fee");
        metrics.Value("mempool_loading_progress_ratio", ("indicator", "mempool")).Should().Be(0);
    }

    [Fact]
    public async Task IndexingProgressIsReadAndPerRequestIndicatorsAreLeftOut()
    {
        _mempool.State.LoadingIndicators = new() { ["block-indexing"] = 37.5, ["address-bc1qexample"] = 10, ["blocktxs-00ab"] = 50 };

        var metrics = await Registries.CollectAsync(Collector());

        metrics.Family("mempool_loading_progress_ratio").Should().Equal(new Dictionary<string, double>
        {
            ["mempool_loading_progress_ratio{indicator=\"mempool\"}"] = 1,
            ["mempool_loading_progress_ratio{indicator=\"block-indexing\"}"] = 0.375,
        });
    }

    [Fact]
    public async Task AFailingSideEndpointIsAnItemFailureNotADownBackend()
    {
        _mempool.State.FailingEndpoints.Add("init-data");

        var metrics = await Registries.CollectAsync(Collector());

        metrics.Value("mempool_up").Should().Be(1);
        metrics.Value("mempool_endpoint_success", ("endpoint", "init-data")).Should().Be(0);
        metrics.Value("mempool_endpoint_success", ("endpoint", "mempool")).Should().Be(1);
        metrics.Names.Should().NotContain("mempool_loading_progress_ratio");
    }

    [Theory]
    [InlineData(MempoolFault.Http500, "the mempool backend answered backend-info with HTTP 500.", "http_error")]
    [InlineData(MempoolFault.Garbage, "the mempool backend's backend-info answer is not what the backend sends (*): <html>*", "invalid_response")]
    [InlineData(MempoolFault.NeverAnswers, "the mempool backend's backend-info: no answer within 1 s*", "timeout")]
    public async Task EveryFaultIsAFailureThatSaysWhatAndWhy(MempoolFault fault, string message, string reason)
    {
        _mempool.State.Fault = fault;
        var collector = Collector(timeoutSeconds: fault == MempoolFault.NeverAnswers ? 1 : 30);

        var error = (await collector.Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>().WithMessage(message)).Which;

        error.Reason.Label().Should().Be(reason);
        (await Registries.UpstreamSeriesAsync(collector, "mempool_")).Should().Equal(new Dictionary<string, double> { ["mempool_up"] = 0 });
    }

    [Fact]
    public async Task AStoppedBackendIsAFailure()
    {
        var collector = Collector();
        await _mempool.DisposeAsync();

        await collector.Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>()
            .WithMessage("the mempool backend's backend-info: cannot talk to the backend at http://127.0.0.1:*/api/v1/: connection refused");
    }

    [Fact]
    public async Task ASlowBackendFailsOnceItsTimeoutPasses()
    {
        _mempool.State.Latency = TimeSpan.FromSeconds(2);

        await Collector(timeoutSeconds: 1).Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>().WithMessage("*no answer within 1 s*");
    }

    [Fact]
    public async Task FrontEndOverTlsReportsStatusLatencyAndTheCertificatesExpiry()
    {
        var expiry = DateTimeOffset.UtcNow.AddDays(10).AddSeconds(-DateTimeOffset.UtcNow.Second);
        await using var frontend = await FrontendSimulator.StartAsync(certificateNotAfter: expiry);

        var metrics = await Registries.CollectAsync(Frontend(frontend));

        metrics.Value("mempool_frontend_up").Should().Be(1);
        metrics.Value("mempool_frontend_http_status_code").Should().Be(200);
        metrics.Value("mempool_frontend_duration_seconds").Should().BeGreaterThan(0);
        metrics.Value("mempool_frontend_tls_certificate_expiry_timestamp_seconds").Should().Be(expiry.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task FrontEndOverPlainHttpHasNoCertificateSeries()
    {
        await using var frontend = await FrontendSimulator.StartAsync();

        var metrics = await Registries.CollectAsync(Frontend(frontend));

        metrics.Value("mempool_frontend_up").Should().Be(1);
        metrics.Names.Should().NotContain("mempool_frontend_tls_certificate_expiry_timestamp_seconds");
    }

    [Fact]
    public async Task AFrontEndAnsweringAnErrorIsDownWithItsStatus()
    {
        await using var frontend = await FrontendSimulator.StartAsync();
        frontend.StatusCode = 502;

        var metrics = await Registries.CollectAsync(Frontend(frontend));

        metrics.Value("mempool_frontend_up").Should().Be(0);
        metrics.Value("mempool_frontend_http_status_code").Should().Be(502);
    }

    [Fact]
    public async Task AnUntrustedCertificateIsAFailureWhenVerified()
    {
        await using var frontend = await FrontendSimulator.StartAsync(certificateNotAfter: DateTimeOffset.UtcNow.AddDays(30));

        await Frontend(frontend, verify: true).Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>()
            .WithMessage("cannot reach the mempool front end at https://127.0.0.1:*/: *");
    }

    [Fact]
    public async Task ASlowFrontEndFailsOnceItsTimeoutPasses()
    {
        await using var frontend = await FrontendSimulator.StartAsync();
        frontend.Latency = TimeSpan.FromSeconds(2);

        await Frontend(frontend, timeoutSeconds: 1).Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>()
            .WithMessage("the mempool front end at * did not answer within 1 s*");
    }
}
