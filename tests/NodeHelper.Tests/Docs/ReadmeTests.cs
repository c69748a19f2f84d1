using NodeHelper.Exporter.Configuration;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Docs;

/// <summary>The README's tables say what the exporter really does: checked against the code and real scrapes of the whole stack.</summary>
[Collection(SharedMariaDb.Name)]
public sealed class ReadmeTests(MariaDbFixture mariadb)
{
    private static readonly string Readme = File.ReadAllText(Repository.PathOf("README.md"));

    [Fact]
    public void SettingsTableListsEverySettingWithItsDefault()
    {
        var rows = TableRows("## Settings").ToDictionary(r => Unquote(r[0]), r => Unquote(r[1]));

        rows.Should().BeEquivalentTo(ExporterSettings.DescribeAll().ToDictionary(s => s.Key, s => s.Default));
    }

    [Fact]
    public async Task MetricTableMatchesWhatTheExporterReallyExports()
    {
        var documented = TableRows("## Metrics").ToDictionary(
            r => Unquote(r[0]),
            r => (Type: r[1], Labels: LabelList(r[2])));
        var exported = await ExportedFamilies.OfWholeStackAsync(mariadb);
        var undocumented = exported.Keys.Except(documented.Keys).Select(n => $"| `{n}` | {exported[n].Type} | {string.Join(", ", exported[n].Labels.Select(l => $"`{l}`"))} | |");

        // The rows to paste come with the failure, rather than in a file left behind.
        documented.Keys.Should().BeEquivalentTo(exported.Keys,
            "every exported family is documented, and nothing else; rows for the missing ones:\n{0}", string.Join('\n', undocumented));
        foreach (var (name, family) in exported)
        {
            documented[name].Type.Should().Be(family.Type, $"the README's type of {name}");
            documented[name].Labels.Should().BeEquivalentTo(family.Labels, $"the README's labels of {name}");
        }
    }

    [Fact]
    public void AlertTableListsEveryAlertWithItsSeverityAndDuration()
    {
        var documented = TableRows("### Alerts").Select(r => (Alert: Unquote(r[0]), Severity: r[1], For: r[2])).ToList();
        var shipped = AlertingBundle.AllRules().Where(r => r.Rule.Alert is not null)
            .Select(r => (Alert: r.Rule.Alert!, Severity: r.Rule.Labels["severity"], For: r.Rule.For ?? "")).ToList();

        documented.Should().BeEquivalentTo(shipped, "the README's alert table is the one place that lists every alert and tier");
    }

    private static IEnumerable<string[]> TableRows(string heading)
    {
        var section = Readme[(Readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal) + heading.Length + 2)..];
        var end = section.IndexOf("\n## ", StringComparison.Ordinal);
        section = end < 0 ? section : section[..end];
        return section.Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray());
    }

    private static string Unquote(string cell) => cell.Trim('`');

    private static HashSet<string> LabelList(string cell) =>
        [.. cell.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote)];
}
