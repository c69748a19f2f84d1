using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Status;

namespace NodeHelper.Tests.Status;

/// <summary>The verdict's rules (docs/status-api.md): from the alerts Prometheus evaluated and what is down now, never "healthy" unseen.</summary>
public sealed class StatusVerdictTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class Upstream(string name, bool hasUp) : IMetricsCollector
    {
        public string Name => name;

        public string Description => name;

        public UpGauge? Up => hasUp ? new UpGauge($"{name}_up", "up") : null;

        public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NoSources : IStatusSources
    {
        public Task<AlertsSection> AlertsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<HistorySection> HistoryAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> SilenceAsync(string fingerprint, TimeSpan duration, string comment, string createdBy, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExpireSilenceAsync(string silenceId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private static readonly IMetricsCollector[] Collectors = [new Upstream("bitcoind", hasUp: true), new Upstream("host", hasUp: false)];

    private static StatusService Service(StatusOptions? options = null)
    {
        var scrape = new ScrapeService(Collectors, new ScrapeOptions(), new ExporterSelfMetrics(), new CollectorHealth(TimeProvider.System), NullLogger<ScrapeService>.Instance);
        return new StatusService(scrape, new CollectorHealth(TimeProvider.System), options ?? new StatusOptions(), new ScrapeOptions(), TimeProvider.System, new NoSources(), new Lifetime());
    }

    private static CollectorOutcome Ok(string name) => new(name, null, 0.01, ReadOnlyMemory<byte>.Empty, []) { Metrics = new MetricSet() };

    private static CollectorOutcome Failed(string name) =>
        new(name, FailureReason.Refused, 0.01, ReadOnlyMemory<byte>.Empty, []) { Metrics = new MetricSet(), Problem = "connection refused" };

    private static AlertItem Alert(string name, string severity, string state = "firing", string scope = "bitcoind") =>
        new(name, name, severity, scope, $"{name} summary", Now.AddMinutes(-5), state, state == "silenced" ? ["s1"] : [], null, new Dictionary<string, string>());

    private static AlertsSection FromAlertmanager(params AlertItem[] items) =>
        new("alertmanager", null, true, [Alert(StatusService.Watchdog, "info", scope: "exporter"), .. items], [], null);

    private static readonly string[] SilencedReason = ["(silenced) NodeHelperBitcoindBehind summary"];

    private static readonly string[] UnreachableReason = ["Every component answers, but what the alert rules say is unknown.", "Alertmanager at http://127.0.0.1:9/ did not answer (Status:AlertmanagerUrl)"];

    private static readonly HistorySection NoHistory = new(null, null, [], []);

    private static StatusDocument Build(AlertsSection alerts, params CollectorOutcome[] outcomes) =>
        Service().Build(outcomes.Length == 0 ? [Ok("bitcoind"), Ok("host")] : outcomes, alerts, NoHistory, Now);

    [Fact]
    public void AFigureThatIsNotFiniteReachesTheJsonAsNoValue()
    {
        var services = new MetricSet();
        services.Family("nodehelper_service_active", "active", "unit").WithLabels("bitcoind.service").Set(double.NaN);
        var facts = ComponentCards.Facts("services", new MetricReading(services), new MetricReading(null), Now);
        var status = Build(FromAlertmanager()) with { Components = [new ComponentStatus("services", "Services", "", "up", Now, true, null, "good", facts)] };

        facts.Single().Value.Should().BeNull();
        System.Text.Json.JsonSerializer.Serialize(status, StatusJsonContext.Default.StatusDocument).Should().Contain("\"value\":null");
    }

    [Fact]
    public void NothingFiringAndEverythingUpIsHealthy() =>
        Build(FromAlertmanager()).Verdict.Level.Should().Be("healthy");

    [Fact]
    public void ACriticalAlertIsProblemsAndColoursItsCard()
    {
        var status = Build(FromAlertmanager(Alert("NodeHelperBitcoindBehind", "critical")));

        status.Verdict.Level.Should().Be("problems");
        status.Verdict.Reasons.Should().Equal("NodeHelperBitcoindBehind summary");
        status.Components.Single(c => c.Name == "bitcoind").Tone.Should().Be("bad");
        status.Components.Single(c => c.Name == "host").Tone.Should().Be("good");
    }

    [Fact]
    public void AWarningIsNeedsAttention() =>
        Build(FromAlertmanager(Alert("NodeHelperFilesystemFillingUp", "warning", scope: "host"))).Verdict.Level.Should().Be("needs_attention");

    [Fact]
    public void ASilencedCriticalStillNeedsAttentionAndAnInhibitedOneDoesNotCount()
    {
        Build(FromAlertmanager(Alert("NodeHelperBitcoindBehind", "critical", "silenced"))).Verdict.Should()
            .BeEquivalentTo(new { Level = "needs_attention", Reasons = SilencedReason });
        Build(FromAlertmanager(Alert("NodeHelperElectrumDown", "critical", "inhibited"))).Verdict.Level.Should().Be("healthy");
        Build(FromAlertmanager(Alert("NodeHelperElectrumBehind", "warning", "pending"))).Verdict.Level.Should().Be("healthy");
    }

    [Fact]
    public void AnUpstreamDownNowIsProblemsEvenBeforeItsAlertFires()
    {
        var status = Build(FromAlertmanager(), Failed("bitcoind"), Ok("host"));

        status.Verdict.Level.Should().Be("problems");
        status.Verdict.Reasons.Should().Equal("Bitcoin node (bitcoind) is not answering: connection refused");
        status.Components.Single(c => c.Name == "bitcoind").Should().BeEquivalentTo(new { State = "down", Tone = "bad" });
    }

    [Fact]
    public void AHostThatCannotBeReadNeedsAttention()
    {
        var status = Build(FromAlertmanager(), Ok("bitcoind"), Failed("host"));

        status.Verdict.Level.Should().Be("needs_attention");
        status.Components.Single(c => c.Name == "host").State.Should().Be("failing");
    }

    [Fact]
    public void WithoutAlertsThePageNeverSaysHealthy()
    {
        Build(new AlertsSection("none", null, false, [], [], "hint")).Verdict.Level.Should().Be("cannot_tell");
        Build(new AlertsSection("alertmanager", "Alertmanager at http://127.0.0.1:9/ did not answer (Status:AlertmanagerUrl)", false, [], [], null))
            .Verdict.Should().BeEquivalentTo(new { Level = "cannot_tell", Reasons = UnreachableReason });
    }

    [Theory]
    [InlineData("")]
    [InlineData("node1:9338")]
    public void WithoutTheWatchdogNoAlertMeansNothing(string instance)
    {
        var status = Service(new StatusOptions { Instance = instance }).Build([Ok("bitcoind"), Ok("host")], new AlertsSection("alertmanager", null, true, [], [], null), NoHistory, Now);

        status.Verdict.Level.Should().Be("cannot_tell");
        status.Verdict.Reasons[^1].Should().Contain("NodeHelperWatchdog");
    }
}
