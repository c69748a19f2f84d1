using System.Text.RegularExpressions;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// Every rule keeps working when one Prometheus watches many nodes. Not by reading the expressions for by (...)
/// lists, which would pass a one-to-one join that drops every label but those of its on (...): every shipped promtool
/// case is run again by promtool over two nodes (<see cref="FleetRuleTestCopy"/>), one beside its NodeHelper and one
/// probed, each alert expected on each node, with that node's labels and its own instance in its annotations. An
/// aggregation or a join that drops a target label, merges the nodes or cannot match them fails its case; so does an
/// annotation that reads the other node's value.
/// </summary>
public sealed partial class FleetRuleTests : IDisposable
{
    /// <summary>Always firing, for no node: the one alert a node label cannot be expected on.</summary>
    private const string Watchdog = "NodeHelperWatchdog";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-fleet-rules-");

    [Fact]
    public async Task EveryAlertFiresForItsNodeWithItsLabelsWhenTwoNodesAreWatchedOneOfThemProbed()
    {
        var copy = FleetRuleTestCopy.Write(_work.FullName);

        await PromtoolPassesAsync(copy);
        copy.AlertsOnBothNodes.Should().BeEquivalentTo(ShippedAlerts().Except([Watchdog]),
            "every alert is expected on each of the two nodes in some case where it fires");
        copy.AlertsWithAModule.Should().Contain(["NodeHelperBitcoindDown", "NodeHelperElectrumBehind", "NodeHelperLndHtlcNearExpiry", "NodeHelperTxindexMissing", "NodeHelperCollectorFailing"],
            "alerts joining bitcoind's series with another prober's, whose module labels differ, are among those checked on the probed node");
        copy.AlertsWithAModule.Should().HaveCountGreaterThan(40);
    }

    public void Dispose() => _work.Delete(recursive: true);

    private static IEnumerable<string> ShippedAlerts() =>
        AlertingBundle.AllRules().Select(r => r.Rule.Alert).OfType<string>().Distinct();

    private async Task PromtoolPassesAsync(FleetRuleTestCopy.Summary copy)
    {
        var promtool = ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus package");
        var files = Directory.GetFiles(Path.Join(_work.FullName, "tests"), "*_test.yml").Order(StringComparer.Ordinal).ToList();
        var result = await ExternalProcess.RunAsync(promtool, ["test", "rules", .. files], timeout: TimeSpan.FromMinutes(6));

        result.ExitCode.Should().Be(0, "promtool passes every case on both nodes:\n" + result.StandardOutput + result.StandardError);
        SuccessLine().Matches(result.StandardOutput).Should().HaveCount(copy.TestFiles);
    }

    [GeneratedRegex("^  SUCCESS$", RegexOptions.Multiline)]
    private static partial Regex SuccessLine();
}
