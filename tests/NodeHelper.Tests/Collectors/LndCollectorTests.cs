using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Tests.Support;
using SimulatedHtlc = NodeHelper.Simulators.Lnd.LndHtlc;
using SimulatedPendingHtlc = NodeHelper.Simulators.Lnd.LndPendingHtlc;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the LND collector against the simulated LND, exact values from the captures, each state and fault.</summary>
public sealed class LndCollectorTests : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-lnd-");
    private LndSimulator _lnd = null!;

    public async Task InitializeAsync() => _lnd = await LndSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        await _lnd.DisposeAsync();
        _work.Delete(recursive: true);
    }

    private string Backup => Path.Join(_work.FullName, "channel.backup");

    private string Copy => Path.Join(_work.FullName, "usb-channel.backup");

    private LndCollector Collector(double timeoutSeconds = 5, bool perChannel = false, bool withCopy = true)
    {
        var options = new LndOptions
        {
            Enabled = true,
            Url = _lnd.Url,
            MacaroonFile = _lnd.MacaroonFile,
            TlsCertFile = _lnd.TlsCertFile,
            TimeoutSeconds = timeoutSeconds,
            ChannelBackupFile = Backup,
            ChannelBackupCopy = withCopy ? Copy : null,
            PerChannel = perChannel,
        };
        var client = new LndRestClient(options.Url, options.MacaroonFile, options.TlsCertFile, TimeSpan.FromSeconds(timeoutSeconds));
        return new LndCollector(new LndSnapshotSource(client, timeoutSeconds, TimeProvider.System), new LndLocalFiles(options), perChannel,
            new ItemLog(NullLogger.Instance, "lnd"), CancellationToken.None);
    }

    [Fact]
    public async Task TheCapturedNodeGivesExactValues()
    {
        File.WriteAllBytes(Backup, [1, 2, 3]);
        File.WriteAllBytes(Copy, [1, 2, 3]);
        var collector = Collector();

        var metrics = await Registries.ScrapeAsync(collector);

        metrics.Value("lnd_up").Should().Be(1);
        metrics.Value("lnd_wallet_locked").Should().Be(0);
        metrics.Value("lnd_wallet_state", ("state", "SERVER_ACTIVE")).Should().Be(1);
        metrics.Family("lnd_wallet_state").Values.Sum().Should().Be(1, "exactly one state is current");
        metrics.Family("lnd_wallet_state").Should().HaveCount(LndCollector.WalletStates.Length);
        metrics.Value("lnd_build_info", ("commit", "bd0c46b4fcb027af1915bd67a3da70e8ca5c6efe"), ("version", "0.14.3-beta")).Should().Be(1);
        metrics.Value("lnd_synced_to_chain").Should().Be(1);
        metrics.Value("lnd_synced_to_graph").Should().Be(1);
        metrics.Value("lnd_block_height").Should().Be(750112);
        metrics.Value("lnd_best_header_timestamp_seconds").Should().Be(1660904009);
        metrics.Value("lnd_peers").Should().Be(241);
        metrics.Family("lnd_channels").Should().Equal(new Dictionary<string, double>
        {
            ["lnd_channels{state=\"active\"}"] = 3,
            ["lnd_channels{state=\"inactive\"}"] = 0,
            ["lnd_channels{state=\"pending_open\"}"] = 0,
            ["lnd_channels{state=\"pending_close\"}"] = 0,
            ["lnd_channels{state=\"force_closing\"}"] = 0,
            ["lnd_channels{state=\"waiting_close\"}"] = 0,
        });

        // channels.json: local 7331 + 17325 + 47325, remote 1337.
        metrics.Value("lnd_channel_balance_sat", ("balance", "local")).Should().Be(71981);
        metrics.Value("lnd_channel_balance_sat", ("balance", "remote")).Should().Be(1337);
        metrics.Value("lnd_channel_balance_sat", ("balance", "unsettled_local")).Should().Be(0);
        metrics.Value("lnd_wallet_balance_sat", ("balance", "confirmed")).Should().Be(250_000);
        metrics.Value("lnd_wallet_balance_sat", ("balance", "unconfirmed")).Should().Be(0);
        metrics.Value("lnd_wallet_anchor_reserve_sat").Should().Be(30_000);
        metrics.Value("lnd_limbo_balance_sat").Should().Be(0);
        metrics.Names.Should().NotContain(["lnd_force_close_maturity_blocks", "lnd_htlc_expiry_blocks"], "nothing is closing and no HTLC is in flight");
        metrics.Value("lnd_pending_htlcs").Should().Be(0);
        metrics.Value("lnd_routing_fees_sat", ("period", "day")).Should().Be(12);
        metrics.Value("lnd_routing_fees_sat", ("period", "week")).Should().Be(95);
        metrics.Value("lnd_routing_fees_sat", ("period", "month")).Should().Be(410);
        metrics.Family("lnd_endpoint_success").Should().HaveCountGreaterThanOrEqualTo(6, "six calls, and the graph's once it was read").And.OnlyContain(s => s.Value == 1);
        metrics.Names.Should().NotContain("lnd_channel_active", "per-channel series are off by default");

        metrics.Value("lnd_tls_certificate_expiry_timestamp_seconds").Should().BeApproximately(_lnd.ServedCertificate.NotAfter.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds, 1);
        metrics.Value("lnd_channel_backup_exists").Should().Be(1);
        metrics.Value("lnd_channel_backup_copy_exists").Should().Be(1);
        metrics.Value("lnd_channel_backup_copy_matches").Should().Be(1);
        metrics.Value("lnd_channel_backup_last_modified_timestamp_seconds").Should().BeApproximately(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
        metrics.Family("lnd_file_read_success").Should().HaveCount(3).And.OnlyContain(s => s.Value == 1);

        // The graph is read in the background: there from a later scrape on.
        await Eventually.TrueAsync("the graph's background reading", TimeSpan.FromSeconds(20),
            async () => (await Registries.ScrapeAsync(collector)).Names.Contains("lnd_graph_nodes"));
        var later = await Registries.ScrapeAsync(collector);
        later.Value("lnd_graph_nodes").Should().Be(16_342);
        later.Value("lnd_graph_channels").Should().Be(71_118);
        later.Value("lnd_graph_capacity_sat").Should().Be(524_431_903_155);
        later.Value("lnd_endpoint_success", ("endpoint", "/v1/graph/info")).Should().Be(1);
    }

    [Fact]
    public async Task ALockedWalletIsLndUpWithTheWalletLocked()
    {
        _lnd.State.WalletState = LndWalletState.Locked;

        var metrics = await Registries.ScrapeAsync(Collector());

        metrics.Value("lnd_up").Should().Be(1, "LND answers: it is the wallet that is locked");
        metrics.Value("lnd_wallet_locked").Should().Be(1);
        metrics.Value("lnd_wallet_state", ("state", "LOCKED")).Should().Be(1);
        metrics.Value("lnd_wallet_state", ("state", "SERVER_ACTIVE")).Should().Be(0);
        metrics.Names.Should().NotContain(["lnd_build_info", "lnd_block_height", "lnd_channels", "lnd_synced_to_chain"], "nothing else answers while locked");
        metrics.Value("lnd_tls_certificate_expiry_timestamp_seconds").Should().BeGreaterThan(0, "read from the file, not asked of LND");
    }

    [Fact]
    public async Task SyncingChannelsGoingInactiveAForceCloseAndHtlcsShow()
    {
        _lnd.State.SyncedToChain = false;
        _lnd.State.SyncedToGraph = false;
        _lnd.State.SetChannelActive("811207584397066241", active: false);
        _lnd.State.AddForceClose(new LndForceClose("aa:0", "02b6", 100_000, 60_000, LndState.CapturedBlockHeight + 144,
            [new SimulatedPendingHtlc(Incoming: false, 5_000, "bb:1", LndState.CapturedBlockHeight + 40)]));
        _lnd.State.AddWaitingClose("cc:0", 20_000, 15_000);
        _lnd.State.AddPendingOpen("dd:0", 30_000);
        _lnd.State.AddHtlc(new SimulatedHtlc("821261518687043586", Incoming: true, 2_000, LndState.CapturedBlockHeight + 18));
        _lnd.State.AddHtlc(new SimulatedHtlc("821261518687043586", Incoming: false, 3_000, LndState.CapturedBlockHeight + 80));

        var metrics = await Registries.ScrapeAsync(Collector(perChannel: true));

        metrics.Value("lnd_synced_to_chain").Should().Be(0);
        metrics.Value("lnd_synced_to_graph").Should().Be(0);
        metrics.Value("lnd_channels", ("state", "active")).Should().Be(2);
        metrics.Value("lnd_channels", ("state", "inactive")).Should().Be(1);
        metrics.Value("lnd_channels", ("state", "force_closing")).Should().Be(1);
        metrics.Value("lnd_channels", ("state", "waiting_close")).Should().Be(1);
        metrics.Value("lnd_channels", ("state", "pending_open")).Should().Be(1);
        metrics.Value("lnd_limbo_balance_sat").Should().Be(60_000 + 5_000 + 15_000);
        metrics.Value("lnd_force_close_maturity_blocks").Should().Be(40, "its HTLC matures before its commitment output");
        metrics.Value("lnd_pending_htlcs").Should().Be(2);
        metrics.Value("lnd_htlc_expiry_blocks").Should().Be(18);
        metrics.Value("lnd_channel_balance_sat", ("balance", "unsettled_local")).Should().Be(3_000);
        metrics.Value("lnd_channel_balance_sat", ("balance", "unsettled_remote")).Should().Be(2_000);
        metrics.Value("lnd_channel_balance_sat", ("balance", "pending_open_local")).Should().Be(30_000);

        metrics.Value("lnd_channel_active", ("chan_id", "811207584397066241")).Should().Be(0);
        metrics.Value("lnd_channel_active", ("chan_id", "821261518687043586")).Should().Be(1);
        metrics.Value("lnd_channel_capacity_sat", ("chan_id", "1337")).Should().Be(50_000);
        metrics.Value("lnd_channel_local_balance_sat", ("chan_id", "811207584397066241")).Should().Be(17_325);
        metrics.Value("lnd_channel_pending_htlcs", ("chan_id", "821261518687043586")).Should().Be(2);
        metrics.Series.Keys.Should().NotContain(k => k.Contains("remote_pubkey") || k.Contains("alias") || k.Contains("02b67e55"), "never a peer label");
    }

    [Theory]
    [InlineData(LndFault.MacaroonRejected, "unauthorized")]
    [InlineData(LndFault.PermissionDenied, "forbidden")]
    [InlineData(LndFault.Unauthorized, "unauthorized")]
    [InlineData(LndFault.Forbidden, "forbidden")]
    [InlineData(LndFault.Http500, "upstream_error")]
    [InlineData(LndFault.Garbage, "invalid_response")]
    [InlineData(LndFault.TruncatedBody, "connection_lost")]
    [InlineData(LndFault.HugeBody, "too_large")]
    [InlineData(LndFault.NeverAnswers, "timeout")]
    public async Task EachFaultIsLndUpZeroWithOnlyTheFilesSeries(LndFault fault, string reason)
    {
        File.WriteAllBytes(Backup, [1, 2, 3]);
        _lnd.State.Fault = fault;

        var metrics = await Registries.ScrapeAsync(Collector(timeoutSeconds: 2));

        metrics.Value("lnd_up").Should().Be(0);
        metrics.Value("nodehelper_scrape_collector_success", ("collector", "lnd")).Should().Be(0);
        metrics.Value("nodehelper_scrape_collector_failure_reason", ("collector", "lnd"), ("reason", reason)).Should().Be(1);
        metrics.Names.Where(n => n.StartsWith("lnd_", StringComparison.Ordinal)).Should().BeEquivalentTo(
            ["lnd_up", "lnd_file_read_success", "lnd_tls_certificate_expiry_timestamp_seconds", "lnd_channel_backup_exists",
                "lnd_channel_backup_last_modified_timestamp_seconds", "lnd_channel_backup_copy_exists", "lnd_channel_backup_copy_matches"],
            "nothing LND said is exported, while its files still are");
        metrics.Value("lnd_channel_backup_copy_matches").Should().Be(0, "the copy is missing");
    }

    [Fact]
    public async Task ACopyThatDivergesShowsOnTheNextScrapeAndAMissingCopyIsNotAMatch()
    {
        File.WriteAllBytes(Backup, [1, 2, 3, 4]);
        var collector = Collector();

        (await Registries.ScrapeAsync(collector)).Value("lnd_channel_backup_copy_matches").Should().Be(0, "there is no copy yet");
        File.WriteAllBytes(Copy, [1, 2, 3, 4]);
        (await Registries.ScrapeAsync(collector)).Value("lnd_channel_backup_copy_matches").Should().Be(1);
        File.WriteAllBytes(Backup, [1, 2, 3, 5]); // a channel opened: same size, other bytes
        (await Registries.ScrapeAsync(collector)).Value("lnd_channel_backup_copy_matches").Should().Be(0);
    }

    [Fact]
    public async Task OneSlowCallFailsAloneAndLndIsStillUp()
    {
        _lnd.State.PathLatency["/v1/fees"] = TimeSpan.FromMinutes(10);

        var metrics = await Registries.ScrapeAsync(Collector(timeoutSeconds: 2));

        metrics.Value("lnd_up").Should().Be(1, "getinfo answered: a routing node's slow fee report is that call's problem");
        metrics.Value("lnd_endpoint_success", ("endpoint", "/v1/fees")).Should().Be(0);
        metrics.Value("lnd_endpoint_success", ("endpoint", "/v1/channels")).Should().Be(1);
        metrics.Names.Should().NotContain("lnd_routing_fees_sat").And.Contain("lnd_channels");
    }

    [Fact]
    public async Task AFileThatHangsOnReadFailsItsItemsAndTheScrapeDoesNotWait()
    {
        // A FIFO with no writer: opening it blocks, as a file on a hung network mount does.
        var fifo = Path.Join(_work.FullName, "tls.cert");
        (await ExternalProcess.RunAsync("mkfifo", [fifo])).ExitCode.Should().Be(0);
        var options = new LndOptions { TlsCertFile = fifo, ChannelBackupFile = Backup };
        var client = new LndRestClient(_lnd.Url, _lnd.MacaroonFile, _lnd.TlsCertFile, TimeSpan.FromSeconds(5));
        var collector = new LndCollector(new LndSnapshotSource(client, 5, TimeProvider.System), new LndLocalFiles(options), perChannel: false,
            new ItemLog(NullLogger.Instance, "lnd"), CancellationToken.None);
        try
        {
            var metrics = await Registries.ScrapeAsync(collector, deadlineSeconds: 20);

            metrics.Value("nodehelper_scrape_collector_success", ("collector", "lnd")).Should().Be(1);
            metrics.Value("lnd_up").Should().Be(1);
            metrics.Value("lnd_file_read_success", ("file", "tls.cert")).Should().Be(0);
            metrics.Value("lnd_file_read_success", ("file", "channel.backup")).Should().Be(0, "the whole reading is stuck behind it: nothing it would say is known");
            metrics.Names.Should().NotContain("lnd_tls_certificate_expiry_timestamp_seconds");
        }
        finally
        {
            // A writer that opens and closes: the stuck read ends (EOF).
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }
        }
    }

    [Fact]
    public async Task AnExpiredPinnedCertificateIsSaidToHaveExpired()
    {
        await using var expired = await LndSimulator.StartAsync(new LndSimulatorOptions { CertificateNotAfter = DateTimeOffset.UtcNow.AddDays(-3) });
        using var client = new LndRestClient(expired.Url, expired.MacaroonFile, expired.TlsCertFile, TimeSpan.FromSeconds(5));

        var refused = await FluentActions.Awaiting(() => client.GetAsync("v1/getinfo", withMacaroon: true, CancellationToken.None))
            .Should().ThrowAsync<NodeHelper.Core.Upstreams.UpstreamException>();

        refused.Which.Message.Should().Contain($"LND's certificate, the one pinned in {expired.TlsCertFile} (Lnd:TlsCertFile), expired on").And.Contain("restart LND");
    }

    [Fact]
    public async Task AnUnreadableCertificateFileFailsOnlyItsItem()
    {
        File.WriteAllText(_lnd.TlsCertFile + ".broken", "not a certificate");
        var options = new LndOptions { TlsCertFile = _lnd.TlsCertFile + ".broken", ChannelBackupFile = Backup };

        var read = new LndLocalFiles(options).Read(CancellationToken.None);

        read.CertificateNotAfter.Should().BeNull();
        read.Problems["tls.cert"].Should().Contain("no PEM certificate");
        read.Problems["channel.backup"].Should().BeNull();
        read.BackupRead.Should().BeTrue();
        read.Backup.Should().BeNull("it does not exist");
    }
}
