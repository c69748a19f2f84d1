using System.Text.RegularExpressions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace NodeHelper.Tests.Support;

/// <summary>The shipped Prometheus rules and their promtool unit tests, read as the YAML they are.</summary>
internal static partial class AlertingBundle
{
    /// <summary>
    /// Every runbook_url: the runbook page served by Prometheus itself (prometheus/consoles/), at its own external URL,
    /// so a link in a mail opens wherever that Prometheus does. promtool's tests expand $externalURL to "".
    /// </summary>
    public const string RunbookBase = "{{ $externalURL }}/consoles/nodehelper-runbook.html#";

    /// <summary>What <see cref="RunbookBase"/> becomes in promtool's unit tests.</summary>
    public const string RunbookBaseInTests = "/consoles/nodehelper-runbook.html#";

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static string RulesDirectory => Repository.PathOf("prometheus", "rules");

    public static string TestsDirectory => Repository.PathOf("prometheus", "tests");

    public static IReadOnlyList<string> RuleFiles => [.. Directory.GetFiles(RulesDirectory, "*.yml").Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> TestFiles => [.. Directory.GetFiles(TestsDirectory, "*_test.yml").Order(StringComparer.Ordinal)];

    public static RuleFile ReadRules(string path) => Yaml.Deserialize<RuleFile>(File.ReadAllText(path));

    public static RuleTestFile ReadTests(string path) => Yaml.Deserialize<RuleTestFile>(File.ReadAllText(path));

    /// <summary>Every rule of every shipped rule file, with the file and group it is in.</summary>
    public static IEnumerable<(string File, RuleGroup Group, Rule Rule)> AllRules() =>
        from file in RuleFiles
        from gr in ReadRules(file).Groups
        from rule in gr.Rules
        select (Path.GetFileName(file), gr, rule);

    /// <summary>
    /// The metric names a PromQL expression reads: identifiers that are not functions, keywords, label names of
    /// by/on clauses, or inside strings, label matchers and range brackets. Enough for the rules we ship.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        // {__name__=~"(a|b)_up"} reads a_up and b_up.
        var byName = NameAlternation().Matches(expression)
            .SelectMany(m => m.Groups[1].Value.Split('|').Select(prefix => prefix + m.Groups[2].Value));
        var text = QuotedString().Replace(expression, "\"\"");
        text = LabelMatchers().Replace(text, "");
        text = RangeOrSubquery().Replace(text, "");
        text = GroupingClause().Replace(text, "");
        text = OffsetClause().Replace(text, "");
        return Identifier().Matches(text)
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name))
            .Concat(byName)
            .ToHashSet();
    }

    /// <summary>Metric names an annotation template asks Prometheus for with <c>query</c>.</summary>
    public static IReadOnlySet<string> QueriedMetricNames(string template) =>
        TemplateQuery().Matches(template).Select(m => m.Groups[1].Value).ToHashSet();

    private static readonly HashSet<string> Keywords =
        ["and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan"];

    [GeneratedRegex("__name__=~\"\\(([a-z_|]+)\\)([a-z_]*)\"")]
    private static partial Regex NameAlternation();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex("\\[[^\\]]*\\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)")]
    private static partial Regex GroupingClause();

    [GeneratedRegex("\\boffset\\s+[0-9a-z]+")]
    private static partial Regex OffsetClause();

    // Not after a digit or dot (1e12), not a prefix of a longer name, not a function call.
    [GeneratedRegex("(?<![\\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*(?![a-zA-Z0-9_:])(?!\\s*\\()")]
    private static partial Regex Identifier();

    [GeneratedRegex("query \\(printf \"([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex TemplateQuery();
}

internal sealed class RuleFile
{
    public List<RuleGroup> Groups { get; set; } = [];
}

internal sealed class RuleGroup
{
    public string Name { get; set; } = "";

    public string? Interval { get; set; }

    public List<Rule> Rules { get; set; } = [];
}

internal sealed class Rule
{
    public string? Alert { get; set; }

    public string? Record { get; set; }

    public string Expr { get; set; } = "";

    public string? For { get; set; }

    public Dictionary<string, string> Labels { get; set; } = [];

    public Dictionary<string, string> Annotations { get; set; } = [];
}

internal sealed class RuleTestFile
{
    public List<string> RuleFiles { get; set; } = [];

    public string? EvaluationInterval { get; set; }

    public List<string> GroupEvalOrder { get; set; } = [];

    public List<RuleTestGroup> Tests { get; set; } = [];
}

internal sealed class RuleTestGroup
{
    public string Name { get; set; } = "";

    public string? Interval { get; set; }

    public List<InputSeries> InputSeries { get; set; } = [];

    public List<AlertTestCase> AlertRuleTest { get; set; } = [];

    public List<Dictionary<string, object>> PromqlExprTest { get; set; } = [];
}

internal sealed class InputSeries
{
    public string Series { get; set; } = "";

    public string Values { get; set; } = "";
}

internal sealed class AlertTestCase
{
    public string EvalTime { get; set; } = "";

    public string Alertname { get; set; } = "";

    public List<ExpectedAlert> ExpAlerts { get; set; } = [];
}

internal sealed class ExpectedAlert
{
    public Dictionary<string, string> ExpLabels { get; set; } = [];

    public Dictionary<string, string> ExpAnnotations { get; set; } = [];
}
