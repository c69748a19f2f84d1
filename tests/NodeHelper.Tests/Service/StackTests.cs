using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>Layer 3, the whole stack: each upstream's failure is its own; every other collector still reports.</summary>
public sealed class StackTests : IAsyncLifetime
{
    private SimulatedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SimulatedStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static void AssertAnswered(Scrape scrape, string failed)
    {
        var healthy = SimulatedStack.Collectors.Where(c => c != failed);
        scrape.Status.Should().Be(200);
        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", failed)).Should().Be(0);
        scrape.Metrics.Value("nodehelper_scrape_collector_duration_seconds", ("collector", failed)).Should().BeLessThan(30, "the scrape's deadline, not a 60 s upstream timeout, ends it (no timing assertion: shared machines)");
        foreach (var collector in healthy)
        {
            scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", collector)).Should().Be(1, $"{collector} does not depend on {failed}");
        }
    }

    [Fact]
    public async Task EveryCollectorAnswersFromAHealthyStack()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Metrics.Family("nodehelper_scrape_collector_success").Should().BeEquivalentTo(
            SimulatedStack.Collectors.ToDictionary(c => $"nodehelper_scrape_collector_success{{collector=\"{c}\"}}", _ => 1.0));
        scrape.Metrics.Value("bitcoind_blocks").Should().Be(150);
        scrape.Metrics.Value("electrum_tip_height").Should().Be(150);
        scrape.Metrics.Value("mempool_tip_height").Should().Be(150);
        scrape.Metrics.Value("mempool_frontend_up").Should().Be(1);
        scrape.Metrics.Value("nodehelper_filesystem_error", ("component", "bitcoind"), ("path", _stack.BitcoinDirectory)).Should().Be(0);
        scrape.Metrics.Value("nodehelper_service_restarts_total", ("unit", "electrs.service")).Should().Be(7);
        // The fixture host's socket tables: bitcoind's RPC on loopback only, its P2P on every interface.
        scrape.Metrics.Value("nodehelper_listener_exposed", ("port", "8332"), ("service", "bitcoind-rpc")).Should().Be(0);
        scrape.Metrics.Value("nodehelper_listener_exposed", ("port", "8333"), ("service", "bitcoind-p2p")).Should().Be(1);
        scrape.Metrics.Value("nodehelper_listener_exposed", ("port", "3306"), ("service", "mariadb")).Should().Be(0);
        scrape.Metrics.Value("lnd_up").Should().Be(1);
        scrape.Metrics.Value("lnd_block_height").Should().Be(150, "LND follows the simulated bitcoind");
        // The macaroon NodeHelper holds for LND is among the secret files posture watches.
        scrape.Metrics.Series.Keys.Should().Contain(k => k.StartsWith("nodehelper_secret_file_world_readable{", StringComparison.Ordinal)
            && k.Contains("component=\"lnd\"", StringComparison.Ordinal) && k.Contains(_stack.Lnd.MacaroonFile, StringComparison.Ordinal));
        (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
    }

    /// <summary>What LND's series may be while LND does not answer: its up gauge, and what is read from its files.</summary>
    private static readonly string[] LndFileSeries =
    [
        "lnd_up", "lnd_file_read_success", "lnd_tls_certificate_expiry_timestamp_seconds", "lnd_channel_backup_exists",
        "lnd_channel_backup_last_modified_timestamp_seconds", "lnd_channel_backup_copy_exists",
        "lnd_channel_backup_copy_last_modified_timestamp_seconds", "lnd_channel_backup_copy_matches",
    ];

    [Theory]
    [InlineData(LndFault.MacaroonRejected)]
    [InlineData(LndFault.PermissionDenied)]
    [InlineData(LndFault.Unauthorized)]
    [InlineData(LndFault.Forbidden)]
    [InlineData(LndFault.Http500)]
    [InlineData(LndFault.Garbage)]
    [InlineData(LndFault.TruncatedBody)]
    [InlineData(LndFault.HugeBody)]
    [InlineData(LndFault.NeverAnswers)]
    public async Task AnLndFaultIsLndsAloneAndNoMacaroonByteIsShown(LndFault fault)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Lnd:TimeoutSeconds=60"));
        _stack.Lnd.State.Fault = fault;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "lnd");
        scrape.Metrics.Value("lnd_up").Should().Be(0);
        scrape.Metrics.Names.Where(n => n.StartsWith("lnd_", StringComparison.Ordinal)).Should().BeSubsetOf(LndFileSeries, "nothing LND said is exported");
        scrape.Metrics.Value("lnd_channel_backup_copy_matches").Should().Be(1, "the backup and its copy are files: LND's fault does not touch them");
        scrape.Metrics.Value("bitcoind_up").Should().Be(1);
        var macaroon = await File.ReadAllBytesAsync(_stack.Lnd.MacaroonFile);
        foreach (var shown in new[] { scrape.Body, exporter.Logs.All })
        {
            shown.Should().NotContainEquivalentOf(Convert.ToHexString(macaroon)).And.NotContain(Convert.ToBase64String(macaroon));
        }
    }

    [Fact]
    public async Task ALockedLndWalletIsLndUpAndEveryOtherCollectorAnswers()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Lnd.State.WalletState = LndWalletState.Locked;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        scrape.Metrics.Family("nodehelper_scrape_collector_success").Values.Should().OnlyContain(v => v == 1);
        scrape.Metrics.Value("lnd_up").Should().Be(1);
        scrape.Metrics.Value("lnd_wallet_locked").Should().Be(1);
        scrape.Metrics.Names.Should().NotContain("lnd_block_height");
    }

    [Fact]
    public async Task ADifferentCertificateOnLndsPortIsRefusedAndTheLogSaysSo()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Lnd.ServeOtherCertificate();

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

        AssertAnswered(scrape, "lnd");
        scrape.Metrics.Value("lnd_up").Should().Be(0);
        scrape.Metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "lnd"), ("reason", "tls")).Should().Be(1);
        await Eventually.TrueAsync("the refusal in the log", TimeSpan.FromSeconds(10), () => Task.FromResult(
            exporter.Logs.All.Contains($"not the one pinned in {_stack.Lnd.TlsCertFile} (Lnd:TlsCertFile), so it was refused", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(ElectrumFault.Silent)]
    [InlineData(ElectrumFault.Garbage)]
    [InlineData(ElectrumFault.HugeLine)]
    public async Task AnElectrumFaultIsElectrumsAlone(ElectrumFault fault)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Electrum:TimeoutSeconds=60"));
        _stack.Electrum.State.Fault = fault;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "electrum");
        scrape.Metrics.Value("electrum_up").Should().Be(0);
        scrape.Metrics.Names.Where(n => n.StartsWith("electrum_", StringComparison.Ordinal)).Should().Equal("electrum_up");
        scrape.Metrics.Value("bitcoind_up").Should().Be(1);
    }

    [Fact]
    public async Task AnElectrumServerStillIndexingIsDownWhileBitcoindIsSynced()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        await _stack.Electrum.StopListeningAsync();

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "electrum");
        scrape.Metrics.Value("electrum_up").Should().Be(0);
        scrape.Metrics.Value("bitcoind_initial_block_download").Should().Be(0);
        exporter.Logs.All.Should().Contain("Collector electrum failing: cannot talk to the Electrum server").And.Contain("connection refused");
        scrape.Metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "electrum"), ("reason", "refused")).Should().Be(1);
    }

    [Fact]
    public async Task ABitcoindFaultLeavesElectrumReporting()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Bitcoind:TimeoutSeconds=60"));
        _stack.Bitcoind.State.Fault = BitcoindFault.NeverAnswers;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "bitcoind");
        scrape.Metrics.Value("electrum_tip_height").Should().Be(150);
    }

    [Theory]
    [InlineData(MempoolFault.Http500)]
    [InlineData(MempoolFault.Garbage)]
    [InlineData(MempoolFault.NeverAnswers)]
    public async Task AMempoolBackendFaultIsTheBackendsAlone(MempoolFault fault)
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Mempool:TimeoutSeconds=60"));
        _stack.Mempool.State.Fault = fault;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "mempool");
        scrape.Metrics.Names.Where(n => n.StartsWith("mempool_", StringComparison.Ordinal) && !n.StartsWith("mempool_frontend_", StringComparison.Ordinal))
            .Should().Equal("mempool_up");
        scrape.Metrics.Value("mempool_up").Should().Be(0);
    }

    [Fact]
    public async Task AMempoolBackendNotInSyncIsUpAndSaysSo()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Mempool.State.Synced = false;

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "mempool")).Should().Be(1);
        scrape.Metrics.Value("mempool_up").Should().Be(1);
        scrape.Metrics.Value("mempool_synced").Should().Be(0);
    }

    [Fact]
    public async Task AMissingDataDirectoryIsAnItemErrorAndTheHostCollectorStillSucceeds()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Host:Paths:mariadb=/nonexistent/mysql"));

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "host")).Should().Be(1);
        scrape.Metrics.Value("nodehelper_filesystem_error", ("component", "mariadb"), ("path", "/nonexistent/mysql")).Should().Be(1);
        exporter.Logs.All.Should().Contain("Collector host, path mariadb: ");
    }

    [Fact]
    public async Task AHangingSystemctlIsTheServicesCollectorsAlone()
    {
        var hanging = Path.Join(Path.GetDirectoryName(_stack.Systemctl)!, "hanging-systemctl");
        await File.WriteAllTextAsync(hanging, "#!/bin/sh\nexec sleep 60\n");
        File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings($"--Services:SystemctlPath={hanging}", "--Services:TimeoutSeconds=60"));

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "services");
    }

    [Fact]
    public async Task AStoppedFrontEndIsItsOwnFailure()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        await _stack.Frontend.DisposeAsync();

        var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

        AssertAnswered(scrape, "mempool_frontend");
        scrape.Metrics.Value("mempool_frontend_up").Should().Be(0);
    }
}
