using System.Text.RegularExpressions;
using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;

namespace NodeHelper.Tests.Docs;

/// <summary>
/// The README's "Many nodes and long-term storage" is true of the programs Debian ships: its federation job, run by a
/// real central Prometheus against two site Prometheus servers (the shipped prometheus.yml, each with its own
/// external label), and every flag and argument it gives, accepted by Debian's prometheus, victoria-metrics and vmalert.
/// </summary>
public sealed partial class ManyNodesReadmeTests(ITestOutputHelper output)
{
    private const string Heading = "## Many nodes and long-term storage";

    /// <summary>The example sites of the README's federation job, which the test replaces with its two Prometheus servers.</summary>
    private const string ExampleTargets = "targets: [\"home.example.org:9090\", \"vps.example.org:9090\"]";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task TheFederationJobReadsNodeHelpersSeriesFromEverySiteWithTheirOwnLabels()
    {
        var federation = YamlBlocks().Single(b => b.Contains("job_name: federate", StringComparison.Ordinal));
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        await using var exporter = await ExporterUnderTest.StartAsync(
            [.. ExporterUnderTest.For(bitcoind), "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"]);
        var instance = exporter.BaseUrl.Authority;
        // Two sites whose NodeHelper has the same address: only their external label tells them apart.
        await using var home = await RealServers.StartPrometheusAsync(SiteCopy(instance, "home"));
        await using var vps = await RealServers.StartPrometheusAsync(SiteCopy(instance, "vps"));
        var centralDirectory = Directory.CreateTempSubdirectory("nodehelper-federation-central-").FullName;
        await File.WriteAllTextAsync(Path.Join(centralDirectory, "prometheus.yml"),
            "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n" +
            BundleCopy.Replace(federation, ExampleTargets, $"targets: [\"127.0.0.1:{home.Port}\", \"127.0.0.1:{vps.Port}\"]"));
        await using var central = await RealServers.StartPrometheusAsync(centralDirectory);

        try
        {
            await Eventually.TrueAsync("the central Prometheus has bitcoind_blocks from both sites", Within, async () =>
                (await QueryAsync(central, "bitcoind_blocks")).Count == 2);
            var blocks = await QueryAsync(central, "bitcoind_blocks");
            blocks.Select(s => s.Label("site")).Should().BeEquivalentTo(["home", "vps"], "each site's series carries its Prometheus's external label");
            foreach (var series in blocks)
            {
                series.Labels.Should().BeEquivalentTo(new Dictionary<string, string>
                {
                    ["__name__"] = "bitcoind_blocks", ["job"] = "nodehelper", ["instance"] = instance, ["site"] = series.Label("site"),
                }, "honor_labels keeps job and instance as the site has them");
                series.Value.Should().Be(bitcoind.State.Blocks);
            }

            await Eventually.TrueAsync("the recorded block age arrives from both sites", Within, async () =>
                (await QueryAsync(central, "instance:bitcoind_best_block_timestamp_seconds:age{job=\"nodehelper\"}")).Count == 2);

            // Both sites hold their own job's series; a federation scrape after that would carry them had match[] selected them.
            await Eventually.TrueAsync("both sites have scraped their own job", Within, async () =>
                (await QueryAsync(home, "up{job=\"prometheus\"}")).Count == 1 && (await QueryAsync(vps, "up{job=\"prometheus\"}")).Count == 1);
            var sitesHaveTheirOwn = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await Eventually.TrueAsync("the central Prometheus has federated both sites since", Within, async () =>
                (await QueryAsync(central, "timestamp(up{job=\"federate\"} == 1)")) is { Count: 2 } scrapes && scrapes.All(s => s.Value > sitesHaveTheirOwn + 1));
            (await QueryAsync(central, "{__name__=~\".+\", job!~\"nodehelper|federate\"}")).Should().BeEmpty("match[] selects NodeHelper's series only, not the sites' Prometheus's own");
        }
        catch
        {
            output.WriteLine($"home:\n{home.Output}\nvps:\n{vps.Output}\ncentral:\n{central.Output}");
            throw;
        }
    }

    [Fact]
    public async Task PrometheusAcceptsEveryFlagTheSectionGives()
    {
        var flags = PrometheusFlag().Matches(Section()).Select(m => m.Value).Distinct().ToList();
        flags.Should().Contain(["--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h", "--web.config.file=/etc/prometheus/web.yml"]);

        // --version acts once the command line has been parsed: an unknown flag or a bad value fails first.
        var result = await ExternalProcess.RunAsync(Installed("prometheus"), [.. flags, "--version"]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public async Task VictoriaMetricsAcceptsTheArgumentsTheSectionGives()
    {
        var args = Section().Split('\n').Single(l => l.StartsWith("ARGS=\"", StringComparison.Ordinal))["ARGS=\"".Length..].TrimEnd('"')
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        args.Should().Contain(["-httpListenAddr=127.0.0.1:8428", "-retentionPeriod=2y"]);

        // -version exits once the flags have been parsed, before any storage is opened or port bound.
        var result = await ExternalProcess.RunAsync(Installed("victoria-metrics"), [.. args, "-version"]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public async Task VmalertReadsTheShippedRuleFilesAsTheyAre()
    {
        Section().Should().Contain("vmalert, in Debian's `victoria-metrics` package, reads\nthe shipped rule files as they are");

        // -dryRun parses every rule's expression and templates and exits; a broken one is a fatal error.
        var result = await ExternalProcess.RunAsync(Installed("vmalert"), ["-dryRun", $"-rule={Path.Join(AlertingBundle.RulesDirectory, "*.yml")}"]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
    }

    private static string Section()
    {
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        var start = readme.IndexOf("\n" + Heading + "\n", StringComparison.Ordinal);
        start.Should().BePositive($"the README has the section {Heading}");
        var section = readme[(start + 1)..];
        var end = section.IndexOf("\n## ", StringComparison.Ordinal);
        return end < 0 ? section : section[..end];
    }

    private static IEnumerable<string> YamlBlocks() => YamlBlock().Matches(Section()).Select(m => m.Groups[1].Value);

    /// <summary>The shipped prometheus.yml and rules, scraping <paramref name="exporter"/> every 2 s, with the external_labels line uncommented as <paramref name="site"/>.</summary>
    private static string SiteCopy(string exporter, string site)
    {
        var directory = Directory.CreateTempSubdirectory($"nodehelper-federation-{site}-").FullName;
        BundleCopy.Prometheus(Repository.Root, directory, exporter, LoopbackPort.Free(), editConfig: config =>
        {
            config = BundleCopy.Replace(config, "scrape_interval: 30s", "scrape_interval: 2s");
            config = BundleCopy.Replace(config, "scrape_timeout: 10s", "scrape_timeout: 2s");
            config = BundleCopy.Replace(config, "evaluation_interval: 30s", "evaluation_interval: 1s");
            config = CommentedYaml.Uncomment(config, "# external_labels: { site: home }");
            return BundleCopy.Replace(config, "external_labels: { site: home }", $"external_labels: {{ site: {site} }}");
        });
        return directory;
    }

    private static Task<IReadOnlyList<PromSeries>> QueryAsync(ServerProcess prometheus, string query) =>
        new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, DateTimeOffset.UtcNow, default);

    private static string Installed(string name) =>
        ExternalProcess.Require(name, "run `make test-deps` (Debian's prometheus and victoria-metrics packages)");

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    /// <summary>A double-dash flag with its value, as the README writes Prometheus's (VictoriaMetrics' have one dash).</summary>
    [GeneratedRegex("(?<![\\w-])--[a-z][a-z0-9.-]*=[^\\s`]+")]
    private static partial Regex PrometheusFlag();
}
