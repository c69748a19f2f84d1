using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeHelper.Tests.Support;

/// <summary>
/// The shipped promtool tests (prometheus/tests/), rewritten for one Prometheus that watches two nodes: every input
/// series of a target (one with an instance label) becomes two, and every alert it expects the same two. The first
/// node has its NodeHelper beside it: the series as written, with node="first". The second is probed by a NodeHelper
/// elsewhere (prometheus/probe.yml): at "second-" + the instance, node="second", job="nodehelper_probe", and each
/// family /probe serves with its prober's module label, which differs between bitcoind's series and the others of
/// that node; its alerts name its instance in their annotations and carry the module of the component they are
/// about. Series and alerts already labelled with a node (the hand-written fleet cases) stay as written, and so does
/// the job of NodeHelper's own up (the exporter's target, which NodeHelperTargetDown names).
/// </summary>
internal static partial class FleetRuleTestCopy
{
    public const string ProbeJob = "nodehelper_probe";

    private const string LocalJob = "nodehelper";

    /// <summary>The first node's name; the second's is "second", at this prefix to the instance of the case.</summary>
    private const string First = "first";

    private const string Second = "second-";

    /// <summary>The probers of /probe, which are also the collectors' and their alerts' scopes.</summary>
    private static readonly string[] ProbedModules = ["bitcoind", "electrum", "mempool", "lnd"];

    /// <summary>
    /// Alerts whose labels come from another component's series than their scope says: the mempool backend's database
    /// (MariaDB's collector, which /probe does not serve) and bitcoind's version, judged as posture.
    /// </summary>
    private static readonly Dictionary<string, string?> ModuleOtherThanScope = new(StringComparer.Ordinal)
    {
        ["NodeHelperMempoolDatabaseBehind"] = null,
        ["NodeHelperMempoolStatisticsStale"] = null,
        ["NodeHelperBitcoindKnownVulnerable"] = "bitcoind",
    };

    /// <summary>What the copy changed: the alerts expected on both nodes, and those of them expected with a module on the probed one.</summary>
    public sealed record Summary(IReadOnlySet<string> AlertsOnBothNodes, IReadOnlySet<string> AlertsWithAModule, int TestFiles);

    /// <summary>Writes the copy into <paramref name="directory"/>: <c>rules/</c> as shipped, <c>tests/</c> rewritten.</summary>
    public static Summary Write(string directory)
    {
        var rules = Directory.CreateDirectory(Path.Join(directory, "rules")).FullName;
        foreach (var file in AlertingBundle.RuleFiles)
        {
            File.Copy(file, Path.Join(rules, Path.GetFileName(file)));
        }

        var tests = Directory.CreateDirectory(Path.Join(directory, "tests")).FullName;
        var onBoth = new HashSet<string>(StringComparer.Ordinal);
        var withModule = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in AlertingBundle.TestFiles)
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }

            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            foreach (var group in ((YamlSequenceNode)root["tests"]).Children.Cast<YamlMappingNode>())
            {
                if (group.Children.TryGetValue(new YamlScalarNode("input_series"), out var input))
                {
                    Rewrite((YamlSequenceNode)input, node => SeriesCopies((YamlMappingNode)node));
                }

                if (group.Children.TryGetValue(new YamlScalarNode("alert_rule_test"), out var cases))
                {
                    foreach (var test in ((YamlSequenceNode)cases).Children.Cast<YamlMappingNode>())
                    {
                        var alertname = test["alertname"].ToString();
                        Rewrite((YamlSequenceNode)test["exp_alerts"], node => AlertCopies(alertname, (YamlMappingNode)node, onBoth, withModule));
                    }
                }
            }

            using var writer = new StreamWriter(Path.Join(tests, Path.GetFileName(file)));
            stream.Save(writer, assignAnchors: false);
        }

        return new Summary(onBoth, withModule, AlertingBundle.TestFiles.Count);
    }

    private static void Rewrite(YamlSequenceNode sequence, Func<YamlNode, IEnumerable<YamlNode>> copies)
    {
        var rewritten = sequence.Children.SelectMany(copies).ToList();
        sequence.Children.Clear();
        foreach (var node in rewritten)
        {
            sequence.Add(node);
        }
    }

    private static IEnumerable<YamlNode> SeriesCopies(YamlMappingNode input)
    {
        var text = input["series"].ToString();
        var match = SeriesSyntax().Match(text);
        if (!match.Success)
        {
            throw new InvalidOperationException($"An input series FleetRuleTestCopy cannot read: {text}");
        }

        var name = match.Groups["name"].Value;
        var labels = LabelPair().Matches(match.Groups["labels"].Value).Select(m => (Name: m.Groups[1].Value, Value: m.Groups[2].Value)).ToList();
        if (labels.All(l => l.Name != "instance") || labels.Any(l => l.Name == "node"))
        {
            yield return input;
            yield break;
        }

        var instance = labels.Single(l => l.Name == "instance").Value;
        yield return Series(name, [.. labels, ("node", First)], input);

        var probed = labels.Select(l => l.Name == "instance" ? (l.Name, Second + instance) : l).Append(("node", "second")).ToList();
        if (name != "up" && probed.Remove(("job", LocalJob)))
        {
            probed.Add(("job", ProbeJob));
            if (ModuleOf(name, labels) is { } module)
            {
                probed.Add(("module", module));
            }
        }

        yield return Series(name, probed, input);
    }

    private static YamlMappingNode Series(string name, IEnumerable<(string Name, string Value)> labels, YamlMappingNode input) => new(
        new YamlScalarNode("series"), new YamlScalarNode($"{name}{{{string.Join(", ", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}") { Style = ScalarStyle.SingleQuoted },
        new YamlScalarNode("values"), new YamlScalarNode(input["values"].ToString()) { Style = ScalarStyle.SingleQuoted });

    private static IEnumerable<YamlNode> AlertCopies(string alertname, YamlMappingNode alert, HashSet<string> onBoth, HashSet<string> withModule)
    {
        var labels = ((YamlMappingNode)alert["exp_labels"]).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString(), StringComparer.Ordinal);
        var annotations = ((YamlMappingNode)alert["exp_annotations"]).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString(), StringComparer.Ordinal);
        if (!labels.TryGetValue("instance", out var original) || labels.ContainsKey("node"))
        {
            yield return alert;
            yield break;
        }

        onBoth.Add(alertname);
        yield return Alert(new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["node"] = First }, annotations);

        var probed = new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["instance"] = Second + original, ["node"] = "second" };
        if (alertname != "NodeHelperTargetDown" && labels.GetValueOrDefault("job") == LocalJob)
        {
            probed["job"] = ProbeJob;
            var module = ModuleOtherThanScope.TryGetValue(alertname, out var other) ? other
                : ProbedModules.Contains(labels.GetValueOrDefault("scope")) ? labels["scope"] : null;
            if (module is not null)
            {
                probed["module"] = module;
                withModule.Add(alertname);
            }
        }

        yield return Alert(probed, annotations.ToDictionary(a => a.Key, a => a.Value.Replace(original, Second + original, StringComparison.Ordinal)));
    }

    private static YamlMappingNode Alert(Dictionary<string, string> labels, Dictionary<string, string> annotations) => new(
        new YamlScalarNode("exp_labels"), Mapping(labels),
        new YamlScalarNode("exp_annotations"), Mapping(annotations));

    /// <summary>The module of the prober that serves <paramref name="name"/> under /probe, if one does.</summary>
    private static string? ModuleOf(string name, List<(string Name, string Value)> labels)
    {
        if (name.StartsWith("nodehelper_scrape_collector_", StringComparison.Ordinal))
        {
            var collector = labels.FirstOrDefault(l => l.Name == "collector").Value;
            return ProbedModules.Contains(collector) ? collector : null;
        }

        return name.StartsWith("mempool_frontend_", StringComparison.Ordinal)
            ? null
            : ProbedModules.FirstOrDefault(m => name.StartsWith(m + "_", StringComparison.Ordinal));
    }

    private static YamlMappingNode Mapping(Dictionary<string, string> pairs)
    {
        var mapping = new YamlMappingNode();
        foreach (var (key, value) in pairs)
        {
            mapping.Add(new YamlScalarNode(key), new YamlScalarNode(value) { Style = ScalarStyle.DoubleQuoted });
        }

        return mapping;
    }

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\\{(?<labels>.*)\\}$")]
    private static partial Regex SeriesSyntax();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();
}
