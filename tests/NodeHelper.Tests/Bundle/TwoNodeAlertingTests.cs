using System.Text.Json.Nodes;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;
using static NodeHelper.Tests.Bundle.AlertingEndToEndTests;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// One Prometheus and one Alertmanager for two nodes, home and vps, each with its bitcoind and the NodeHelper beside
/// it (the target label node names them): the shipped rules, routes and template with the end-to-end test's shortened
/// waits. When home's bitcoind breaks, exactly one mail comes, about home; vps raises nothing. Runs alone, with the
/// other end-to-end tests.
/// </summary>
[Collection(AlertingEndToEndTests.Collection)]
public sealed class TwoNodeAlertingTests(ITestOutputHelper output)
{
    private const string Watchdog = "NodeHelperWatchdog";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>Longer than Alertmanager's shortened group wait and group interval: a mail that was going to be sent has been.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task BitcoindDownOnOneNodeSendsExactlyOneMailAboutThatNode()
    {
        await using var homeBitcoind = await BitcoindSimulator.StartAsync();
        await using var vpsBitcoind = await BitcoindSimulator.StartAsync();
        Healthy(homeBitcoind.State);
        Healthy(vpsBitcoind.State);
        // Only bitcoind: this machine's own posture (its pending upgrades, its listeners) is neither node's.
        string[] only = ["--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"];
        await using var homeExporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(homeBitcoind, only));
        await using var vpsExporter = await ExporterUnderTest.StartAsync(ExporterUnderTest.For(vpsBitcoind, only));
        var home = homeExporter.BaseUrl.Authority;
        var vps = vpsExporter.BaseUrl.Authority;

        await using var smtp = await RealServers.StartSmtpSinkAsync(Directory.CreateTempSubdirectory("nodehelper-nodes-smtp-").FullName);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail"));
        await using var alertmanager = await RealServers.StartAlertmanagerAsync(AlertmanagerCopy(smtp.Port));
        // The shipped job, its one target become two, each with the node label a user gives it.
        await using var prometheus = await RealServers.StartPrometheusAsync(PrometheusCopy(home, alertmanager.Port, config =>
            BundleCopy.Replace(config, $"      - targets: [\"{home}\"]\n",
                $"      - targets: [\"{home}\"]\n        labels: {{node: home}}\n      - targets: [\"{vps}\"]\n        labels: {{node: vps}}\n")));
        try
        {
            await Eventually.TrueAsync("Prometheus sees bitcoind up on both nodes", Within, async () =>
                await QueryValueAsync(prometheus, "count(bitcoind_up{node=~\"home|vps\"} == 1)") == 2);
            await Eventually.TrueAsync("the Watchdog reaches Alertmanager", Within, async () =>
                (await AlertmanagerAlertsAsync(alertmanager)).Any(a => Label(a, "alertname") == Watchdog));
            await Task.Delay(Settle);
            Mailed(await PrometheusAlertsAsync(prometheus)).Should().BeEmpty("both nodes are healthy before one breaks");
            mail.Messages().Should().BeEmpty();

            // home's bitcoind refuses NodeHelper's login: down, with a reason its mail gives.
            homeBitcoind.State.Fault = BitcoindFault.Unauthorized;
            await Eventually.TrueAsync("home's bitcoind-down alert reaches Alertmanager", Within, async () =>
                (await AlertmanagerAlertsAsync(alertmanager)).Any(a => Label(a, "alertname") == "NodeHelperBitcoindDown" && State(a) == "active"));
            await mail.WaitForAsync(1, Within);
            await Task.Delay(Settle);

            var mails = mail.Messages();
            mails.Select(m => m.Subject).Should().Equal([$"[CRITICAL] home: bitcoind is down on {home}"], "one mail, naming the node that broke");
            mails[0].HtmlBody.Should().Contain($"NodeHelper &middot; home &middot; {home}")
                .And.Contain($"bitcoind on {home} has not answered NodeHelper&#39;s RPC calls for 2 minutes: it answers 401",
                    "the reason is home's, read from home's failure reason")
                .And.Contain($"node=\"home\"").And.NotContain(vps).And.NotContain("vps");
            mails[0].TextBody.Should().Contain($"CRITICAL: home: bitcoind is down on {home}").And.Contain("node=home").And.NotContain("vps");

            var alerts = Mailed(await PrometheusAlertsAsync(prometheus));
            alerts.Select(a => $"{Label(a, "alertname")} {Label(a, "node")} {Label(a, "instance")}")
                .Should().Equal([$"NodeHelperBitcoindDown home {home}"], "vps raises nothing that would be mailed, not even pending");
            Mailed(await AlertmanagerAlertsAsync(alertmanager)).Where(a => Label(a, "node") == "vps").Should().BeEmpty("nothing about vps reaches Alertmanager");
        }
        catch
        {
            output.WriteLine($"Prometheus:\n{prometheus.Output}\nAlertmanager:\n{alertmanager.Output}\nSMTP:\n{smtp.Output}");
            output.WriteLine("Alerts in Alertmanager:\n" + string.Join('\n', (await AlertmanagerAlertsAsync(alertmanager)).Select(a => a.ToJsonString())));
            output.WriteLine("Mails: " + string.Join(" | ", mail.Messages().Select(m => m.Subject)));
            throw;
        }
    }

    /// <summary>Prometheus's alerts, pending or firing, that could come as a mail: all but information and the Watchdog.</summary>
    private static List<JsonNode> Mailed(IReadOnlyList<JsonNode> alerts) =>
        [.. alerts.Where(a => Label(a, "severity") != "info" && Label(a, "alertname") != Watchdog)];
}
