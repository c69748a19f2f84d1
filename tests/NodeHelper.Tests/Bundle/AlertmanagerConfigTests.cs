using System.Text;
using System.Text.Json.Nodes;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace NodeHelper.Tests.Bundle;

/// <summary>The shipped Alertmanager configuration and mail template, checked with Debian's amtool.</summary>
public sealed class AlertmanagerConfigTests : IDisposable
{
    private static readonly string ConfigFile = Repository.PathOf("alertmanager", "alertmanager.yml");

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-amtool-");

    [Fact]
    public async Task AmtoolAcceptsTheConfiguration()
    {
        var result = await Amtool("check-config", ConfigFile);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("6 inhibit rules").And.Contain("1 templates");
    }

    [Fact]
    public async Task EveryAlertIsRoutedByItsSeverity()
    {
        var alerts = AlertingBundle.AllRules().Where(r => r.Rule.Alert is not null)
            .Select(r => (Name: r.Rule.Alert!, Severity: r.Rule.Labels["severity"], Scope: r.Rule.Labels.GetValueOrDefault("scope", "bitcoind")))
            .Distinct();

        foreach (var (name, severity, scope) in alerts)
        {
            var expected = name == "NodeHelperWatchdog" ? "deadmans-switch" : severity == "info" ? "blackhole" : "email";
            var result = await Amtool("config", "routes", "test", $"--config.file={ConfigFile}", $"alertname={name}", $"severity={severity}", $"scope={scope}", "instance=node:9338");

            result.StandardOutput.Trim().Should().Be(expected, $"{name} ({severity}) goes to {expected}");
        }
    }

    [Fact]
    public void NoSecretIsInTheFileAndEveryMailSaysWhenItIsResolved()
    {
        var keys = new List<(string Key, YamlNode Value)>();
        Walk(Load(ConfigFile), keys);

        keys.Select(k => k.Key).Should().Contain("smtp_auth_password_file")
            .And.NotContain(["smtp_auth_password", "auth_password", "smtp_auth_secret", "auth_secret", "auth_identity"],
                "passwords are read from files, never written in a file that may be kept in git");
        keys.Where(k => k.Key == "send_resolved").Select(k => k.Value.ToString()).Should().OnlyContain(v => v == "true");
        keys.Select(k => k.Key).Should().Contain("send_resolved");
        keys.Where(k => k.Key == "smtp_require_tls").Select(k => k.Value.ToString()).Should().Equal("true");
    }

    [Fact]
    public void InhibitionsAreWrittenWithMatchers()
    {
        var root = (YamlMappingNode)Load(ConfigFile);
        var rules = ((YamlSequenceNode)root.Children[new YamlScalarNode("inhibit_rules")]).Children.Cast<YamlMappingNode>().ToList();

        rules.Should().NotBeEmpty();
        foreach (var rule in rules)
        {
            var keys = rule.Children.Keys.Select(k => k.ToString()).ToList();
            keys.Should().Contain(["source_matchers", "target_matchers", "equal"]).And.NotContain(["source_match", "target_match", "source_match_re", "target_match_re"]);
        }
    }

    /// <summary>LND's alerts held back while bitcoind is down: they follow from it. Written here, not read from the configuration.</summary>
    private static readonly string[] LndAlertsBitcoindDownHoldsBack = ["NodeHelperLndDown", "NodeHelperLndNotSyncedToChain", "NodeHelperLndBehindBitcoind"];

    [Fact]
    public async Task InhibitionsHoldBackWhatFollowsFromACauseButNeverLndsWalletChannelsOrBackup()
    {
        // Every LND alert and tier, as the rules label it; each case on a node of its own, so that only its pair meets.
        var lnd = AlertingBundle.AllRules().Where(r => r.Rule.Alert is not null && r.Rule.Labels.GetValueOrDefault("scope") == "lnd")
            .Select(r => (Name: r.Rule.Alert!, Severity: r.Rule.Labels["severity"])).Distinct().ToList();
        lnd.Should().HaveCountGreaterThan(10);
        var posted = new List<JsonObject>();
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = 0;
        void Case(string cause, string causeSeverity, string causeScope, (string Name, string Severity) target, bool heldBack)
        {
            var instance = $"node{++node}:9338";
            posted.Add(PostedAlert(cause, causeSeverity, causeScope, instance));
            posted.Add(PostedAlert(target.Name, target.Severity, "lnd", instance));
            expected[Key(target.Name, target.Severity, instance)] = heldBack ? "suppressed" : "active";
        }

        // bitcoind down holds back what follows from it, and nothing else of LND's.
        foreach (var alert in lnd)
        {
            Case("NodeHelperBitcoindDown", "critical", "bitcoind", alert, heldBack: LndAlertsBitcoindDownHoldsBack.Contains(alert.Name));
        }

        // LND down holds back its own warnings, none of its critical alerts (the channel backup's copy among them).
        foreach (var alert in lnd.Where(a => a.Name != "NodeHelperLndDown"))
        {
            Case("NodeHelperLndDown", "critical", "lnd", alert, heldBack: alert.Severity != "critical");
        }

        // No active channel at all holds back "some channels inactive".
        Case("NodeHelperLndNoActiveChannels", "critical", "lnd", ("NodeHelperLndChannelsInactive", "warning"), heldBack: true);

        expected.Where(e => e.Value == "active").Select(e => e.Key.Split('|')[0]).Should()
            .Contain(["NodeHelperLndWalletLocked", "NodeHelperLndChannelBackupCopyStale", "NodeHelperLndChannelBackupMissing", "NodeHelperLndHtlcNearExpiry"],
                "the wallet, the channel backup and an HTLC about to go on chain need someone whatever bitcoind does");

        // Its own directory, which it deletes when it stops. Nothing listens on the SMTP port: the test reads
        // Alertmanager's verdicts, not its mail.
        var directory = Directory.CreateTempSubdirectory("nodehelper-am-inhibit-").FullName;
        BundleCopy.Alertmanager(Repository.Root, directory, LoopbackPort.Free());
        await using var alertmanager = await RealServers.StartAlertmanagerAsync(directory);
        using (var body = new StringContent(new JsonArray([.. posted]).ToJsonString(), Encoding.UTF8, "application/json"))
        {
            (await Http.PostAsync(new Uri(alertmanager.Url, "api/v2/alerts"), body)).EnsureSuccessStatusCode();
        }

        // The inhibitor learns of each source alert shortly after it arrives: wait until the verdicts settle.
        var actual = new Dictionary<string, string>();
        try
        {
            await Eventually.TrueAsync("Alertmanager's verdicts are the expected ones", TimeSpan.FromSeconds(20), async () =>
            {
                actual = (JsonNode.Parse(await Http.GetStringAsync(new Uri(alertmanager.Url, "api/v2/alerts")))?.AsArray() ?? [])
                    .OfType<JsonNode>()
                    .Select(a => (Key: Key(a["labels"]!["alertname"]!.GetValue<string>(), a["labels"]!["severity"]!.GetValue<string>(), a["labels"]!["instance"]!.GetValue<string>()),
                        State: a["status"]!["state"]!.GetValue<string>()))
                    .Where(a => expected.ContainsKey(a.Key))
                    .ToDictionary(a => a.Key, a => a.State, StringComparer.Ordinal);
                return actual.Count == expected.Count && expected.All(e => actual[e.Key] == e.Value);
            });
        }
        catch (Xunit.Sdk.XunitException)
        {
            // The comparison below says which verdict differs.
        }

        actual.Should().BeEquivalentTo(expected, "Alertmanager, with the shipped inhibitions, holds back exactly these");
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static string Key(string alertname, string severity, string instance) => $"{alertname}|{severity}|{instance}";

    /// <summary>A firing alert as Prometheus posts it to Alertmanager's API.</summary>
    private static JsonObject PostedAlert(string alertname, string severity, string scope, string instance, string? node = null) => new()
    {
        ["labels"] = WithNode(new JsonObject { ["alertname"] = alertname, ["severity"] = severity, ["scope"] = scope, ["instance"] = instance, ["job"] = "nodehelper" }, node),
        ["annotations"] = new JsonObject { ["summary"] = $"{alertname} on {instance}" },
        ["startsAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["endsAt"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task SubjectSaysSeverityAndTheFirstSummary()
    {
        (await Render("subject", Data("firing", Alert("firing", "critical", "bitcoind is down on node:9338"))))
            .Should().Be("[CRITICAL] bitcoind is down on node:9338");
        (await Render("subject", Data("firing",
                Alert("firing", "warning", "The Electrum server answers slowly on node:9338"),
                Alert("firing", "warning", "The Electrum server is 5 blocks behind bitcoind on node:9338"),
                Alert("resolved", "warning", "Something that has passed"))))
            .Should().Be("[WARNING] The Electrum server answers slowly on node:9338 (1 of 2)");
        (await Render("subject", Data("resolved", Alert("resolved", "critical", "bitcoind is down on node:9338"))))
            .Should().Be("[RESOLVED] bitcoind is down on node:9338");
    }

    [Fact]
    public async Task HtmlMailReadsOnAPhoneAndEscapesWhatItShows()
    {
        var data = Data("firing",
            Alert("firing", "critical", "bitcoind is down on node:9338", description: "Hostile <script>alert(1)</script> & co"),
            Alert("resolved", "critical", "The mempool backend is down on node:9338"));

        var html = await Render("html", data, type: "html");

        html.Should().Contain("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .And.Contain("max-width:600px")
            .And.Contain("Hostile &lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
            .And.NotContain("<script>")
            .And.Contain("bitcoind is down on node:9338")
            .And.Contain("Resolved in the meantime")
            .And.Contain("The mempool backend is down on node:9338");
        html.Split("What to do").Should().HaveCount(2, "the firing alert says what to do, the resolved one does not");
        html.Should().Contain("<code style=\"background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:13px;\">systemctl status bitcoind</code>",
            "the mail carries the runbook's first checks for its alert, so it can be acted on where no link opens");
        html.Should().Contain($"href=\"{RunbookUrl}\"");
        html.Should().Contain("amtool --alertmanager.url=http://127.0.0.1:9093 silence add alertname=\"NodeHelperBitcoindDown\" instance=\"node:9338\"")
            .And.NotContain("where alerts can be silenced", "Debian's Alertmanager has no web UI to silence them in");
    }

    [Fact]
    public async Task TextMailHasEverythingTheHtmlOneHas()
    {
        var text = await Render("text", Data("firing", Alert("firing", "warning", "The Electrum server answers slowly on node:9338")));

        text.Should().Contain("WARNING: The Electrum server answers slowly on node:9338")
            .And.Contain("Since 23 Nov 2026 10:00 UTC")
            .And.Contain("What to do:\nCheck first:\n1. `systemctl status bitcoind`")
            .And.Contain($"The whole runbook section: {RunbookUrl}")
            .And.Contain("Sent by the Alertmanager at http://127.0.0.1:9093.")
            .And.Contain("amtool --alertmanager.url=http://127.0.0.1:9093 silence add alertname=\"NodeHelperBitcoindDown\" instance=\"node:9338\"");
    }

    [Fact]
    public async Task MailsNameTheNodeWhereANodeLabelDoesAndTheSummaryDoesNot()
    {
        // Each node's Prometheus scrapes its own NodeHelper at 127.0.0.1:9338, and one Alertmanager mails for both:
        // the node label is what tells them apart.
        var home = Data("firing", Alert("firing", "critical", "bitcoind is down on 127.0.0.1:9338", instance: "127.0.0.1:9338", node: "home"));

        (await Render("subject", home)).Should().Be("[CRITICAL] home: bitcoind is down on 127.0.0.1:9338");
        (await Render("subject", Data("resolved", Alert("resolved", "critical", "bitcoind is down on 127.0.0.1:9338", instance: "127.0.0.1:9338", node: "home"))))
            .Should().Be("[RESOLVED] home: bitcoind is down on 127.0.0.1:9338");
        var html = await Render("html", home, type: "html");
        html.Should().Contain("NodeHelper &middot; home &middot; 127.0.0.1:9338")
            .And.Contain(">home: bitcoind is down on 127.0.0.1:9338</p>")
            .And.Contain("silence add alertname=\"NodeHelperBitcoindDown\" instance=\"127.0.0.1:9338\" node=\"home\" --duration=2h",
                "a silence for one node's alert must not silence the other's at the same instance");
        (await Render("text", home)).Should().Contain("CRITICAL: home: bitcoind is down on 127.0.0.1:9338")
            .And.Contain("node=home");

        // Under /probe the instance is the node's name, which the summary already says.
        var probed = Data("firing", Alert("firing", "critical", "bitcoind is down on vps", instance: "vps", node: "vps"));
        (await Render("subject", probed)).Should().Be("[CRITICAL] bitcoind is down on vps");
        (await Render("html", probed, type: "html")).Should().Contain("NodeHelper &middot; vps</p>").And.NotContain("vps: ");
    }

    [Fact]
    public async Task TwoNodesAtTheSameInstanceAreGroupedAndInhibitedApart()
    {
        // Both nodes' Prometheus scrape 127.0.0.1:9338; their node labels differ. bitcoind is down on home only.
        const string Instance = "127.0.0.1:9338";
        var posted = new JsonArray(
            PostedAlert("NodeHelperBitcoindDown", "critical", "bitcoind", Instance, node: "home"),
            PostedAlert("NodeHelperElectrumDown", "critical", "electrum", Instance, node: "home"),
            PostedAlert("NodeHelperElectrumDown", "critical", "electrum", Instance, node: "vps"));
        var directory = Directory.CreateTempSubdirectory("nodehelper-am-nodes-").FullName;
        BundleCopy.Alertmanager(Repository.Root, directory, LoopbackPort.Free());
        await using var alertmanager = await RealServers.StartAlertmanagerAsync(directory);
        using (var body = new StringContent(posted.ToJsonString(), Encoding.UTF8, "application/json"))
        {
            (await Http.PostAsync(new Uri(alertmanager.Url, "api/v2/alerts"), body)).EnsureSuccessStatusCode();
        }

        string[] expected = ["NodeHelperBitcoindDown home active", "NodeHelperElectrumDown home suppressed", "NodeHelperElectrumDown vps active"];
        var states = new List<string>();
        try
        {
            await Eventually.TrueAsync("Alertmanager's verdicts settle", TimeSpan.FromSeconds(20), async () =>
            {
                var alerts = JsonNode.Parse(await Http.GetStringAsync(new Uri(alertmanager.Url, "api/v2/alerts")))!.AsArray().OfType<JsonNode>();
                states = [.. alerts.Select(a => $"{a["labels"]!["alertname"]} {a["labels"]!["node"]} {a["status"]!["state"]}").Order(StringComparer.Ordinal)];
                return states.SequenceEqual(expected);
            });
        }
        catch (Xunit.Sdk.XunitException)
        {
            // The comparison below says which verdict differs.
        }

        states.Should().Equal(expected, "bitcoind down on home says nothing about vps's Electrum server");
        var groups = JsonNode.Parse(await Http.GetStringAsync(new Uri(alertmanager.Url, "api/v2/alerts/groups")))!.AsArray().OfType<JsonNode>()
            .Select(g => string.Join(" ", g["labels"]!.AsObject().OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))
            .Order(StringComparer.Ordinal);
        groups.Should().Equal(
            [$"alertname=NodeHelperBitcoindDown instance={Instance} node=home", $"alertname=NodeHelperElectrumDown instance={Instance} node=home",
             $"alertname=NodeHelperElectrumDown instance={Instance} node=vps"],
            "each node's alerts go in mails of their own");
    }

    /// <summary>A runbook_url as Prometheus expands it, for a Prometheus at its usual address.</summary>
    private const string RunbookUrl = "http://127.0.0.1:9090/consoles/nodehelper-runbook.html#nodehelperbitcoinddown";

    public void Dispose() => _work.Delete(recursive: true);

    private static JsonObject Alert(string status, string severity, string summary, string description = "What happened, with its values.",
        string instance = "node:9338", string? node = null) => new()
    {
        ["status"] = status,
        ["labels"] = WithNode(new JsonObject { ["alertname"] = "NodeHelperBitcoindDown", ["severity"] = severity, ["scope"] = "bitcoind", ["instance"] = instance, ["job"] = "nodehelper" }, node),
        ["annotations"] = new JsonObject { ["summary"] = summary, ["description"] = description, ["runbook_url"] = RunbookUrl },
        ["startsAt"] = "2026-11-23T10:00:00Z",
        ["endsAt"] = status == "resolved" ? "2026-11-23T10:30:00Z" : "0001-01-01T00:00:00Z",
    };

    private static JsonObject Data(string status, params JsonObject[] alerts) => new()
    {
        ["receiver"] = "email",
        ["status"] = status,
        ["alerts"] = new JsonArray(alerts),
        ["groupLabels"] = new JsonObject { ["alertname"] = "NodeHelperBitcoindDown" },
        ["commonLabels"] = WithNode(new JsonObject { ["severity"] = alerts[0]["labels"]!["severity"]!.GetValue<string>(), ["instance"] = alerts[0]["labels"]!["instance"]!.GetValue<string>() },
            alerts[0]["labels"]!["node"]?.GetValue<string>()),
        ["commonAnnotations"] = new JsonObject(),
        ["externalURL"] = "http://127.0.0.1:9093",
    };

    private static JsonObject WithNode(JsonObject labels, string? node)
    {
        if (node is not null)
        {
            labels["node"] = node;
        }

        return labels;
    }

    private async Task<string> Render(string part, JsonObject data, string type = "text")
    {
        var file = Path.Join(_work.FullName, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, data.ToJsonString());
        var result = await Amtool("template", "render", $"--template.glob={Repository.PathOf("alertmanager", "templates", "*.tmpl")}",
            $"--template.data={file}", $"--template.type={type}", $"--template.text={{{{ template \"nodehelper.email.{part}\" . }}}}");
        result.ExitCode.Should().Be(0, result.StandardError);
        return result.StandardOutput.Trim();
    }

    private static YamlNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    private static void Walk(YamlNode node, List<(string Key, YamlNode Value)> keys)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    keys.Add((key.ToString(), value));
                    Walk(value, keys);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    Walk(child, keys);
                }

                break;
        }
    }

    private static Task<ExternalProcess.Result> Amtool(params string[] arguments) =>
        ExternalProcess.RunAsync(ExternalProcess.Require("amtool", "run `make test`, which installs Debian's prometheus-alertmanager package"), arguments);
}
