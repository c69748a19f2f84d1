using System.Globalization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Tests.Support;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the services collector with a systemctl that answers as systemd does, fails, or hangs.</summary>
public sealed class ServicesCollectorTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-systemctl-");

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>A stand-in for systemctl: a script that records its arguments and runs the given shell body.</summary>
    private string Systemctl(string body)
    {
        var path = Path.Join(_work.FullName, "systemctl");
        File.WriteAllText(path, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{_work.FullName}/args'\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static ServicesCollector Collector(string systemctl, string? root = null, double timeoutSeconds = 5, IReadOnlyList<string>? units = null) =>
        new(new SystemdClient(
            new ServicesOptions { SystemctlPath = systemctl, TimeoutSeconds = timeoutSeconds, Units = units ?? new ServicesOptions().Units },
            new HostViewOptions { Root = root ?? HostParsersTests.HostRoot }), CancellationToken.None);

    [Fact]
    public async Task UnitsAreReportedAsSystemdSeesThem()
    {
        var systemctl = Systemctl($"cat '{Path.Join(AppContext.BaseDirectory, "Fixtures", "systemd", "show.txt")}'");

        var metrics = await Registries.CollectAsync(Collector(systemctl));

        metrics.Value("nodehelper_systemd_available").Should().Be(1);
        metrics.Value("nodehelper_service_active", ("unit", "bitcoind.service")).Should().Be(1);
        metrics.Value("nodehelper_service_active", ("unit", "electrs.service")).Should().Be(0);
        metrics.Value("nodehelper_service_state", ("state", "activating"), ("unit", "electrs.service")).Should().Be(1);
        metrics.Value("nodehelper_service_state", ("state", "active"), ("unit", "electrs.service")).Should().Be(0);
        metrics.Value("nodehelper_service_restarts_total", ("unit", "electrs.service")).Should().Be(7);
        metrics.Value("nodehelper_service_state", ("state", "failed"), ("unit", "mempool.service")).Should().Be(1);
        metrics.Value("nodehelper_service_state_change_timestamp_seconds", ("unit", "mempool.service")).Should().Be(1795470000);
        metrics.Value("nodehelper_service_loaded", ("unit", "fulcrum.service")).Should().Be(0);
        metrics.Series.Keys.Where(k => k.Contains("fulcrum", StringComparison.Ordinal)).Should().Equal("nodehelper_service_loaded{unit=\"fulcrum.service\"}");
        metrics.Types["nodehelper_service_restarts_total"].Should().Be("counter");
        File.ReadAllLines(Path.Join(_work.FullName, "args")).Should().Equal(
            "show", "--no-pager", "--timestamp=unix", "--property=Id,LoadState,ActiveState,SubState,NRestarts,StateChangeTimestamp", "--",
            "bitcoind.service", "electrs.service", "fulcrum.service", "mempool.service", "mariadb.service", "nginx.service");
    }

    [Fact]
    public async Task AUnitAskedForByAnAliasIsReportedUnderTheNameAsked()
    {
        // bitcoind's packaged unit is often installed as bitcoind.service with Alias=bitcoin.service: systemctl then
        // answers for "bitcoin.service" with Id=bitcoind.service. Matched by Id, the unit read as not installed.
        var systemctl = Systemctl("""
            printf 'Id=bitcoind.service\nLoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=2\nStateChangeTimestamp=@1795400000\n\n'
            printf 'Id=nginx.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\nNRestarts=0\nStateChangeTimestamp=@1795400001\n'
            """);

        var metrics = await Registries.CollectAsync(Collector(systemctl, units: ["bitcoin", "nginx"]));

        metrics.Value("nodehelper_service_loaded", ("unit", "bitcoin.service")).Should().Be(1);
        metrics.Value("nodehelper_service_active", ("unit", "bitcoin.service")).Should().Be(1);
        metrics.Value("nodehelper_service_restarts_total", ("unit", "bitcoin.service")).Should().Be(2);
        metrics.Value("nodehelper_service_active", ("unit", "nginx.service")).Should().Be(0);
    }

    [Fact]
    public async Task AUnitNamedTwiceIsOneSeries()
    {
        // "bitcoind" and "bitcoind.service" are one unit: two series of one label set would make Prometheus drop the scrape.
        var systemctl = Systemctl($"cat '{Path.Join(AppContext.BaseDirectory, "Fixtures", "systemd", "show.txt")}'");

        var metrics = await Registries.CollectAsync(Collector(systemctl, units: ["bitcoind", "bitcoind.service", "electrs"]));

        metrics.Value("nodehelper_service_active", ("unit", "bitcoind.service")).Should().Be(1);
        File.ReadAllLines(Path.Join(_work.FullName, "args")).Should().EndWith(["--", "bitcoind.service", "electrs.service"]);
    }

    [Fact]
    public async Task AHostWithoutSystemdIsAClearStateNotAFailure()
    {
        var noSystemd = Directory.CreateDirectory(Path.Join(_work.FullName, "root")).FullName;

        var metrics = await Registries.CollectAsync(Collector(Systemctl("exit 99"), root: noSystemd));

        metrics.Series.Should().Equal(new Dictionary<string, double> { ["nodehelper_systemd_available"] = 0 });
        File.Exists(Path.Join(_work.FullName, "args")).Should().BeFalse("systemctl is not even asked");
    }

    [Fact]
    public async Task AFailingSystemctlFailsTheCollectorWithItsMessage()
    {
        var act = () => Registries.CollectAsync(Collector(Systemctl("echo 'Failed to connect to bus: No such file or directory' >&2; exit 1")));

        await act.Should().ThrowAsync<UpstreamException>().WithMessage("systemctl show exited with 1: Failed to connect to bus: No such file or directory*");
    }

    [Fact]
    public async Task AHangingSystemctlIsStoppedAtItsTimeout()
    {
        var act = () => Registries.CollectAsync(Collector(Systemctl("exec sleep 60"), timeoutSeconds: 1));

        await act.Should().ThrowAsync<UpstreamException>().WithMessage("systemctl show did not answer within 1 s (Services:TimeoutSeconds) and was killed.");
    }

    [Fact]
    public async Task AMissingSystemctlIsNamed()
    {
        var act = () => Registries.CollectAsync(Collector("/nonexistent/systemctl"));

        await act.Should().ThrowAsync<UpstreamException>().WithMessage("cannot run /nonexistent/systemctl (Services:SystemctlPath)*");
    }
}
