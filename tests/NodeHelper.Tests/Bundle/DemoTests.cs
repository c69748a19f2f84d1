using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodeHelper.Report.Prometheus;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit.Abstractions;

namespace NodeHelper.Tests.Bundle;

/// <summary>
/// <c>make demo</c> as a newcomer uses it: <c>scripts/demo.sh</c> itself, on ports of its own. The line it prints
/// says where Prometheus is and where mails land; the test follows it: Prometheus scrapes the exporter (LND's simulator
/// among its upstreams) and has the shipped rules and the demo's Alertmanager, <c>make demo-report</c> puts a report
/// in that mail folder, and a TERM stops every program it started while the mails stay. It runs alone: the demo builds and starts a dozen processes.
/// </summary>
[Collection(Name)]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed partial class DemoTests(ITestOutputHelper output) : IDisposable
{
    private const string Name = "Demo";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly DirectoryInfo _demoDir = Directory.CreateTempSubdirectory("nodehelper-demo-");

    /// <summary>The simulators' ports from SIM_PORT: bitcoind, Electrum, the mempool backend, its front end, LND.</summary>
    private const int SimulatorPorts = 5;

    /// <summary>The demo's directory and free ports, in the variables scripts/demo.sh reads.</summary>
    private Dictionary<string, string> DemoSettings() => new()
    {
        ["DEMO_DIR"] = _demoDir.FullName,
        ["DEMO_PORT"] = Port(LoopbackPort.Free()),
        ["SIM_PORT"] = Port(LoopbackPort.FreeRun(SimulatorPorts)),
        ["DEMO_PROMETHEUS_PORT"] = Port(LoopbackPort.Free()),
        ["DEMO_ALERTMANAGER_PORT"] = Port(LoopbackPort.Free()),
        ["DEMO_SMTP_PORT"] = Port(LoopbackPort.Free()),
    };

    [Fact]
    public async Task TheDemoRunsTheWholeBundleAndItsMailsLandWhereItSays()
    {
        var ports = DemoSettings();
        using var demo = Start(Repository.PathOf("scripts", "demo.sh"), [], ports);
        var said = new StringBuilder();
        demo.OutputDataReceived += (_, e) => Append(said, e.Data);
        demo.ErrorDataReceived += (_, e) => Append(said, e.Data);
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            // Four minutes: on a fresh machine the demo builds the exporter and the simulators in Release first.
            await Eventually.TrueAsync("the demo to say where Prometheus is and where the mails land", TimeSpan.FromMinutes(4),
                () => WhereLine().IsMatch(Text(said)) || demo.HasExited, TimeSpan.FromMilliseconds(500));
            var where = WhereLine().Match(Text(said));
            where.Success.Should().BeTrue("the demo prints where Prometheus is and where the mails land, and keeps running");
            var prometheus = new Uri(where.Groups["prometheus"].Value);
            var maildir = where.Groups["mail"].Value;
            prometheus.Port.ToString(CultureInfo.InvariantCulture).Should().Be(ports["DEMO_PROMETHEUS_PORT"]);
            Path.GetDirectoryName(maildir.TrimEnd('/')).Should().Be(Path.Join(_demoDir.FullName, "mail"), "the mails land in DEMO_DIR/mail/new");
            await EveryPrintedAddressOpensAsync(Text(said), ports);

            // Prometheus scrapes the exporter (the shipped interval: the first scrape may take up to 30 s) and has every shipped group.
            var queries = new PrometheusApiClient(Http, prometheus);
            await Eventually.TrueAsync("Prometheus to scrape the exporter", TimeSpan.FromSeconds(90),
                async () => await queries.QueryAsync("up{job=\"nodehelper\"} == 1", DateTimeOffset.UtcNow, default) is [_], TimeSpan.FromMilliseconds(500));
            (await queries.QueryAsync("bitcoind_up + electrum_up + mempool_up + mariadb_up + lnd_up", DateTimeOffset.UtcNow, default)).Should().ContainSingle()
                .Which.Value.Should().Be(5, "every simulated upstream answers, LND too");
            var lnd = await ScrapeExporterAsync(ports);
            lnd.Series["lnd_wallet_locked"].Should().Be(0);
            lnd.Series["lnd_channel_backup_copy_matches"].Should().Be(1, "the demo keeps a copy of LND's channel.backup, equal to it");
            (lnd.Series["bitcoind_blocks"] - lnd.Series["lnd_block_height"]).Should().BeInRange(0, 1, "LND is at bitcoind's tip (following it two seconds late)");
            var groups = (await GetAsync(new Uri(prometheus, "api/v1/rules")))["data"]!["groups"]!.AsArray();
            groups.Select(g => (string)g!["name"]!).Should().BeEquivalentTo(
                AlertingBundle.RuleFiles.SelectMany(f => AlertingBundle.ReadRules(f).Groups).Select(g => g.Name), "the shipped rules, all of them");
            var alertmanagers = (await GetAsync(new Uri(prometheus, "api/v1/alertmanagers")))["data"]!["activeAlertmanagers"]!.AsArray();
            alertmanagers.Select(a => new Uri((string)a!["url"]!).Port.ToString(CultureInfo.InvariantCulture))
                .Should().Equal([ports["DEMO_ALERTMANAGER_PORT"]], "Prometheus sends its alerts to the demo's Alertmanager");

            // make demo-report mails the report now, and it lands where the demo said.
            var report = await ExternalProcess.RunAsync("bash", [Repository.PathOf("scripts", "demo.sh"), "report"],
                timeout: TimeSpan.FromMinutes(1), environment: ports);
            report.ExitCode.Should().Be(0, report.StandardError);
            report.StandardOutput.Should().Contain("sent manual-");
            var reports = new Maildir(Path.GetDirectoryName(maildir.TrimEnd('/'))!).Messages()
                .Where(m => (m.Subject ?? "").StartsWith("[NodeHelper] ", StringComparison.Ordinal)).ToList();
            reports.Should().NotBeEmpty("the report lands in the printed folder (the scheduled one may have too)");
            reports[^1].HtmlBody.Should().Contain($"127.0.0.1:{ports["DEMO_PORT"]}", "it reports on the demo's exporter");

            // A TERM (what Ctrl+C does to the script) stops everything it started; the mails stay.
            Signal(demo, "TERM");
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await demo.WaitForExitAsync(limit.Token);
            }

            foreach (var (name, port) in ports.Where(p => p.Key.EndsWith("_PORT", StringComparison.Ordinal)).Concat(EverySimulatorPort(ports)))
            {
                (await LoopbackPort.AcceptsAsync(int.Parse(port, CultureInfo.InvariantCulture))).Should().BeFalse($"{name} {port} is closed once the demo stopped");
            }

            Directory.Exists(Path.Join(_demoDir.FullName, "run")).Should().BeFalse("the running demo's files go with it");
            new Maildir(Path.Join(_demoDir.FullName, "mail")).Messages().Should().NotBeEmpty("the mails stay for reading");
            await NoDemoRunsAnyMoreAsync(ports);
        }
        catch
        {
            output.WriteLine(Text(said));
            throw;
        }
        finally
        {
            if (!demo.HasExited)
            {
                Signal(demo, "TERM");
                if (!demo.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    demo.Kill(entireProcessTree: true);
                }
            }
        }
    }

    [Fact]
    public async Task CtrlCStopsEveryProgramTheDemoStarted()
    {
        var ports = DemoSettings();

        // In a session of its own, as a terminal runs it: Ctrl+C sends SIGINT to the whole foreground process group.
        using var demo = Start(Repository.PathOf("scripts", "demo.sh"), [], ports, newSession: true);
        var said = new StringBuilder();
        demo.OutputDataReceived += (_, e) => Append(said, e.Data);
        demo.ErrorDataReceived += (_, e) => Append(said, e.Data);
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync("the demo to say where Prometheus is", TimeSpan.FromMinutes(4),
                () => WhereLine().IsMatch(Text(said)) || demo.HasExited, TimeSpan.FromMilliseconds(500));
            WhereLine().IsMatch(Text(said)).Should().BeTrue("the demo starts and keeps running");

            Signal(demo, "INT", processGroup: true);
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await demo.WaitForExitAsync(limit.Token);
            }

            foreach (var (name, port) in ports.Where(p => p.Key.EndsWith("_PORT", StringComparison.Ordinal)).Concat(EverySimulatorPort(ports)))
            {
                (await LoopbackPort.AcceptsAsync(int.Parse(port, CultureInfo.InvariantCulture))).Should().BeFalse($"{name} {port} is closed after Ctrl+C");
            }

            Directory.Exists(Path.Join(_demoDir.FullName, "run")).Should().BeFalse("the running demo's files go with it");
            await NoDemoRunsAnyMoreAsync(ports);
        }
        catch
        {
            output.WriteLine(Text(said));
            throw;
        }
        finally
        {
            if (!demo.HasExited)
            {
                Signal(demo, "TERM", processGroup: true);
                if (!demo.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    demo.Kill(entireProcessTree: true);
                }
            }
        }
    }

    public void Dispose() => _demoDir.Delete(recursive: true);

    /// <summary>
    /// Every address the demo printed opens a real page (not a 404, not Debian's "no web application" page), path
    /// included; the one command it prints for Alertmanager works as printed; the fault URL breaks bitcoind and mends it;
    /// the curl it prints for LND, run as printed, locks LND's wallet as the exporter sees it, and .../wallet/active
    /// unlocks it.
    /// </summary>
    private async Task EveryPrintedAddressOpensAsync(string said, Dictionary<string, string> ports)
    {
        // The block the demo prints for the newcomer (the programs' own log lines around it are not its promises).
        var block = said[said.IndexOf("NodeHelper demo:", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("Ctrl+C stops everything", StringComparison.Ordinal)];
        var addresses = Address().Matches(block).Select(m => m.Value.TrimEnd('.', ',', ';', ')')).Distinct().ToList();
        var fault = $"http://127.0.0.1:{ports["SIM_PORT"]}/simulator/fault/Http500";
        addresses.Should().Contain(fault);
        var lndLock = LndLockCommand().Match(block);
        lndLock.Success.Should().BeTrue("the demo says how to lock LND's wallet");
        var lockUrl = new Uri(lndLock.Groups["url"].Value);
        lockUrl.Port.Should().Be(int.Parse(ports["SIM_PORT"], CultureInfo.InvariantCulture) + SimulatorPorts - 1, "LND is the fifth simulator from SIM_PORT");
        foreach (var address in addresses.Where(a => a != fault && a != lndLock.Groups["url"].Value && !a.Contains("...", StringComparison.Ordinal)))
        {
            using var response = await Http.GetAsync(new Uri(address));
            var body = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).Should().Be(200, $"{address}, printed by the demo, opens");
            body.Should().NotContain("does not include a web application", $"{address} is a real page");
            output.WriteLine($"opened {address}");
        }

        addresses.Should().Contain(a => a.Contains("/consoles/nodehelper-runbook.html", StringComparison.Ordinal), "the runbook the alerts link to");
        var runbook = addresses.Single(a => a.Contains("/consoles/nodehelper-runbook.html", StringComparison.Ordinal));
        (await Http.GetStringAsync(runbook)).Should().Contain("<h3 id=\"nodehelperbitcoinddown\">");

        var amtool = AmtoolCommand().Match(block);
        amtool.Success.Should().BeTrue("the demo says how to ask Alertmanager");
        var query = await ExternalProcess.RunAsync(ExternalProcess.Require("amtool", "run `make test`"), amtool.Groups["args"].Value.Split(' '));
        query.ExitCode.Should().Be(0, query.StandardError);
        query.StandardOutput.Should().StartWith("Alertname", "the printed command reaches the demo's Alertmanager and lists its alerts");

        using (var broken = await Http.PostAsync(new Uri(fault), null))
        {
            broken.IsSuccessStatusCode.Should().BeTrue("the printed curl breaks bitcoind");
        }

        using var mended = await Http.PostAsync(new Uri(fault.Replace("Http500", "None", StringComparison.Ordinal)), null);
        mended.IsSuccessStatusCode.Should().BeTrue(".../fault/None mends it");

        // The LND command as printed (curl: without -f it exits 0 on any status, so the exporter is the judge).
        var curl = ExternalProcess.Require("curl", "apt-get install curl");
        var locked = await ExternalProcess.RunAsync(curl, lndLock.Groups["args"].Value.Split(' '));
        locked.ExitCode.Should().Be(0, locked.StandardError);
        await Eventually.TrueAsync("the exporter to see LND's wallet locked", TimeSpan.FromSeconds(30),
            async () => (await ScrapeExporterAsync(ports)).Series.GetValueOrDefault("lnd_wallet_locked") == 1, TimeSpan.FromMilliseconds(250));
        (await ScrapeExporterAsync(ports)).Series["lnd_up"].Should().Be(1, "a locked LND still answers");
        var unlocked = await ExternalProcess.RunAsync(curl, lndLock.Groups["args"].Value.Replace("/wallet/locked", "/wallet/active", StringComparison.Ordinal).Split(' '));
        unlocked.ExitCode.Should().Be(0, unlocked.StandardError);
        await Eventually.TrueAsync("the exporter to see LND's wallet active again", TimeSpan.FromSeconds(30),
            async () => (await ScrapeExporterAsync(ports)).Series.GetValueOrDefault("lnd_wallet_locked", 1) == 0, TimeSpan.FromMilliseconds(250));
    }

    /// <summary>One scrape of the demo's exporter, parsed.</summary>
    private static async Task<Exposition> ScrapeExporterAsync(Dictionary<string, string> ports) =>
        Exposition.Parse(await Http.GetStringAsync(new Uri($"http://127.0.0.1:{ports["DEMO_PORT"]}/metrics")));

    /// <summary>Every simulator's port, SIM_PORT and the four after it (only the first is a setting).</summary>
    private static IEnumerable<KeyValuePair<string, string>> EverySimulatorPort(Dictionary<string, string> ports) =>
        Enumerable.Range(1, SimulatorPorts - 1).Select(i => KeyValuePair.Create(
            $"SIM_PORT+{i}", Port(int.Parse(ports["SIM_PORT"], CultureInfo.InvariantCulture) + i)));

    /// <summary>Once the demo has stopped, make demo-report says so instead of failing on what the demo left.</summary>
    private static async Task NoDemoRunsAnyMoreAsync(Dictionary<string, string> ports)
    {
        var report = await ExternalProcess.RunAsync("bash", [Repository.PathOf("scripts", "demo.sh"), "report"],
            timeout: TimeSpan.FromMinutes(1), environment: ports);
        report.ExitCode.Should().Be(2);
        report.StandardError.Should().StartWith("No demo is running: start one with make demo first");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static Process Start(string script, string[] args, Dictionary<string, string> environment, bool newSession = false)
    {
        // setsid execs bash in place (same pid), which then leads a process group of its own.
        var start = new ProcessStartInfo(newSession ? "setsid" : "bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (newSession)
        {
            start.ArgumentList.Add("bash");
        }

        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
    }

    private static void Signal(Process process, string signal, bool processGroup = false)
    {
        var target = (processGroup ? "-" : "") + process.Id.ToString(CultureInfo.InvariantCulture);
        using var kill = Process.Start("kill", [$"-{signal}", "--", target]);
        kill.WaitForExit();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private static async Task<JsonNode> GetAsync(Uri url) =>
        JsonNode.Parse(await Http.GetStringAsync(url)) ?? throw new InvalidOperationException($"{url} answered no JSON");

    [GeneratedRegex(@"Open Prometheus at (?<prometheus>http://127\.0\.0\.1:\d+/)\S*; the mails land in (?<mail>\S+/new/)")]
    private static partial Regex WhereLine();

    /// <summary>An address to open; one given to a command (--alertmanager.url=...) is the command's, checked by running it.</summary>
    [GeneratedRegex(@"(?<!=)https?://[^\s'""]+")]
    private static partial Regex Address();

    [GeneratedRegex(@"amtool (?<args>--alertmanager\.url=\S+ alert query)")]
    private static partial Regex AmtoolCommand();

    /// <summary>The printed command that locks LND's wallet: the simulator's own control, over its self-signed TLS.</summary>
    [GeneratedRegex(@"curl (?<args>-k -X POST (?<url>https://127\.0\.0\.1:\d+/simulator/wallet/locked))")]
    private static partial Regex LndLockCommand();
}
