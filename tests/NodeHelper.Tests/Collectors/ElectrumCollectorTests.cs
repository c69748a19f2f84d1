using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Tests.Support;


namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the Electrum collector against the simulated Electrum server, into a fresh registry.</summary>
public sealed class ElectrumCollectorTests : IAsyncLifetime
{
    private ElectrumSimulator _electrum = null!;

    public async Task InitializeAsync() => _electrum = await ElectrumSimulator.StartAsync();

    public async Task DisposeAsync() => await _electrum.DisposeAsync();

    private static ElectrumCollector Collector(ElectrumSimulator server, bool tls = false, bool verify = true, double timeoutSeconds = 5) =>
        new(new ElectrumClient(new ElectrumOptions
        {
            Enabled = true,
            Host = server.Host,
            Port = server.Port,
            Tls = tls,
            TlsVerify = verify,
            TimeoutSeconds = timeoutSeconds,
        }), CancellationToken.None);

    [Fact]
    public async Task CapturedServerGivesExactValues()
    {
        var metrics = await Registries.CollectAsync(Collector(_electrum));

        metrics.Value("electrum_up").Should().Be(1);
        metrics.Value("electrum_tip_height").Should().Be(150);
        metrics.Value("electrum_tip_timestamp_seconds").Should().Be(1795470405);
        metrics.Value("electrum_server_info", ("protocol_version", "1.4"), ("server_version", "Fulcrum 2.1.1")).Should().Be(1);
        metrics.Value("electrum_probe_duration_seconds").Should().BeGreaterThan(0);
        _electrum.ConnectionCount.Should().Be(1, "one TCP connection per scrape");
    }

    [Fact]
    public async Task TheTipFollowsTheServer()
    {
        _electrum.State.TipHeight = 925_001;
        _electrum.State.TipTime = 1_800_000_000;
        _electrum.State.ServerVersion = "electrs/0.10.9";

        var metrics = await Registries.CollectAsync(Collector(_electrum));

        metrics.Value("electrum_tip_height").Should().Be(925_001);
        metrics.Value("electrum_tip_timestamp_seconds").Should().Be(1_800_000_000);
        metrics.Value("electrum_server_info", ("protocol_version", "1.4"), ("server_version", "electrs/0.10.9")).Should().Be(1);
    }

    [Fact]
    public async Task TipNotificationsBeforeAnAnswerAreSkipped()
    {
        _electrum.State.NotifyBeforeAnswers = true;

        var metrics = await Registries.CollectAsync(Collector(_electrum));

        metrics.Value("electrum_up").Should().Be(1);
        metrics.Value("electrum_tip_height").Should().Be(150);
    }

    [Fact]
    public async Task TlsWithASelfSignedCertificateWorksWhenVerificationIsRelaxed()
    {
        await using var tls = await ElectrumSimulator.StartAsync(new ElectrumSimulatorOptions { Tls = true });

        var metrics = await Registries.CollectAsync(Collector(tls, tls: true, verify: false));

        metrics.Value("electrum_up").Should().Be(1);
        metrics.Value("electrum_tip_height").Should().Be(150);
    }

    [Fact]
    public async Task TlsWithASelfSignedCertificateFailsWhenVerified()
    {
        await using var tls = await ElectrumSimulator.StartAsync(new ElectrumSimulatorOptions { Tls = true });

        var act = () => Registries.CollectAsync(Collector(tls, tls: true, verify: true));

        (await act.Should().ThrowAsync<UpstreamException>().WithMessage("cannot talk to the Electrum server at 127.0.0.1:*: the TLS handshake failed*"))
            .Which.Reason.Should().Be(FailureReason.Tls);
    }

    [Fact]
    public async Task AClosedPortWhileIndexingIsDownAndComesBack()
    {
        var collector = Collector(_electrum);
        await _electrum.StopListeningAsync();

        var refused = () => Registries.CollectAsync(collector);
        (await refused.Should().ThrowAsync<UpstreamException>().WithMessage("cannot talk to the Electrum server at 127.0.0.1:*: connection refused (electrs and Fulcrum open their port only once their index is built)."))
            .Which.Reason.Should().Be(FailureReason.Refused);

        _electrum.StartListening();
        (await Registries.CollectAsync(collector)).Value("electrum_up").Should().Be(1);
    }

    [Theory]
    [InlineData(ElectrumFault.Silent, "*did not answer within 1 s*", "timeout")]
    [InlineData(ElectrumFault.Garbage, "*answered server.version with a line that is not JSON*", "invalid_response")]
    [InlineData(ElectrumFault.HugeLine, "*a line longer than 64 KiB*", "too_large")]
    [InlineData(ElectrumFault.FractionalId, "*answer to server.version does not carry its id 0*", "invalid_response")]
    public async Task EveryFaultIsAFailureThatSaysWhatAndWhy(ElectrumFault fault, string message, string reason)
    {
        _electrum.State.Fault = fault;
        var collector = Collector(_electrum, timeoutSeconds: fault == ElectrumFault.Silent ? 1 : 30);

        var error = (await collector.Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>().WithMessage(message)).Which;

        error.Reason.Label().Should().Be(reason);
        (await Registries.UpstreamSeriesAsync(collector, "electrum_")).Should().Equal(new Dictionary<string, double> { ["electrum_up"] = 0 });
    }

    [Fact]
    public async Task ASlowServerIsAFailureOnceItsTimeoutPasses()
    {
        _electrum.State.Latency = TimeSpan.FromSeconds(2);

        var act = () => Registries.CollectAsync(Collector(_electrum, timeoutSeconds: 1));

        await act.Should().ThrowAsync<UpstreamException>().WithMessage("*did not answer within 1 s*");
    }
}
