using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NodeHelper.Tests.Support;

/// <summary>The shipped Grafana dashboards (grafana/dashboards/*.json), their panels and their queries.</summary>
internal static partial class GrafanaDashboards
{
    public static string Directory => Repository.PathOf("grafana", "dashboards");

    public static IReadOnlyList<string> Files => [.. System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)];

    public static JsonObject Load(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>Every panel that shows data (rows left out, panels inside collapsed rows included).</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]!.AsArray().Select(p => p!.AsObject()))
        {
            if (panel["type"]!.GetValue<string>() == "row")
            {
                foreach (var inner in panel["panels"]?.AsArray().Select(p => p!.AsObject()) ?? [])
                {
                    yield return inner;
                }
            }
            else
            {
                yield return panel;
            }
        }
    }

    public static IEnumerable<string> Expressions(JsonObject panel) =>
        panel["targets"]?.AsArray().Select(t => t!["expr"]!.GetValue<string>()) ?? [];

    /// <summary>The template variables' queries, as PromQL: label_values(m, l) becomes count by (l) (m).</summary>
    public static IEnumerable<(string Name, string Query)> VariableQueries(JsonObject dashboard) =>
        from variable in dashboard["templating"]!["list"]!.AsArray()
        where variable!["type"]!.GetValue<string>() == "query"
        let query = variable["query"]!["query"]!.GetValue<string>()
        let match = LabelValues().Match(query)
        select (variable["name"]!.GetValue<string>(), match.Success ? $"count by ({match.Groups[2].Value}) ({match.Groups[1].Value})" : query);

    /// <summary>What Grafana sends Prometheus once the variables are chosen.</summary>
    public static string Resolve(string expr, string job, string instance, string rateInterval) => expr
        .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
        .Replace("$instance", instance, StringComparison.Ordinal)
        .Replace("$job", job, StringComparison.Ordinal);

    [GeneratedRegex("^label_values\\((.+),\\s*([a-z_]+)\\)$")]
    private static partial Regex LabelValues();
}
