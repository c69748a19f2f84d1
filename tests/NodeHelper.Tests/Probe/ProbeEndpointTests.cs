using System.Globalization;
using System.Net;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Probe;

/// <summary>
/// /probe as Prometheus uses it (blackbox_exporter's pattern): each module against its simulator, over real sockets,
/// with the exporter's own collectors off, so every series in an answer came from the probed target.
/// </summary>
public sealed class ProbeEndpointTests : IAsyncLifetime
{
    private const string RpcUser = "probe";
    private const string RpcPassword = "s3cret-rpc-password";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-probe-");
    private BitcoindSimulator _home = null!;
    private BitcoindSimulator _vps = null!;
    private BitcoindSimulator _stranger = null!;
    private ElectrumSimulator _electrum = null!;
    private MempoolSimulator _mempool = null!;
    private LndSimulator _lnd = null!;
    private ExporterUnderTest _exporter = null!;

    private static string Target(Uri url) => $"127.0.0.1:{url.Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task InitializeAsync()
    {
        var options = new BitcoindSimulatorOptions { User = RpcUser, Password = RpcPassword };
        _home = await BitcoindSimulator.StartAsync(options);
        _vps = await BitcoindSimulator.StartAsync(options);
        _stranger = await BitcoindSimulator.StartAsync(options);
        _home.State.Blocks = _home.State.Headers = 150;
        _vps.State.Blocks = _vps.State.Headers = 149;
        _electrum = await ElectrumSimulator.StartAsync();
        _mempool = await MempoolSimulator.StartAsync();
        _lnd = await LndSimulator.StartAsync();
        var passwordFile = Path.Join(_work.FullName, "rpc-password");
        await File.WriteAllTextAsync(passwordFile, RpcPassword + "\n");

        _exporter = await ExporterUnderTest.StartAsync(
            "--Bitcoind:Enabled=false", "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
            "--Probe:Modules:bitcoind:User=" + RpcUser,
            // Short, so the test of a timeout in the module's own words waits two seconds, not eight.
            "--Probe:Modules:bitcoind:TimeoutSeconds=2",
            "--Probe:Modules:bitcoind:PasswordFile=" + passwordFile,
            $"--Probe:Modules:bitcoind:Targets={Target(_home.Url)},{Target(_vps.Url)}",
            $"--Probe:Modules:electrum:Targets=127.0.0.1:{_electrum.Port}",
            $"--Probe:Modules:mempool:Targets={Target(_mempool.Url)}",
            $"--Probe:Modules:lnd_home:Prober=lnd",
            $"--Probe:Modules:lnd_home:Targets={Target(_lnd.Url)}",
            $"--Probe:Modules:lnd_home:MacaroonFile={_lnd.MacaroonFile}",
            $"--Probe:Modules:lnd_home:TlsCertFile={_lnd.TlsCertFile}");
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        foreach (var simulator in new IAsyncDisposable[] { _home, _vps, _stranger, _electrum, _mempool, _lnd })
        {
            await simulator.DisposeAsync();
        }

        _work.Delete(recursive: true);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string query, double? prometheusTimeout = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "probe?" + query);
        if (prometheusTimeout is { } timeout)
        {
            request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", timeout.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await _exporter.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<Exposition> ProbeAsync(string module, string target, double? prometheusTimeout = null)
    {
        var (status, body) = await GetAsync($"module={module}&target={Uri.EscapeDataString(target)}", prometheusTimeout);
        status.Should().Be(HttpStatusCode.OK, body);
        return Exposition.Parse(body);
    }

    [Fact]
    public async Task ABitcoindProbeAnswersWithTheTargetsSeriesAndBlackboxsTwo()
    {
        var probe = await ProbeAsync("bitcoind", Target(_home.Url));

        probe.Value("probe_success").Should().Be(1);
        probe.Value("probe_duration_seconds").Should().BeGreaterThan(0);
        probe.Value("nodehelper_scrape_collector_success", ("collector", "bitcoind")).Should().Be(1);
        probe.Value("bitcoind_up").Should().Be(1);
        probe.Value("bitcoind_blocks").Should().Be(150);
        probe.Value("bitcoind_peers_by_connection_type", ("connection_type", "inbound")).Should().Be(1);
        // The target's series only: not this exporter's own, nor another collector's.
        probe.Names.Should().NotContain(name => name.StartsWith("process_", StringComparison.Ordinal) || name.StartsWith("nodehelper_exporter", StringComparison.Ordinal)
            || name.StartsWith("nodehelper_host", StringComparison.Ordinal) || name.StartsWith("electrum_", StringComparison.Ordinal));
        _home.RequestBodies.Should().NotBeEmpty();
    }

    [Fact]
    public async Task EachProbeIsAFreshOutputOfItsOwnTarget()
    {
        var home = await ProbeAsync("bitcoind", Target(_home.Url));
        var vps = await ProbeAsync("bitcoind", Target(_vps.Url));
        await _vps.DisposeAsync();
        var vpsDown = await ProbeAsync("bitcoind", Target(_vps.Url));
        var homeAgain = await ProbeAsync("bitcoind", Target(_home.Url));

        home.Value("bitcoind_blocks").Should().Be(150);
        vps.Value("bitcoind_blocks").Should().Be(149);
        vpsDown.Value("probe_success").Should().Be(0);
        vpsDown.Value("bitcoind_up").Should().Be(0);
        vpsDown.Value("nodehelper_scrape_collector_failure_reason", ("collector", "bitcoind"), ("reason", "refused")).Should().Be(1);
        vpsDown.Has("bitcoind_blocks").Should().BeFalse("a target that did not answer has no figures, not the last ones nor another target's");
        homeAgain.Value("probe_success").Should().Be(1, "one target down leaves the others' probes alone");
    }

    [Fact]
    public async Task ElectrumMempoolAndLndProbesReadTheirSimulators()
    {
        var electrum = await ProbeAsync("electrum", $"127.0.0.1:{_electrum.Port}");
        var mempool = await ProbeAsync("mempool", Target(_mempool.Url));
        var lnd = await ProbeAsync("lnd_home", Target(_lnd.Url));

        electrum.Value("probe_success").Should().Be(1);
        electrum.Value("electrum_up").Should().Be(1);
        electrum.Value("electrum_tip_height").Should().Be(150);
        mempool.Value("probe_success").Should().Be(1);
        mempool.Value("mempool_up").Should().Be(1);
        mempool.Value("mempool_tip_height").Should().Be(150);
        lnd.Value("probe_success").Should().Be(1);
        lnd.Value("lnd_up").Should().Be(1);
        lnd.Value("lnd_wallet_state", ("state", "SERVER_ACTIVE")).Should().Be(1);
        lnd.Has("lnd_tls_certificate_expiry_timestamp_seconds").Should().BeTrue("the pinned certificate is the module's file, read here");
        lnd.Names.Should().NotContain(name => name.StartsWith("lnd_channel_backup", StringComparison.Ordinal),
            "a probed LND's channel.backup is on its own machine: nothing here may claim to have looked at it");
        lnd.Has("lnd_file_read_success", ("file", "channel.backup")).Should().BeFalse();
    }

    [Fact]
    public async Task ATargetOutsideTheModulesListIsForbiddenAndNeverRead()
    {
        var (status, body) = await GetAsync($"module=bitcoind&target={Target(_stranger.Url)}");
        var (otherModule, _) = await GetAsync($"module=electrum&target={Target(_home.Url)}");

        status.Should().Be(HttpStatusCode.Forbidden);
        body.Should().Contain("Probe:Modules:bitcoind:Targets");
        otherModule.Should().Be(HttpStatusCode.Forbidden, "a target is allowed for its own module only");
        _stranger.RequestCount.Should().Be(0);
        _home.RequestCount.Should().Be(0);
    }

    [Theory]
    [InlineData("password=hunter2")]
    [InlineData("user=probe&password=hunter2")]
    [InlineData("macaroon=0201036c6e64")]
    public async Task ACredentialOrAnyOtherParameterInTheQueryIsRefused(string extra)
    {
        var (status, body) = await GetAsync($"module=bitcoind&target={Target(_home.Url)}&{extra}");

        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("credentials come from the module's settings");
        body.Should().NotContain("hunter2").And.NotContain("0201036c6e64");
        _home.RequestCount.Should().Be(0);
        // ASP.NET Core's request lines (the whole URL) are at Information, below the Warning the exporter logs that
        // category at; this test's log capture takes every level, so they are left out here.
        _exporter.Logs.Lines.Where(line => !line.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal))
            .Should().NotContain(line => line.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATargetCarryingAUserAndPasswordIsRefusedWithoutRepeatingThem()
    {
        var (status, body) = await GetAsync($"module=bitcoind&target={Uri.EscapeDataString($"probe:hunter2@{Target(_home.Url)}")}");

        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().NotContain("hunter2");
        _home.RequestCount.Should().Be(0);
    }

    [Theory]
    [InlineData("target=127.0.0.1:1", "needs module")]
    [InlineData("module=snmp&target=127.0.0.1:1", "unknown")]
    [InlineData("module=bitcoind", "target is empty")]
    [InlineData("module=bitcoind&target=127.0.0.1", "no port")]
    [InlineData("module=bitcoind&module=electrum&target=127.0.0.1:1", "takes one module")]
    public async Task AMalformedRequestIsABadRequestSayingWhat(string query, string says)
    {
        var (status, body) = await GetAsync(query);

        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain(says);
    }

    [Fact]
    public async Task AProbeKeepsPrometheussDeadlineAndAHungTargetFailsAlone()
    {
        _home.State.Fault = BitcoindFault.NeverAnswers;

        // All at once: the hung target's probe, a healthy target's, and this exporter's own scrape.
        var hung = ProbeAsync("bitcoind", Target(_home.Url), prometheusTimeout: 1.5);
        var vps = ProbeAsync("bitcoind", Target(_vps.Url), prometheusTimeout: 1.5);
        var local = _exporter.ScrapeAsync(prometheusTimeoutSeconds: 1.5);
        await Task.WhenAll(hung, vps, local);

        (await hung).Value("probe_success").Should().Be(0);
        (await hung).Value("nodehelper_scrape_collector_failure_reason", ("collector", "bitcoind"), ("reason", "timeout")).Should().Be(1);
        // Ended by Prometheus's deadline (1.5 s less the offset), before the module's own 2 s timeout: in its words.
        _exporter.Logs.Lines.Should().Contain(l => l.Contains("probe of", StringComparison.Ordinal) && l.Contains("scrape deadline", StringComparison.Ordinal));
        (await vps).Value("probe_success").Should().Be(1);
        (await local).Status.Should().Be(200);
    }

    [Fact]
    public async Task AFailedProbesLogNamesTheModulesSettingNotThisNodesOwn()
    {
        _home.State.Fault = BitcoindFault.NeverAnswers;
        await ProbeAsync("bitcoind", Target(_home.Url), prometheusTimeout: 30);

        var failing = _exporter.Logs.Lines.Where(l => l.Contains("probe of", StringComparison.Ordinal) && l.Contains("failing", StringComparison.Ordinal)).ToList();
        failing.Should().ContainSingle().Which.Should().Contain("Probe:Modules:bitcoind:TimeoutSeconds").And.NotContain("Bitcoind:TimeoutSeconds");
    }
}
