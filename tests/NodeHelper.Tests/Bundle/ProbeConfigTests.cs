using System.Globalization;
using System.Text.Json;
using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// The shipped prometheus/probe.yml, as an operator uses it: Debian's promtool accepts it, and a real Prometheus running
/// its job (only the addresses changed) probes two simulated nodes through the exporter's /probe, each node's series under
/// its own instance with its modules apart, so the rules' joins on (instance, job) pair a node's upstreams with each other.
/// </summary>
public sealed class ProbeConfigTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static string ShippedProbeConfig => Repository.PathOf("prometheus", "probe.yml");

    [Fact]
    public async Task PromtoolAcceptsTheShippedProbeConfig()
    {
        ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus");

        var check = await ExternalProcess.RunAsync("promtool", ["check", "config", ShippedProbeConfig]);

        check.ExitCode.Should().Be(0, check.StandardOutput + check.StandardError);
    }

    [Fact]
    public async Task ARealPrometheusWithTheShippedJobProbesEachNodeUnderItsOwnInstance()
    {
        var credentials = new BitcoindSimulatorOptions { User = "probe", Password = "probe-password" };
        await using var vps = await BitcoindSimulator.StartAsync(credentials);
        await using var pi = await BitcoindSimulator.StartAsync(credentials);
        await using var electrum = await ElectrumSimulator.StartAsync();
        await using var mempool = await MempoolSimulator.StartAsync();
        await using var lnd = await LndSimulator.StartAsync();
        pi.State.Blocks = pi.State.Headers = 140;
        electrum.State.TipHeight = 147;
        var work = Directory.CreateTempSubdirectory("nodehelper-probe-prometheus-");
        try
        {
            var passwordFile = Path.Join(work.FullName, "rpc-password");
            await File.WriteAllTextAsync(passwordFile, "probe-password\n");
            string Local(Uri url) => $"127.0.0.1:{url.Port.ToString(CultureInfo.InvariantCulture)}";
            await using var exporter = await ExporterUnderTest.StartAsync(
                "--Bitcoind:Enabled=false", "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
                "--Probe:Modules:bitcoind:User=probe", $"--Probe:Modules:bitcoind:PasswordFile={passwordFile}",
                $"--Probe:Modules:bitcoind:Targets={Local(vps.Url)},{Local(pi.Url)}",
                $"--Probe:Modules:electrum:Targets=127.0.0.1:{electrum.Port}",
                $"--Probe:Modules:mempool:Targets={Local(mempool.Url)}",
                "--Probe:Modules:lnd_vps:Prober=lnd", $"--Probe:Modules:lnd_vps:Targets={Local(lnd.Url)}",
                $"--Probe:Modules:lnd_vps:MacaroonFile={lnd.MacaroonFile}", $"--Probe:Modules:lnd_vps:TlsCertFile={lnd.TlsCertFile}");

            // Only addresses change, each a line that must be in the shipped file.
            var config = await File.ReadAllTextAsync(ShippedProbeConfig);
            config = BundleCopy.Replace(config, "[\"10.0.0.2:8332\"]", $"[\"{Local(vps.Url)}\"]");
            config = BundleCopy.Replace(config, "[\"10.0.0.2:50001\"]", $"[\"127.0.0.1:{electrum.Port}\"]");
            config = BundleCopy.Replace(config, "[\"10.0.0.2:8999\"]", $"[\"{Local(mempool.Url)}\"]");
            config = BundleCopy.Replace(config, "[\"10.0.0.2:8080\"]", $"[\"{Local(lnd.Url)}\"]");
            config = BundleCopy.Replace(config, "[\"192.168.1.20:8332\"]", $"[\"{Local(pi.Url)}\"]");
            config = BundleCopy.Replace(config, "replacement: 127.0.0.1:9338", $"replacement: {exporter.BaseUrl.Authority}");
            config = BundleCopy.Replace(config, "scrape_interval: 30s", "scrape_interval: 1s");
            config = BundleCopy.Replace(config, "scrape_timeout: 10s", "scrape_timeout: 1s");
            // With the shipped rules, to see that they evaluate over probed nodes without an error (a join matching many
            // to many fails a rule for every node).
            config = "global:\n  evaluation_interval: 1s\nrule_files: [\"rules/*.yml\"]\n" + config;
            await File.WriteAllTextAsync(Path.Join(work.FullName, "prometheus.yml"), config);
            Directory.CreateDirectory(Path.Join(work.FullName, "consoles"));
            var rules = Directory.CreateDirectory(Path.Join(work.FullName, "rules")).FullName;
            foreach (var file in AlertingBundle.RuleFiles)
            {
                File.Copy(file, Path.Join(rules, Path.GetFileName(file)));
            }

            await using var prometheus = await RealServers.StartPrometheusAsync(work.FullName);

            await Eventually.TrueAsync("Prometheus has probed all five targets successfully", TimeSpan.FromSeconds(60),
                async () => (await QueryAsync(prometheus, "probe_success{job=\"nodehelper_probe\"} == 1")).Count == 5);

            var blocks = await QueryAsync(prometheus, "bitcoind_blocks");
            blocks.Select(s => (s.Labels["instance"], s.Labels["node"], s.Labels["module"], s.Value)).Should().BeEquivalentTo(
                [("vps", "vps", "bitcoind", 150.0), ("pi", "pi", "bitcoind", 140.0)]);
            // The shipped rules pair a node's upstreams on (instance, job): across modules of one node, never across nodes.
            var electrumBehind = await QueryAsync(prometheus, "bitcoind_blocks - on (instance, job) electrum_tip_height");
            electrumBehind.Select(s => (s.Labels["instance"], s.Value)).Should().Equal(("vps", 3.0));
            var lndUp = await QueryAsync(prometheus, "lnd_up");
            lndUp.Select(s => (s.Labels["instance"], s.Labels["module"], s.Value)).Should().Equal(("vps", "lnd_vps", 1.0));
            (await QueryAsync(prometheus, "mempool_up{instance=\"vps\"}")).Should().ContainSingle().Which.Value.Should().Be(1);

            // Every shipped rule has been evaluated over these series, and none failed.
            var health = new List<(string Rule, string Health, string Error)>();
            await Eventually.TrueAsync("every shipped rule has been evaluated", TimeSpan.FromSeconds(30), async () =>
            {
                using var answer = JsonDocument.Parse(await Http.GetStringAsync(new Uri(prometheus.Url, "api/v1/rules")));
                health = [.. answer.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                    .SelectMany(g => g.GetProperty("rules").EnumerateArray())
                    .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("health").GetString()!, r.TryGetProperty("lastError", out var e) ? e.GetString() ?? "" : ""))];
                return health.Count > 0 && health.All(r => r.Health != "unknown");
            });
            health.Where(r => r.Health != "ok").Should().BeEmpty();
        }
        finally
        {
            // Prometheus's server process removes its directory when it stops; this is for a start that failed.
            if (Directory.Exists(work.FullName))
            {
                work.Delete(recursive: true);
            }
        }
    }

    /// <summary>An instant query, read by the report's own client of Prometheus's API.</summary>
    private static Task<IReadOnlyList<PromSeries>> QueryAsync(ServerProcess prometheus, string query) =>
        new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
}
