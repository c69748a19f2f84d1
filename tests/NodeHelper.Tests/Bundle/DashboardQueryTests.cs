using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// Every dashboard query is valid PromQL and returns data when a real Prometheus scrapes the exporter over the
/// whole simulated stack: a panel that would say "No data" on a node that runs everything fails here.
/// </summary>
[Collection(SharedMariaDb.Name)]
public sealed class DashboardQueryTests(MariaDbFixture mariadb)
{
    /// <summary>Prometheus's own series a dashboard may read besides the exporter's.</summary>
    private static readonly string[] PrometheusOwn = ["up", "ALERTS"];

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task EveryPanelAndVariableQueryReturnsDataFromARealPrometheusScrapingTheWholeStack()
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
        await File.WriteAllTextAsync(Path.Join(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: nodehelper
                static_configs:
                  - targets: ["{instance}"]
            """);
        await using var prometheus = await RealServers.StartPrometheusAsync(directory);

        // Every query is asked at one moment: one with enough samples before it for every rate, increase and deriv to
        // have two points in its window, and at which the latest scrape had every collector succeed. On a loaded
        // machine a scrape can miss its 1 s timeout, and a panel asked just then would be empty for that reason alone.
        // The moment lies 3 s back, behind any scrape still in flight, so what is seen there no longer changes.
        var at = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync("six scrapes, the latest with every collector succeeding", TimeSpan.FromMinutes(1), async () =>
        {
            at = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(3);
            return await QueryAsync(prometheus, "count_over_time(bitcoind_blocks[1m])", at) is [var count, ..] && count.Value >= 6
                && await QueryAsync(prometheus, "min(nodehelper_scrape_collector_success) == 1", at) is [_];
        }, TimeSpan.FromMilliseconds(500));

        var empty = new List<string>();
        var checkedQueries = 0;
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var queries = GrafanaDashboards.VariableQueries(dashboard).Select(v => ($"variable {v.Name}", v.Query))
                .Concat(GrafanaDashboards.Panels(dashboard).SelectMany(p => GrafanaDashboards.Expressions(p).Select(e => ($"panel \"{p["title"]}\"", e))));
            foreach (var (where, expr) in queries)
            {
                var resolved = GrafanaDashboards.Resolve(expr, "nodehelper", instance, "10s");
                var result = await QueryAsync(prometheus, resolved, at);
                checkedQueries++;
                if (result.Count == 0)
                {
                    empty.Add($"{Path.GetFileName(file)} {where}: {resolved}");
                }
            }
        }

        checkedQueries.Should().BeGreaterThan(100);
        empty.Should().BeEmpty("every panel shows data on a node that runs the whole stack");
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

    /// <summary>An instant query's result; a query Prometheus refuses (bad PromQL) fails the test with Prometheus's error.</summary>
    private static Task<IReadOnlyList<PromSeries>> QueryAsync(ServerProcess prometheus, string query, DateTimeOffset at) =>
        new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, at, default);

}
