using System.Text.RegularExpressions;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>
/// The status page in Debian's headless Chromium, as a visitor sees it: over the simulated stack with Debian's
/// Alertmanager holding its alerts, with every upstream down, with Alertmanager and Prometheus unreachable, with a
/// hostile string from an upstream, and refreshing itself from /api/v1/status. The healthy case saves the README's
/// screenshots (docs/images/status-phone.png, status-desktop.png).
/// </summary>
public sealed partial class StatusPageBrowserTests(RealAlertmanager alertmanager) : IClassFixture<RealAlertmanager>, IAsyncLifetime
{
    private SimulatedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SimulatedStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string Card(string dom, string name) =>
        CardPattern().Matches(dom).Select(m => m.Value).Single(c => c.Contains($"id=\"c-{name}\"", StringComparison.Ordinal));

    private static string Text(string html) => WhiteSpace().Replace(Tags().Replace(html, " "), " ");

    [Fact]
    public async Task TheSimulatedStackShowsEachComponentWithTheSimulatorsValuesAndItsAlert()
    {
        _stack.Bitcoind.State.SetPeerCount(8);
        _stack.Bitcoind.State.BestBlockTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 240;
        _stack.Electrum.State.TipHeight = _stack.Bitcoind.State.Blocks - 3;
        var instance = "node-" + Guid.NewGuid().ToString("N")[..8];
        await alertmanager.PostAlertAsync(new Dictionary<string, string> { ["alertname"] = "NodeHelperWatchdog", ["severity"] = "info", ["scope"] = "exporter" },
            new Dictionary<string, string> { ["summary"] = "The alerting pipeline is working" }, DateTimeOffset.UtcNow.AddHours(-3));
        await alertmanager.PostAlertAsync(
            new Dictionary<string, string> { ["alertname"] = "NodeHelperElectrumBehind", ["severity"] = "warning", ["scope"] = "electrum", ["instance"] = instance },
            new Dictionary<string, string>
            {
                ["summary"] = $"The Electrum server is 3 blocks behind bitcoind on {instance}",
                ["runbook_url"] = "http://127.0.0.1:9090/consoles/nodehelper-runbook.html#nodehelperelectrumbehind",
            },
            DateTimeOffset.UtcNow.AddMinutes(-25));
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings($"--Status:AlertmanagerUrl={alertmanager.Url}", "--Status:AllowSilences=true"));
        await Eventually.TrueAsync("Alertmanager lists both alerts", TimeSpan.FromSeconds(20), async () =>
            (await exporter.Http.GetStringAsync("api/v1/status")).Contains("NodeHelperElectrumBehind", StringComparison.Ordinal));

        var dom = await HeadlessChromium.DumpDomAsync(exporter.BaseUrl, 1280, 900);

        Text(dom).Should().Contain("Needs attention").And.Contain("The Electrum server is 3 blocks behind bitcoind on " + instance);
        dom.Should().Contain("data-alert=\"NodeHelperElectrumBehind\" data-state=\"firing\"").And.NotContain("data-alert=\"NodeHelperWatchdog\"")
            .And.Contain("href=\"http://127.0.0.1:9090/consoles/nodehelper-runbook.html#nodehelperelectrumbehind\"")
            .And.Contain("<summary>Silence</summary>", "silences are allowed here");
        foreach (var collector in SimulatedStack.Collectors)
        {
            Card(dom, collector).Should().Contain("data-state=\"up\"", $"{collector} answers");
        }

        Text(Card(dom, "bitcoind")).Should().Contain($"Tip height {_stack.Bitcoind.State.Blocks}").And.Contain("Chain regtest")
            .And.Contain($"Mempool transactions {_stack.Bitcoind.State.MempoolTransactions}");
        Text(Card(dom, "electrum")).Should().Contain($"Tip height {_stack.Electrum.State.TipHeight}").And.Contain("Behind bitcoind 3 blocks")
            .And.Contain("Server Fulcrum 2.1.1");
        Card(dom, "electrum").Should().Contain("class=\"card t-attention\"", "its warning colours its card");
        Text(Card(dom, "lnd")).Should().Contain("Wallet SERVER_ACTIVE").And.Contain("Behind bitcoind at the tip");
        Text(Card(dom, "host")).Should().Contain("Disk of bitcoind");

        // The README's pictures: a phone (the viewport meta honoured, as on a phone) and a desktop.
        foreach (var (name, width, height, mobile) in new[] { ("status-phone.png", 390, 844, true), ("status-desktop.png", 1280, 900, false) })
        {
            var path = Repository.PathOf("docs", "images", name);
            await HeadlessChromium.ScreenshotAsync(exporter.BaseUrl, width, height, path, mobile);
            HeadlessChromium.PngSize(await File.ReadAllBytesAsync(path)).Should().Be((width, height));
        }
    }

    [Fact]
    public async Task WithEveryUpstreamDownEachCardSaysSoAndTheOthersStillShow()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        // Each as it fails for real: bitcoind stopped, the Electrum server not listening, the backend's 500, nginx
        // gone, LND refusing the macaroon.
        await _stack.Bitcoind.DisposeAsync();
        await _stack.Electrum.StopListeningAsync();
        _stack.Mempool.State.Fault = NodeHelper.Simulators.Mempool.MempoolFault.Http500;
        await _stack.Frontend.DisposeAsync();
        _stack.Lnd.State.Fault = NodeHelper.Simulators.Lnd.LndFault.MacaroonRejected;

        var dom = await HeadlessChromium.DumpDomAsync(exporter.BaseUrl, 1280, 900);

        Text(dom).Should().Contain("Problems").And.Contain("Bitcoin node (bitcoind) is not answering");
        foreach (var collector in new[] { "bitcoind", "electrum", "mempool", "mempool_frontend", "lnd" })
        {
            Card(dom, collector).Should().Contain("data-state=\"down\"").And.Contain("class=\"card t-bad\"").And.NotContain("<dl>", $"{collector} shows no figure it did not read");
        }

        Text(Card(dom, "host")).Should().Contain("Disk of bitcoind", "the host does not depend on the upstreams");
    }

    [Fact]
    public async Task UnreachableAlertmanagerAndPrometheusAreSaidAndTheCardsStillShow()
    {
        // A port that was free a moment ago: nothing listens there.
        int closed;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings(
            $"--Status:AlertmanagerUrl=http://127.0.0.1:{closed}/", $"--Status:PrometheusUrl=http://127.0.0.1:{closed}/"));

        var dom = await HeadlessChromium.DumpDomAsync(exporter.BaseUrl, 1280, 900);

        dom.Should().Contain("class=\"verdict v-cannot_tell\"");
        Text(dom).Should().Contain("Cannot tell").And.Contain("cannot read Alertmanager at http://127.0.0.1:").And.Contain("Is Status:AlertmanagerUrl right?");
        Card(dom, "bitcoind").Should().Contain("data-state=\"up\"");
    }

    [Fact]
    public async Task AHostileStringFromAnUpstreamIsShownAsTextAndRunsNothing()
    {
        const string hostile = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">\"'";
        _stack.Bitcoind.State.Rewrites["getnetworkinfo"] = result =>
        {
            result!["subversion"] = hostile;
            return result;
        };
        // The same from Alertmanager: an alert whose name, summary and runbook link are hostile.
        var instance = "hostile-" + Guid.NewGuid().ToString("N")[..8];
        await alertmanager.PostAlertAsync(
            new Dictionary<string, string> { ["alertname"] = "Hostile\"><script>document.title='owned'</script>", ["severity"] = "warning\"><b>", ["instance"] = instance },
            new Dictionary<string, string> { ["summary"] = hostile, ["runbook_url"] = "javascript:document.title='owned'" }, DateTimeOffset.UtcNow.AddMinutes(-1));
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings($"--Status:AlertmanagerUrl={alertmanager.Url}", "--Status:AllowSilences=true"));
        await Eventually.TrueAsync("Alertmanager lists the hostile alert", TimeSpan.FromSeconds(20), async () =>
            (await exporter.Http.GetStringAsync("api/v1/status")).Contains(instance, StringComparison.Ordinal));

        var dom = await HeadlessChromium.DumpDomAsync(exporter.BaseUrl, 1280, 900);

        dom.Should().NotContain("owned</title>").And.NotContain("<img src=\"x\"").And.NotContain("href=\"javascript:", "only http(s) runbook links are links")
            .And.NotContain("<b>");
        Text(dom).Should().Contain("Hostile\"><script>document.title='owned'</script>".Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal));
        Card(dom, "bitcoind").Should().Contain("&lt;script&gt;document.title='owned'&lt;/script&gt;&lt;img src=x onerror=\"document.title='owned'\"&gt;");
    }

    [Fact]
    public async Task ThePageRefreshesItselfFromTheJson()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Status:RefreshSeconds=5"));

        var dom = await HeadlessChromium.DumpDomAsync(exporter.BaseUrl, 1280, 900, TimeSpan.FromSeconds(12));

        // Rendered as HH:mm UTC; the script writes HH:mm:ss UTC once it has read /api/v1/status (the CSP let it run).
        RefreshedAt().IsMatch(dom).Should().BeTrue("the script refreshed the page from /api/v1/status");
    }

    [GeneratedRegex("<section class=\"card[^\"]*\" id=\"c-[^\"]+\".*?</section>", RegexOptions.Singleline)]
    private static partial Regex CardPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"<span id=""generated"">\d\d:\d\d:\d\d UTC</span>")]
    private static partial Regex RefreshedAt();
}
