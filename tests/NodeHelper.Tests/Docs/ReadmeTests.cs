using System.Text.RegularExpressions;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Collectors;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Docs;

/// <summary>The README's tables say what the exporter really does: checked against the code and real scrapes of the whole stack.</summary>
[Collection(SharedMariaDb.Name)]
public sealed partial class ReadmeTests(MariaDbFixture mariadb)
{
    private static readonly string Readme = File.ReadAllText(Path.Join(RepositoryRoot(), "README.md"));

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
        var exported = await EveryFamilyExportedAsync();
        var undocumented = exported.Keys.Except(documented.Keys).Select(n => $"| `{n}` | {exported[n].Type} | {string.Join(", ", exported[n].Labels.Select(l => $"`{l}`"))} | |");
        File.WriteAllLines(Path.Join(Path.GetTempPath(), "nodehelper-undocumented-metrics.md"), undocumented);

        documented.Keys.Should().BeEquivalentTo(exported.Keys, "every exported family is documented, and nothing else");
        foreach (var (name, family) in exported)
        {
            documented[name].Type.Should().Be(family.Type, $"the README's type of {name}");
            documented[name].Labels.Should().BeEquivalentTo(family.Labels, $"the README's labels of {name}");
        }
    }

    /// <summary>Every family with its type and label names, over scrapes that between them show every series: the whole stack
    /// with peers and a real MariaDB (after the block stats and directory sizes are in), a pruned node, one warming up.</summary>
    private async Task<Dictionary<string, (string Type, HashSet<string> Labels)>> EveryFamilyExportedAsync()
    {
        var database = mariadb.UniqueName("mempool");
        await MariaDbCollectorTests.CreateMempoolDatabaseAsync(mariadb.Server, database);
        await using var stack = await SimulatedStack.StartAsync();
        await using var exporter = await ExporterUnderTest.StartAsync(stack.Settings(
            "--MariaDb:Enabled=true", $"--MariaDb:ConnectionString=Server={mariadb.Server.Socket};User ID=root", $"--MariaDb:MempoolDatabase={database}"));
        stack.Bitcoind.State.SetPeerCount(6);
        var scrapes = new List<Exposition>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var scrape = (await exporter.ScrapeAsync()).Metrics;
            if (scrape.Names.Contains("bitcoind_latest_block_height") && scrape.Names.Contains("nodehelper_directory_size_bytes"))
            {
                scrapes.Add(scrape);
                break;
            }

            await Task.Delay(100);
        }

        scrapes.Should().HaveCount(1, "block stats and directory sizes arrive within a few scrapes");
        stack.Bitcoind.State.Pruned = true;
        scrapes.Add((await exporter.ScrapeAsync()).Metrics);
        stack.Bitcoind.State.Fault = BitcoindFault.WarmingUp;
        scrapes.Add((await exporter.ScrapeAsync()).Metrics);

        var families = new Dictionary<string, (string Type, HashSet<string> Labels)>();
        foreach (var scrape in scrapes)
        {
            foreach (var series in scrape.Series.Keys)
            {
                var name = series.Split('{')[0];
                var labels = LabelNamePattern().Matches(series).Select(m => m.Groups[1].Value);
                if (!families.TryGetValue(name, out var family))
                {
                    family = (scrape.Types[name], []);
                    families[name] = family;
                }

                family.Labels.UnionWith(labels);
            }
        }

        return families;
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

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "NodeHelper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (NodeHelper.sln) above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("[{,]([a-z_]+)=\"")]
    private static partial Regex LabelNamePattern();
}
