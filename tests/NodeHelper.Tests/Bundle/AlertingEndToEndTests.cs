using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;
using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// The whole alerting path with real programs: the exporter over the simulators, Debian's Prometheus evaluating the
/// shipped rules, Debian's Alertmanager with the shipped routing and template, and an SMTP listener on loopback.
/// The test's own copies shorten the waits (every <c>for:</c> divided by 30, scrapes every 2 seconds, evaluations
/// every second, Alertmanager's group waits to seconds); the shipped files stay as they are. It runs alone, after
/// the parallel tests: its timings are short, and a starved scrape would be an alert.
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed partial class AlertingEndToEndTests(ITestOutputHelper output)
{
    internal const string Collection = "Alerting end to end";

    private const string Name = Collection;

    /// <summary>Every <c>for:</c> is divided by this: 2 minutes become 4 seconds, and the order of the alerts stays the shipped one.</summary>
    private const int WaitDivisor = 30;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>Longer than Alertmanager's shortened group wait and group interval: a mail that was going to be sent has been.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The alerts that fire because bitcoind is down, and that Alertmanager must hold back.</summary>
    private static readonly string[] Dependents = ["NodeHelperElectrumDown", "NodeHelperMempoolBackendDown"];

    [Fact]
    public async Task BitcoindDownSendsExactlyOneMailAndItsRecoveryTheResolvedOne()
    {
        var cookies = Directory.CreateTempSubdirectory("nodehelper-e2e-cookie-");
        var bitcoindOptions = new BitcoindSimulatorOptions { CookieDirectory = cookies.FullName };
        var bitcoind = await BitcoindSimulator.StartAsync(bitcoindOptions);
        try
        {
            Healthy(bitcoind.State);
            await using var electrum = await ElectrumSimulator.StartAsync();
            await using var mempool = await MempoolSimulator.StartAsync();
            await using var exporter = await ExporterUnderTest.StartAsync(
            [
                .. ExporterUnderTest.For(bitcoind),
                "--Electrum:Enabled=true", $"--Electrum:Host={electrum.Host}", $"--Electrum:Port={electrum.Port}",
                "--Mempool:Enabled=true", $"--Mempool:Url={mempool.Url}",
                // This machine's own posture (its pending upgrades, its listeners) is not the healthy stack under test.
                "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
            ]);
            var instance = exporter.BaseUrl.Authority;

            await WithAlertingAsync(instance, async (prometheus, alertmanager, mail) =>
            {
                // A healthy stack: scraped, evaluated, the Watchdog through to Alertmanager, nothing else firing or pending.
                await Eventually.TrueAsync("Prometheus sees every component up", Within, async () =>
                    await QueryValueAsync(prometheus, "min(bitcoind_up) + min(electrum_up) + min(mempool_up)") == 3);
                await AssertQuietAsync(prometheus, alertmanager, mail, "the simulated stack is healthy before anything breaks");

                // bitcoind stops, and what depends on it fails with it.
                await bitcoind.DisposeAsync();
                await electrum.StopListeningAsync();
                mempool.State.Fault = MempoolFault.Http500;

                await Eventually.TrueAsync("the dependent alerts fire and are inhibited by bitcoind down", Within, async () =>
                {
                    var alerts = await AlertmanagerAlertsAsync(alertmanager);
                    return alerts.Any(a => Label(a, "alertname") == "NodeHelperBitcoindDown" && State(a) == "active")
                        && Dependents.All(name =>
                            alerts.Any(a => Label(a, "alertname") == name && State(a) == "suppressed" && a["status"]!["inhibitedBy"]!.AsArray().Count > 0));
                });
                await mail.WaitForAsync(1, Within);
                await Task.Delay(Settle);

                var down = mail.Messages();
                down.Select(m => m.Subject).Should().Equal([$"[CRITICAL] bitcoind is down on {instance}"], "one mail, about the root cause only");
                var downMail = down[0];
                downMail.To.Mailboxes.Select(m => m.Address).Should().Equal("you@example.org");
                downMail.HtmlBody.Should().Contain($"bitcoind on {instance} has not answered NodeHelper&#39;s RPC calls for 2 minutes: " +
                    "nothing listens at its RPC address (connection refused): is bitcoind running, and is Bitcoind:Url its rpcbind and rpcport?",
                    "the mail says why, from the reason the exporter recorded for the simulated fault (a stopped bitcoind)");
                downMail.TextBody.Should().Contain($"CRITICAL: bitcoind is down on {instance}")
                    .And.Contain("1. `systemctl status bitcoind`", "the mail carries the runbook's first checks");
                var runbook = new Uri(prometheus.Url, "consoles/nodehelper-runbook.html#nodehelperbitcoinddown");
                downMail.HtmlBody.Should().Contain($"href=\"{runbook}\"", "the link is Prometheus's own page of the runbook");
                var page = await Http.GetStringAsync(runbook);
                page.Should().Contain("<h3 id=\"nodehelperbitcoinddown\">NodeHelperBitcoindDown</h3>", "the link opens, on its section");
                downMail.HtmlBody.Should().Contain($"amtool --alertmanager.url={alertmanager.Url.ToString().TrimEnd('/')} silence add").And.NotContain("where alerts can be silenced");

                // The dependents recover first (an Electrum server restarts after bitcoind), then bitcoind on its port.
                electrum.StartListening();
                mempool.State.Fault = MempoolFault.None;
                await Eventually.TrueAsync("the dependent alerts resolve", Within, async () =>
                    !(await AlertmanagerAlertsAsync(alertmanager)).Any(a => Dependents.Contains(Label(a, "alertname"))));
                bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Port = bitcoind.Url.Port, CookieDirectory = cookies.FullName });
                Healthy(bitcoind.State);

                await mail.WaitForAsync(2, Within);
                await Task.Delay(Settle);
                var all = mail.Messages();
                all.Select(m => m.Subject).Should().Equal(
                    [$"[CRITICAL] bitcoind is down on {instance}", $"[RESOLVED] bitcoind is down on {instance}"],
                    "the recovery sends one resolved mail, and the inhibited alerts none");
                all[1].HtmlBody.Should().Contain("Resolved &middot; bitcoind").And.NotContain("What to do");
            });
        }
        finally
        {
            await bitcoind.DisposeAsync();
            cookies.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task LndWalletLockedSendsExactlyOneMailAndUnlockingItsResolvedOne()
    {
        // LND's channel.backup, with no copy watched (Lnd:ChannelBackupCopy unset: no copy alert can fire).
        var files = Directory.CreateTempSubdirectory("nodehelper-e2e-lnd-");
        var channelBackup = Path.Join(files.FullName, "channel.backup");
        await File.WriteAllBytesAsync(channelBackup, [1, 2, 3, 4]);
        try
        {
            await using var bitcoind = await BitcoindSimulator.StartAsync();
            Healthy(bitcoind.State);
            await using var lnd = await LndSimulator.StartAsync();
            // One chain: LND at the simulated bitcoind's tip (the captures come from different networks).
            lnd.State.BlockHeight = bitcoind.State.Blocks;
            await using var exporter = await ExporterUnderTest.StartAsync(
            [
                .. ExporterUnderTest.For(bitcoind),
                "--Lnd:Enabled=true", $"--Lnd:Url={lnd.Url}", $"--Lnd:MacaroonFile={lnd.MacaroonFile}", $"--Lnd:TlsCertFile={lnd.TlsCertFile}",
                $"--Lnd:ChannelBackupFile={channelBackup}",
                // This machine's own posture (its pending upgrades, its listeners) is not the healthy stack under test.
                "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
            ]);
            var instance = exporter.BaseUrl.Authority;

            await WithAlertingAsync(instance, async (prometheus, alertmanager, mail) =>
            {
                // A healthy LND: answering, unlocked, in sync, with active channels, its balance above the anchor reserve,
                // its certificate far from expiry and channel.backup there; nothing else firing or pending.
                await Eventually.TrueAsync("Prometheus sees bitcoind and an unlocked LND in sync", Within, async () =>
                    await QueryValueAsync(prometheus, "min(bitcoind_up) + min(lnd_up) + min(lnd_synced_to_chain) - max(lnd_wallet_locked)") == 3);
                (await QueryValueAsync(prometheus, "min(lnd_channels{state=\"active\"})")).Should().BeGreaterThan(0);
                (await QueryValueAsync(prometheus, "min(lnd_wallet_balance_sat{balance=\"confirmed\"} - ignoring(balance) lnd_wallet_anchor_reserve_sat)"))
                    .Should().BeGreaterThan(0, "the simulated wallet holds more than its anchor reserve");
                (await QueryValueAsync(prometheus, "min(lnd_tls_certificate_expiry_timestamp_seconds) - time()")).Should().BeGreaterThan(14 * 86400);
                (await QueryValueAsync(prometheus, "min(lnd_channel_backup_exists)")).Should().Be(1);
                (await QueryValueAsync(prometheus, "count(lnd_channel_backup_copy_matches)")).Should().BeNull("no copy is watched");
                await AssertQuietAsync(prometheus, alertmanager, mail, "the simulated stack with LND is healthy before the wallet is locked");

                // LND restarts without unlocking its wallet: it answers its state, nothing else.
                lnd.State.WalletState = LndWalletState.Locked;
                await Eventually.TrueAsync("the wallet-locked alert reaches Alertmanager", Within, async () =>
                    (await AlertmanagerAlertsAsync(alertmanager)).Any(a => Label(a, "alertname") == "NodeHelperLndWalletLocked" && State(a) == "active"));
                await mail.WaitForAsync(1, Within);
                await Task.Delay(Settle);

                var locked = mail.Messages();
                locked.Select(m => m.Subject).Should().Equal([$"[CRITICAL] LND's wallet is locked on {instance}"],
                    "one mail, about the wallet: a locked LND answers, so it is not down, and its other series are simply gone");
                (await PrometheusAlertsAsync(prometheus)).Where(a => Label(a, "severity") != "info").Select(a => Label(a, "alertname"))
                    .Should().Equal(["NodeHelperLndWalletLocked"], "no other alert is even pending: LndDown above all");
                locked[0].HtmlBody.Should().Contain($"LND on {instance} has been waiting for its wallet password for 5 minutes");
                locked[0].TextBody.Should().Contain($"CRITICAL: LND's wallet is locked on {instance}")
                    .And.Contain("1. `lncli state`", "the mail carries the runbook's first checks");
                var runbook = new Uri(prometheus.Url, "consoles/nodehelper-runbook.html#nodehelperlndwalletlocked");
                locked[0].HtmlBody.Should().Contain($"href=\"{runbook}\"");
                (await Http.GetStringAsync(runbook)).Should().Contain("<h3 id=\"nodehelperlndwalletlocked\">NodeHelperLndWalletLocked</h3>");

                // Unlocked (lncli unlock): the one resolved mail.
                lnd.State.WalletState = LndWalletState.ServerActive;
                await mail.WaitForAsync(2, Within);
                await Task.Delay(Settle);
                var all = mail.Messages();
                all.Select(m => m.Subject).Should().Equal(
                    [$"[CRITICAL] LND's wallet is locked on {instance}", $"[RESOLVED] LND's wallet is locked on {instance}"],
                    "unlocking sends its resolved mail, and nothing else");
                all[1].HtmlBody.Should().Contain("Resolved &middot; lnd").And.NotContain("What to do");
                (await PrometheusAlertsAsync(prometheus)).Where(a => Label(a, "severity") != "info").Should().BeEmpty();
            });
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs <paramref name="scenario"/> against a real SMTP listener, Alertmanager and Prometheus (the test's copies of
    /// the shipped files) watching the exporter at <paramref name="instance"/>, all stopped afterwards; when it fails,
    /// their output, Alertmanager's alerts and the mails so far go to the test's log.
    /// </summary>
    private async Task WithAlertingAsync(string instance, Func<ServerProcess, ServerProcess, Maildir, Task> scenario)
    {
        await using var smtp = await RealServers.StartSmtpSinkAsync(Directory.CreateTempSubdirectory("nodehelper-e2e-smtp-").FullName);
        var mail = new Maildir(Path.Join(smtp.Directory, "mail"));
        await using var alertmanager = await RealServers.StartAlertmanagerAsync(AlertmanagerCopy(smtp.Port));
        await using var prometheus = await RealServers.StartPrometheusAsync(PrometheusCopy(instance, alertmanager.Port));
        try
        {
            await scenario(prometheus, alertmanager, mail);
        }
        catch
        {
            output.WriteLine($"Prometheus:\n{prometheus.Output}\nAlertmanager:\n{alertmanager.Output}\nSMTP:\n{smtp.Output}");
            output.WriteLine("Alerts in Alertmanager:\n" + string.Join('\n', (await AlertmanagerAlertsAsync(alertmanager)).Select(a => a.ToJsonString())));
            output.WriteLine("Mails: " + string.Join(" | ", mail.Messages().Select(m => m.Subject)));
            throw;
        }
    }

    /// <summary>The healthy start: the Watchdog through to Alertmanager, then nothing but information firing or pending, and no mail.</summary>
    private static async Task AssertQuietAsync(ServerProcess prometheus, ServerProcess alertmanager, Maildir mail, string because)
    {
        await Eventually.TrueAsync("the Watchdog reaches Alertmanager", Within, async () =>
            (await AlertmanagerAlertsAsync(alertmanager)).Any(a => Label(a, "alertname") == "NodeHelperWatchdog"));
        await Task.Delay(Settle);
        (await PrometheusAlertsAsync(prometheus)).Where(a => Label(a, "severity") != "info").Select(a => Label(a, "alertname"))
            .Should().BeEmpty(because);
        mail.Messages().Should().BeEmpty("the Watchdog and information are not mailed");
    }

    /// <summary>A node nothing is wrong with: no warnings, enough outbound peers and some inbound.</summary>
    internal static void Healthy(BitcoindState state)
    {
        state.Warnings = [];
        state.SetPeerCount(10);
    }

    /// <summary>The shipped prometheus.yml and rules, with every wait shortened: scrapes every 2 seconds, evaluations every second, <c>for:</c> divided by <see cref="WaitDivisor"/>.</summary>
    internal static string PrometheusCopy(string exporter, int alertmanagerPort, Func<string, string>? editConfig = null)
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-e2e-prometheus-").FullName;
        BundleCopy.Prometheus(Repository.Root, directory, exporter, alertmanagerPort,
            editConfig: config =>
            {
                config = BundleCopy.Replace(config, "scrape_interval: 30s", "scrape_interval: 2s");
                config = BundleCopy.Replace(config, "scrape_timeout: 10s", "scrape_timeout: 2s");
                config = BundleCopy.Replace(config, "evaluation_interval: 30s", "evaluation_interval: 1s");
                return editConfig is null ? config : editConfig(config);
            },
            editRules: rules => ForClause().Replace(rules, m =>
            {
                var seconds = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * m.Groups[3].Value switch { "s" => 1, "m" => 60, _ => 3600 };
                return $"{m.Groups[1].Value}{Math.Max(seconds / WaitDivisor, seconds == 0 ? 0 : 1).ToString(CultureInfo.InvariantCulture)}s";
            }));
        return directory;
    }

    /// <summary>The shipped alertmanager.yml and template, delivering to the SMTP listener without TLS or login, grouping within seconds.</summary>
    internal static string AlertmanagerCopy(int smtpPort)
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-e2e-alertmanager-").FullName;
        BundleCopy.Alertmanager(Repository.Root, directory, smtpPort, config =>
            GroupInterval().Replace(GroupWait().Replace(config, "${1}group_wait: 1s"), "${1}group_interval: 2s"));
        return directory;
    }

    internal static async Task<double?> QueryValueAsync(ServerProcess prometheus, string query) =>
        (await new PrometheusApiClient(Http, prometheus.Url).QueryAsync(query, DateTimeOffset.UtcNow, default)) is [var first, ..] ? first.Value : null;

    /// <summary>Prometheus's alerts, pending and firing.</summary>
    internal static async Task<IReadOnlyList<JsonNode>> PrometheusAlertsAsync(ServerProcess prometheus) =>
        [.. (await GetJsonAsync(new Uri(prometheus.Url, "api/v1/alerts")))?["data"]?["alerts"]?.AsArray().OfType<JsonNode>() ?? []];

    /// <summary>Alertmanager's current alerts, inhibited ones included (resolved ones are not listed).</summary>
    internal static async Task<IReadOnlyList<JsonNode>> AlertmanagerAlertsAsync(ServerProcess alertmanager) =>
        [.. (await GetJsonAsync(new Uri(alertmanager.Url, "api/v2/alerts")))?.AsArray().OfType<JsonNode>() ?? []];

    private static async Task<JsonNode?> GetJsonAsync(Uri url)
    {
        try
        {
            return JsonNode.Parse(await Http.GetStringAsync(url));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    internal static string? Label(JsonNode alert, string name) => alert["labels"]?[name]?.GetValue<string>();

    internal static string? State(JsonNode alert) => alert["status"]?["state"]?.GetValue<string>();

    [GeneratedRegex("^(\\s+for: )(\\d+)([smh])\\s*$", RegexOptions.Multiline)]
    private static partial Regex ForClause();

    [GeneratedRegex("^(\\s+)group_wait: \\S+", RegexOptions.Multiline)]
    private static partial Regex GroupWait();

    [GeneratedRegex("^(\\s+)group_interval: \\S+", RegexOptions.Multiline)]
    private static partial Regex GroupInterval();
}
