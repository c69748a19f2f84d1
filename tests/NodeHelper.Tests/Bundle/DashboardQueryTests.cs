using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// Every dashboard query is valid PromQL and returns data when a real Prometheus scrapes the exporter over the
/// whole simulated stack: a panel that would say "No data" on a node that runs everything fails here. The one
/// exporter is scraped as three nodes of a fleet: home and vps, each as the NodeHelper beside it (job nodehelper,
/// instance the node label, as relabelling would), and remote as probed (job nodehelper_probe, one scrape per
/// module with collect[], each with its module label), so that every query is also asked for several nodes at once.
/// </summary>
[Collection(SharedMariaDb.Name)]
public sealed class DashboardQueryTests(MariaDbFixture mariadb)
{
    /// <summary>Prometheus's own series a dashboard may read besides the exporter's.</summary>
    private static readonly string[] PrometheusOwn = ["up", "ALERTS"];

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task EveryPanelAndVariableQueryReturnsDataFromARealPrometheusScrapingTheWholeStackAsSeveralNodes()
    {
        await using var whole = await WholeStack.StartAsync(mariadb);
        await whole.WaitForEverySeriesAsync();

        // A node that runs everything with a Lightning node at work: a force close maturing, an HTLC in flight (the
        // series of those panels exist only then, as ExportedFamilies also scrapes them).
        var lnd = whole.Stack.Lnd.State;
        lnd.AddForceClose(new LndForceClose("aa:0", "02b6", 100_000, 60_000, lnd.BlockHeight + 144, []));
        lnd.AddHtlc(new LndHtlc("821261518687043586", Incoming: true, 2_000, lnd.BlockHeight + 400));
        var instance = whole.Exporter.BaseUrl.Authority;
        var directory = Directory.CreateTempSubdirectory("nodehelper-dashboards-prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Join(directory, "prometheus.yml"), FleetScrapes(instance));
        await using var prometheus = await RealServers.StartPrometheusAsync(directory);

        // Every query is asked at one moment: one with enough samples before it for every rate, increase and deriv to
        // have two points in its window, and at which the latest scrape had every collector succeed. On a loaded
        // machine a scrape can miss its 2 s timeout, and a panel asked just then would be empty for that reason alone.
        // The moment lies 3 s back, behind any scrape still in flight, so what is seen there no longer changes.
        var at = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync("six scrapes of every node, the latest with every collector succeeding", TimeSpan.FromMinutes(2), async () =>
        {
            at = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(3);
            return await QueryAsync(prometheus, "min(count_over_time(bitcoind_blocks[1m]))", at) is [var count, ..] && count.Value >= 6
                && await QueryAsync(prometheus, "count(up == 1)", at) is [var up] && up.Value == 2 + Modules.Length
                && await QueryAsync(prometheus, "min(nodehelper_scrape_collector_success) == 1", at) is [_];
        }, TimeSpan.FromMilliseconds(500));

        var empty = new List<string>();
        var merged = new List<string>();
        var checkedQueries = 0;
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var fleet = dashboard["uid"]!.GetValue<string>() == "nodehelper-fleet";
            var queries = GrafanaDashboards.VariableQueries(dashboard).Select(v => ($"variable {v.Name}", v.Query, Panel: false))
                .Concat(GrafanaDashboards.Panels(dashboard).SelectMany(p => GrafanaDashboards.Expressions(p).Select(e => ($"panel \"{p["title"]}\"", e, Panel: true))));
            foreach (var (where, expr, panel) in queries)
            {
                // One node, as a per-node dashboard opens; the fleet dashboard opens on every job and node.
                var resolved = fleet ? GrafanaDashboards.Resolve(expr, AllJobs, AllNodes, "10s") : GrafanaDashboards.Resolve(expr, "nodehelper", "home", "10s");
                var result = await QueryAsync(prometheus, resolved, at);
                checkedQueries++;
                if (result.Count == 0)
                {
                    empty.Add($"{Path.GetFileName(file)} {where}: {resolved}");
                }

                if (!panel)
                {
                    continue;
                }

                // Several nodes at once (Grafana sends the chosen ones as a regular expression): each node's series
                // apart, with its instance, home and vps both there; the probed node's modules meet without error.
                var several = GrafanaDashboards.Resolve(expr, AllJobs, AllNodes, "10s");
                var instances = (await QueryAsync(prometheus, several, at)).Select(s => s.Labels.GetValueOrDefault("instance")).ToList();
                if (instances.Contains(null) || !instances.Contains("home") || !instances.Contains("vps"))
                {
                    merged.Add($"{Path.GetFileName(file)} {where}: {several} answered for [{string.Join(", ", instances.Select(i => i ?? "no instance"))}]");
                }
            }
        }

        checkedQueries.Should().BeGreaterThan(100);
        empty.Should().BeEmpty("every panel shows data on a node that runs the whole stack");
        merged.Should().BeEmpty("every panel keeps each chosen node's series apart, with its instance");
        await AssertTheFleetTableHasOneRowPerNodeAsync(prometheus, at);
    }

    [Fact]
    public async Task EveryMetricAPanelReadsIsOneTheExporterExports()
    {
        var exported = await ExportedFamilies.OfWholeStackAsync(mariadb);
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var expressions = GrafanaDashboards.Panels(dashboard).SelectMany(GrafanaDashboards.Expressions)
                .Concat(GrafanaDashboards.VariableQueries(dashboard).Select(v => v.Query));
            foreach (var expr in expressions)
            {
                var names = AlertingBundle.MetricNames(GrafanaDashboards.Resolve(expr, "j", "i", "1m"));
                names.Should().NotBeEmpty(expr);
                names.Except(exported.Keys).Except(PrometheusOwn).Should().BeEmpty($"{Path.GetFileName(file)} reads only exported metrics: {expr}");
            }
        }
    }

    /// <summary>The fleet dashboard's table: one row per node, probed or not, each column's series merging into it.</summary>
    private static async Task AssertTheFleetTableHasOneRowPerNodeAsync(ServerProcess prometheus, DateTimeOffset at)
    {
        var fleet = GrafanaDashboards.Load(Path.Join(GrafanaDashboards.Directory, "nodehelper-fleet.json"));
        var table = GrafanaDashboards.Panels(fleet).Single(p => p["type"]!.GetValue<string>() == "table");
        var rows = new Dictionary<string, Dictionary<string, double>>();
        foreach (var query in table["targets"]!.AsArray())
        {
            var column = query!["legendFormat"]!.GetValue<string>();
            foreach (var series in await QueryAsync(prometheus, GrafanaDashboards.Resolve(query["expr"]!.GetValue<string>(), AllJobs, AllNodes, "10s"), at))
            {
                series.Labels.Keys.Should().BeSubsetOf(["job", "instance", "node"], $"{column}: Grafana merges a row from the same labels in every column");
                var row = $"{series.Labels["instance"]} {series.Labels["job"]}";
                (rows.TryGetValue(row, out var cells) ? cells : rows[row] = []).Add(column, series.Value);
            }
        }

        rows.Keys.Should().BeEquivalentTo(["home nodehelper", "vps nodehelper", $"remote {ProbeJob}"], "one row per node");
        rows["home nodehelper"].Keys.Should().BeEquivalentTo(table["targets"]!.AsArray().Select(q => q!["legendFormat"]!.GetValue<string>()),
            "a node that runs everything fills every column");
        rows[$"remote {ProbeJob}"].Should().Contain("bitcoind", 1).And.Contain("LND", 1).And.ContainKey("Electrum behind").And.ContainKey("mempool behind")
            .And.NotContainKey("fullest disk", "/probe reads the remote node's services, not its host");
        rows[$"remote {ProbeJob}"]["tip height"].Should().Be(rows["home nodehelper"]["tip height"]);
    }

    private const string ProbeJob = "nodehelper_probe";

    /// <summary>The probers of /probe, scraped here as /metrics?collect[]=module.</summary>
    private static readonly string[] Modules = ["bitcoind", "electrum", "mempool", "lnd"];

    /// <summary>What Grafana sends for "All" of the job and instance variables.</summary>
    private const string AllJobs = "(nodehelper|nodehelper_probe)";

    private const string AllNodes = "(home|vps|remote)";

    /// <summary>
    /// The exporter at <paramref name="exporter"/> scraped every 2 seconds as three nodes: home and vps beside their
    /// NodeHelper (instance relabelled from a node label), and remote probed, one job per module (a job cannot give its
    /// targets different collect[] parameters) relabelled into one job nodehelper_probe, instance the node's name.
    /// </summary>
    private static string FleetScrapes(string exporter)
    {
        var probes = string.Join("", Modules.Select(module => $$"""
              - job_name: probe-{{module}}
                params:
                  collect[]: [{{module}}]
                static_configs:
                  - targets: ["{{exporter}}"]
                    labels: {node: remote, module: {{module}}}
                relabel_configs:
                  - {target_label: job, replacement: {{ProbeJob}}}
                  - {source_labels: [node], target_label: instance}

            """));
        return $$"""
            global:
              scrape_interval: 2s
              scrape_timeout: 2s
            scrape_configs:
              - job_name: nodehelper
                static_configs:
                  - targets: ["{{exporter}}"]
                    labels: {node: home}
                  - targets: ["{{exporter}}"]
                    labels: {node: vps}
                relabel_configs:
                  - {source_labels: [node], target_label: instance}

            """ + probes;
    }

    /// <summary>An instant query's result; a query Prometheus refuses (bad PromQL) fails the test with Prometheus's error.</summary>
    private static Task<IReadOnlyList<PromSeries>> QueryAsync(ServerProcess prometheus, string query, DateTimeOffset at) =>
        new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, at, default);

}
