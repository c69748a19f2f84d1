using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodeHelper.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// The Grafana dashboards as files: they are what the generator writes, Grafana's own schema accepts them, and they
/// follow the conventions of the best dashboards (fixed uids, variables, units, $__rate_interval, links).
/// </summary>
public sealed partial class DashboardTests : IDisposable
{
    private static readonly string[] ExpectedUids = ["nodehelper-bitcoind", "nodehelper-fleet", "nodehelper-host", "nodehelper-lightning", "nodehelper-overview", "nodehelper-services"];

    private const string Fleet = "nodehelper-fleet";

    /// <summary>PromQL's aggregation operators.</summary>
    private const string Aggregations = "sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile|count_values";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-dashboards-");

    [Fact]
    public async Task CommittedDashboardsAreWhatTheGeneratorWrites()
    {
        var result = await ExternalProcess.RunAsync(Dotnet(), ["run", Repository.PathOf("grafana", "dashboards.cs"), "--", _work.FullName],
            timeout: TimeSpan.FromMinutes(3));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        var generated = Directory.GetFiles(_work.FullName, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        generated.Should().Equal(GrafanaDashboards.Files.Select(Path.GetFileName), "every dashboard is generated, and nothing else is committed");
        foreach (var file in GrafanaDashboards.Files)
        {
            File.ReadAllText(Path.Join(_work.FullName, Path.GetFileName(file))).Should()
                .Be(File.ReadAllText(file), $"{Path.GetFileName(file)} is edited in grafana/dashboards.cs, then `make dashboards`");
        }
    }

    [Fact]
    public async Task DashboardsPassGrafanasOwnSchema()
    {
        var schema = Repository.PathOf("tests", "dashboard-schema");
        var tsc = Path.Join(schema, "node_modules", ".bin", "tsc");
        File.Exists(tsc).Should().BeTrue("`make test-deps` installs TypeScript and @grafana/schema with npm ci in tests/dashboard-schema");

        // Inside the schema directory, so the import of @grafana/schema resolves to its node_modules.
        var generated = Directory.CreateDirectory(Path.Join(schema, $"generated-{Guid.NewGuid():N}"));
        try
        {
            var files = new List<string> { Path.Join(schema, "prelude.ts") };
            foreach (var dashboard in GrafanaDashboards.Files)
            {
                var file = Path.Join(generated.FullName, Path.GetFileNameWithoutExtension(dashboard) + ".ts");
                await File.WriteAllTextAsync(file,
                    $"import type {{ DashboardJson }} from '../prelude';\nexport default {(await File.ReadAllTextAsync(dashboard)).TrimEnd()} satisfies DashboardJson;\n");
                files.Add(file);
            }

            var result = await ExternalProcess.RunAsync(tsc,
                ["--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", .. files],
                timeout: TimeSpan.FromMinutes(2));

            result.ExitCode.Should().Be(0, "TypeScript checks every dashboard against @grafana/schema's Dashboard type:\n" + result.StandardOutput + result.StandardError);
        }
        finally
        {
            generated.Delete(recursive: true);
        }
    }

    [Fact]
    public void DashboardsHaveFixedUidsTheThreeVariablesAndLinksToEachOther()
    {
        GrafanaDashboards.Files.Select(f => GrafanaDashboards.Load(f)["uid"]!.GetValue<string>()).Order(StringComparer.Ordinal)
            .Should().Equal(ExpectedUids);
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var name = Path.GetFileName(file);
            dashboard["uid"]!.GetValue<string>().Should().Be(Path.GetFileNameWithoutExtension(file), $"{name}'s uid is its file name, fixed");
            dashboard["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>())
                .Should().Equal(["datasource", "job", "instance"], name);
            dashboard["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Contain("nodehelper");
            dashboard["links"]!.AsArray().Should().ContainSingle(l =>
                l!["type"]!.GetValue<string>() == "dashboards" && l["tags"]![0]!.GetValue<string>() == "nodehelper"
                && l["includeVars"]!.GetValue<bool>() && l["keepTime"]!.GetValue<bool>(), $"{name} links to the other NodeHelper dashboards, keeping node and time");
        }
    }

    [Fact]
    public void EveryPanelHasAUnitAndQueriesTheChosenNodeWithTheRateIntervalGrafanaComputes()
    {
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var panels = GrafanaDashboards.Panels(dashboard).ToList();
            panels.Should().HaveCountGreaterThan(10);
            foreach (var panel in panels)
            {
                var where = $"{Path.GetFileName(file)}: \"{panel["title"]}\"";
                panel["fieldConfig"]!["defaults"]!["unit"]?.GetValue<string>().Should().NotBeNullOrEmpty($"{where} sets its unit");
                panel["datasource"]!["uid"]!.GetValue<string>().Should().Be("${datasource}", where);
                var expressions = GrafanaDashboards.Expressions(panel).ToList();
                expressions.Should().NotBeEmpty(where);
                foreach (var expr in expressions)
                {
                    expr.Should().Contain("instance=~\"$instance\"", $"{where} shows the chosen nodes, one or several: {expr}");
                    foreach (Match range in RateOrIrate().Matches(expr))
                    {
                        range.Groups[1].Value.Should().Be("$__rate_interval", $"{where} lets Grafana choose the rate window: {expr}");
                    }
                }
            }

            var ids = panels.Select(p => p["id"]!.GetValue<int>()).ToList();
            ids.Should().OnlyHaveUniqueItems(Path.GetFileName(file));
        }
    }

    [Fact]
    public void EveryAggregationKeepsEachNodesLabelsAndEveryPerNodeRowRepeatsForEachChosenNode()
    {
        foreach (var file in GrafanaDashboards.Files)
        {
            var dashboard = GrafanaDashboards.Load(file);
            var name = Path.GetFileName(file);
            foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
            {
                (variable!["multi"]!.GetValue<bool>() && variable["includeAll"]!.GetValue<bool>()).Should().BeTrue($"{name}'s {variable["name"]} can hold several nodes");
            }

            foreach (var expr in GrafanaDashboards.Panels(dashboard).SelectMany(GrafanaDashboards.Expressions))
            {
                expr.Should().NotContainAny(["scalar(", "vector("], $"{name}: a value without labels belongs to no node: {expr}");
                foreach (Match aggregation in Aggregation().Matches(expr))
                {
                    var (modifier, labels) = (aggregation.Groups["modifier"].Value, aggregation.Groups["labels"].Value);
                    modifier.Should().NotBeEmpty($"{name}: an aggregation over every series merges the nodes: {expr}");
                    if (modifier == "by")
                    {
                        labels.Should().ContainAll(["job", "instance", "node"], $"{name}: by (...) keeps the node's labels: {expr}");
                    }
                    else
                    {
                        labels.Should().NotContainAny(["job", "instance", "node"], $"{name}: without (...) keeps the node's labels: {expr}");
                    }
                }
            }

            var rows = dashboard["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() == "row").ToList();
            rows.Should().NotBeEmpty(name);
            foreach (var row in rows)
            {
                if (dashboard["uid"]!.GetValue<string>() == Fleet)
                {
                    row!["repeat"].Should().BeNull("the fleet dashboard shows every node in each panel");
                }
                else
                {
                    row!["repeat"]!.GetValue<string>().Should().Be("instance", $"{name}'s row \"{row["title"]}\" comes once per chosen node");
                    row["title"]!.GetValue<string>().Should().Contain("$instance", "a repeated row names its node");
                }
            }
        }
    }

    [Fact]
    public void TheFleetDashboardHasOneRowPerNodeLinkedToItsOverview()
    {
        var fleet = GrafanaDashboards.Load(Path.Join(GrafanaDashboards.Directory, Fleet + ".json"));
        var table = GrafanaDashboards.Panels(fleet).Single(p => p["type"]!.GetValue<string>() == "table");

        GrafanaDashboards.Expressions(table).Should().HaveCountGreaterThan(10)
            .And.OnlyContain(e => e.Contains("by (job, instance, node) (", StringComparison.Ordinal) || e.StartsWith("count by (job, instance, node) (", StringComparison.Ordinal),
                "every column aggregates to one series per node, whose labels the table merges into its row (a probed node's modules differ)");
        table["targets"]!.AsArray().Should().OnlyContain(q => q!["format"]!.GetValue<string>() == "table" && q["instant"]!.GetValue<bool>());
        table["transformations"]![0]!["id"]!.GetValue<string>().Should().Be("merge");
        var link = table["fieldConfig"]!["overrides"]!.AsArray()
            .Single(o => o!["matcher"]!["options"]!.GetValue<string>() == "instance")!["properties"]![0]!;
        link["id"]!.GetValue<string>().Should().Be("links");
        link["value"]![0]!["url"]!.GetValue<string>().Should().StartWith("/d/nodehelper-overview/")
            .And.Contain("var-job=${__data.fields.job}").And.Contain("var-instance=${__value.raw}");
        fleet["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query")
            .Should().OnlyContain(v => v!["current"]!["value"]![0]!.GetValue<string>() == "$__all", "it opens on every job and node");
    }

    [Fact]
    public void ProvisioningLoadsTheDashboardsAsTheyAreFromThePrometheusOfTheBundle()
    {
        var datasources = (YamlMappingNode)Load(Repository.PathOf("grafana", "provisioning", "datasources", "nodehelper.yml"));
        var datasource = (YamlMappingNode)((YamlSequenceNode)datasources["datasources"]).Children.Single();
        datasource["type"].ToString().Should().Be("prometheus");
        var prometheus = (YamlMappingNode)Load(Repository.PathOf("prometheus", "prometheus.yml"));
        ((YamlMappingNode)datasource["jsonData"])["timeInterval"].ToString()
            .Should().Be(((YamlMappingNode)prometheus["global"])["scrape_interval"].ToString(), "$__rate_interval is computed from Prometheus's scrape interval");

        var dashboards = (YamlMappingNode)Load(Repository.PathOf("grafana", "provisioning", "dashboards", "nodehelper.yml"));
        var provider = (YamlMappingNode)((YamlSequenceNode)dashboards["providers"]).Children.Single();
        provider["type"].ToString().Should().Be("file");
        var path = ((YamlMappingNode)provider["options"])["path"].ToString();
        File.ReadAllText(Repository.PathOf("README.md")).Contains($"grafana/dashboards/*.json {path}/", StringComparison.Ordinal)
            .Should().BeTrue($"the README copies the dashboards to {path}/, where the provider reads them");
    }

    public void Dispose() => _work.Delete(recursive: true);

    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static YamlNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    [GeneratedRegex("\\b(?:rate|irate)\\([^\\[]*\\[([^\\]]+)\\]")]
    private static partial Regex RateOrIrate();

    /// <summary>An aggregation, with its by or without list if any (the form sum by (x) (...), as the generator writes).</summary>
    [GeneratedRegex($"\\b(?:{Aggregations})\\b\\s*(?:(?<modifier>by|without)\\s*\\((?<labels>[^)]*)\\))?\\s*\\(")]
    private static partial Regex Aggregation();
}
