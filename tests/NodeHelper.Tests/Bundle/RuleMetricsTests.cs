using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>The rules read only metrics the exporter really exports, checked against real scrapes of the whole stack (not a typed list).</summary>
[Collection(SharedMariaDb.Name)]
public sealed class RuleMetricsTests(MariaDbFixture mariadb)
{
    /// <summary>Series Prometheus itself writes for every target.</summary>
    private static readonly string[] PrometheusOwn = ["up"];

    [Fact]
    public async Task EveryMetricARuleReadsIsOneTheExporterExportsOrARuleRecords()
    {
        var exported = await ExportedFamilies.OfWholeStackAsync(mariadb);
        var rules = AlertingBundle.AllRules().ToList();
        var recorded = rules.Where(r => r.Rule.Record is not null).Select(r => r.Rule.Record!).ToHashSet();

        var read = new HashSet<string>();
        foreach (var (file, _, rule) in rules)
        {
            var names = AlertingBundle.MetricNames(rule.Expr)
                .Concat(rule.Annotations.Values.SelectMany(AlertingBundle.QueriedMetricNames))
                .ToHashSet();
            if (!rule.Expr.StartsWith("vector(", StringComparison.Ordinal))
            {
                names.Should().NotBeEmpty($"{rule.Alert ?? rule.Record} in {file} reads some metric");
            }

            names.Except(exported.Keys).Except(recorded).Except(PrometheusOwn)
                .Should().BeEmpty($"{rule.Alert ?? rule.Record} in {file} reads only what the exporter exports or a rule records");
            read.UnionWith(names);
        }

        read.Should().Contain(["bitcoind_up", "electrum_tip_height", "mariadb_max_connections", "nodehelper_service_restarts_total"],
            "the rules were read, not skipped");
    }
}
