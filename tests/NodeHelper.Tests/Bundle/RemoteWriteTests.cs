using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// Long-term storage with the shipped prometheus.yml: its commented remote_write block (and external_labels line)
/// uncommented as a user would, textually, and pointed at Debian's VictoriaMetrics on loopback; a real Prometheus
/// scrapes the exporter over the bitcoind simulator and evaluates the shipped rules, and the series are read back
/// from VictoriaMetrics' own PromQL API. VictoriaMetrics runs with <c>-search.latencyOffset=0</c>
/// (<see cref="RealServers.StartVictoriaMetricsAsync"/>): by default it answers an instant query as of 30 seconds
/// ago, and a sample Prometheus has just sent would be invisible for that long.
/// </summary>
public sealed class RemoteWriteTests(RealVictoriaMetrics victoria, ITestOutputHelper output) : IClassFixture<RealVictoriaMetrics>
{
    private const string RemoteWriteHeader = "# remote_write:";
    private const string ExternalLabelsLine = "# external_labels: { site: home }";
    private const string WriteRelabelHeader = "# write_relabel_configs:";

    /// <summary>A scrape every 2 s, batches sent within 5 s (the shipped batch_send_deadline), then stored: well within this.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task PromtoolAcceptsTheConfigurationWithEveryOptionalBlockUncommented()
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-remote-write-check-").FullName;
        try
        {
            BundleCopy.Prometheus(Repository.Root, directory, "127.0.0.1:9338", 9093, editConfig: config =>
                CommentedYaml.Uncomment(CommentedYaml.Uncomment(Uncommented(config), WriteRelabelHeader), "# basic_auth:"));
            var config = await File.ReadAllTextAsync(Path.Join(directory, "prometheus.yml"));
            config.Should().Contain("\nremote_write:\n").And.Contain("\n    basic_auth:\n").And.Contain("\n    write_relabel_configs:\n")
                .And.Contain("\n  external_labels: { site: home }\n");

            var result = await ExternalProcess.RunAsync(
                ExternalProcess.Require("promtool", "run `make test-deps`, which installs Debian's prometheus package"),
                ["check", "config", Path.Join(directory, "prometheus.yml")]);

            result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheShippedRemoteWriteBlockSendsTheScrapedAndRecordedSeriesToVictoriaMetrics()
    {
        const string Site = "remote-write-all";
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        await using var exporter = await StartExporterAsync(bitcoind);
        var instance = exporter.BaseUrl.Authority;
        await using var prometheus = await RealServers.StartPrometheusAsync(PrometheusCopy(instance, Site, config => config));

        await WithOutputOnFailureAsync(prometheus, async () =>
        {
            await Eventually.TrueAsync("bitcoind_blocks arrives in VictoriaMetrics", Within, async () =>
                (await victoria.QueryAsync($"bitcoind_blocks{{site=\"{Site}\"}}")).Count > 0);
            var blocks = (await victoria.QueryAsync($"bitcoind_blocks{{site=\"{Site}\"}}")).Should().ContainSingle().Subject;
            blocks.Value.Should().Be(bitcoind.State.Blocks, "the height the simulated bitcoind reports");
            blocks.Labels.Should().BeEquivalentTo(new Dictionary<string, string>
            {
                ["__name__"] = "bitcoind_blocks", ["job"] = "nodehelper", ["instance"] = instance, ["site"] = Site,
            }, "the series keeps its job and instance, and carries the external label of the Prometheus that sent it");

            // A recording rule's output is written to Prometheus's storage like a scrape, so it is sent too.
            await Eventually.TrueAsync("the recorded block age arrives", Within, async () =>
                (await victoria.QueryAsync($"instance:bitcoind_best_block_timestamp_seconds:age{{site=\"{Site}\"}}")).Count > 0);
            var age = (await victoria.QueryAsync($"instance:bitcoind_best_block_timestamp_seconds:age{{site=\"{Site}\",job=\"nodehelper\",instance=\"{instance}\"}}"))
                .Should().ContainSingle().Subject;
            age.Value.Should().BeInRange(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - bitcoind.State.BestBlockTime,
                "the rule's time() - bitcoind_best_block_timestamp_seconds, evaluated in the past seconds");

            var names = (await victoria.SeriesAsync($"{{site=\"{Site}\",job=\"nodehelper\"}}")).Select(s => s["__name__"]).ToHashSet();
            names.Should().Contain(["up", "bitcoind_up", "bitcoind_blocks", "nodehelper_scrape_collector_success", "instance:bitcoind_best_block_timestamp_seconds:age"]);

            // Without write_relabel_configs everything goes, Prometheus's own job as well.
            await Eventually.TrueAsync("Prometheus's own job arrives too", Within, async () =>
                (await victoria.SeriesAsync($"up{{site=\"{Site}\",job=\"prometheus\"}}")).Count > 0);
        });
    }

    [Fact]
    public async Task WriteRelabelConfigsSendOnlyNodeHelpersSeriesAndTheirRecordings()
    {
        const string Site = "remote-write-nodehelper-only";
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        await using var exporter = await StartExporterAsync(bitcoind);
        var instance = exporter.BaseUrl.Authority;
        await using var prometheus = await RealServers.StartPrometheusAsync(
            PrometheusCopy(instance, Site, config => CommentedYaml.Uncomment(config, WriteRelabelHeader)));

        await WithOutputOnFailureAsync(prometheus, async () =>
        {
            // Prometheus has its own job's series; once VictoriaMetrics holds a NodeHelper sample written well after
            // it (later than the 5 s batch deadline of either queue shard), that series would be there had it been sent.
            DateTimeOffset? ownJobWritten = null;
            await Eventually.TrueAsync("Prometheus has scraped its own job", Within, async () =>
                (ownJobWritten = await LocalSampleTimeAsync(prometheus, "timestamp(up{job=\"prometheus\"})")) is not null);
            await Eventually.TrueAsync("a NodeHelper sample written 10 s after it arrives", Within, async () =>
                await victoria.NewestSampleAsync($"bitcoind_blocks{{site=\"{Site}\"}}") >= ownJobWritten!.Value.AddSeconds(10));

            var series = await victoria.SeriesAsync($"{{site=\"{Site}\"}}");
            series.Select(s => s["job"]).Distinct().Should().Equal(["nodehelper"], "only the nodehelper job is kept, not Prometheus's own");
            series.Should().Contain(s => s["__name__"] == "instance:bitcoind_best_block_timestamp_seconds:age" && s["instance"] == instance,
                "the rules' outputs keep the job label, so they pass the filter");
            series.Should().Contain(s => s["__name__"] == "bitcoind_blocks" && s["instance"] == instance);
            (await LocalSampleTimeAsync(prometheus, "timestamp(up{job=\"prometheus\"})")).Should().NotBeNull(
                "Prometheus keeps its own series locally: the filter is on what is sent");
        });
    }

    /// <summary>The exporter over the simulated bitcoind only: this machine's host, services and posture are not what is sent.</summary>
    private static Task<ExporterUnderTest> StartExporterAsync(BitcoindSimulator bitcoind) =>
        ExporterUnderTest.StartAsync([.. ExporterUnderTest.For(bitcoind), "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"]);

    /// <summary>
    /// The shipped prometheus.yml and rules scraping <paramref name="exporter"/> every 2 s, with the remote_write block and
    /// the external_labels line uncommented, sending to the test's VictoriaMetrics as <paramref name="site"/>.
    /// No Alertmanager listens where its alerts go: alerting is not what is tested.
    /// </summary>
    private string PrometheusCopy(string exporter, string site, Func<string, string> edit)
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-remote-write-prometheus-").FullName;
        BundleCopy.Prometheus(Repository.Root, directory, exporter, LoopbackPort.Free(), editConfig: config =>
        {
            config = BundleCopy.Replace(config, "scrape_interval: 30s", "scrape_interval: 2s");
            config = BundleCopy.Replace(config, "scrape_timeout: 10s", "scrape_timeout: 2s");
            config = BundleCopy.Replace(config, "evaluation_interval: 30s", "evaluation_interval: 1s");
            config = edit(Uncommented(config));
            config = BundleCopy.Replace(config, "external_labels: { site: home }", $"external_labels: {{ site: {site} }}");
            return BundleCopy.Replace(config, "- url: http://127.0.0.1:8428/api/v1/write", $"- url: {victoria.WriteUrl}");
        });
        return directory;
    }

    /// <summary>The remote_write block and the external_labels line, uncommented.</summary>
    private static string Uncommented(string config) =>
        CommentedYaml.Uncomment(CommentedYaml.Uncomment(config, RemoteWriteHeader), ExternalLabelsLine);

    /// <summary>The value of a <c>timestamp(...)</c> query on the local Prometheus, as a time, or null while it has no such series.</summary>
    private static async Task<DateTimeOffset?> LocalSampleTimeAsync(ServerProcess prometheus, string query) =>
        await new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, DateTimeOffset.UtcNow, default) is [var first, ..]
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(first.Value * 1000))
            : null;

    private async Task WithOutputOnFailureAsync(ServerProcess prometheus, Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch
        {
            output.WriteLine($"Prometheus:\n{prometheus.Output}\nVictoriaMetrics:\n{victoria.Output}");
            output.WriteLine("Prometheus's configuration:\n" + await File.ReadAllTextAsync(Path.Join(prometheus.Directory, "prometheus.yml")));
            throw;
        }
    }
}
