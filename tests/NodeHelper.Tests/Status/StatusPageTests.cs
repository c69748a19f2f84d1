using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Status;

/// <summary>The status page and /api/v1/status over the simulated stack: what the simulators serve, on each card.</summary>
public sealed class StatusPageTests : IAsyncLifetime
{
    private static readonly string[] LateFamilies =
        ["bitcoind_latest_block_", "lnd_graph_", "nodehelper_directory_size_", "nodehelper_apt_", "nodehelper_update_"];

    private SimulatedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SimulatedStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static async Task<JsonElement> StatusAsync(ExporterUnderTest exporter)
    {
        using var response = await exporter.Http.GetAsync("api/v1/status");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement Component(JsonElement status, string name) =>
        status.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static JsonElement Fact(JsonElement component, string key) =>
        component.GetProperty("facts").EnumerateArray().Single(f => f.GetProperty("key").GetString() == key);

    [Fact]
    public async Task EveryComponentHasItsCardWithTheValuesTheSimulatorsServe()
    {
        _stack.Bitcoind.State.SetPeerCount(6);
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());

        var status = await StatusAsync(exporter);

        status.GetProperty("version").GetInt32().Should().Be(1);
        status.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Should().BeEquivalentTo(SimulatedStack.Collectors);
        var bitcoind = Component(status, "bitcoind");
        bitcoind.GetProperty("state").GetString().Should().Be("up");
        Fact(bitcoind, "blocks").GetProperty("value").GetDouble().Should().Be(_stack.Bitcoind.State.Blocks);
        Fact(bitcoind, "chain").GetProperty("text").GetString().Should().Be("regtest");
        var electrum = Component(status, "electrum");
        Fact(electrum, "lag_blocks").GetProperty("text").GetString().Should().Be("at the tip");
        var lnd = Component(status, "lnd");
        Fact(lnd, "wallet").GetProperty("text").GetString().Should().Be("SERVER_ACTIVE");
        // Without Alertmanager or Prometheus the page cannot vouch for the rules, and says how to connect them.
        status.GetProperty("verdict").GetProperty("level").GetString().Should().Be("cannot_tell");
        status.GetProperty("alerts").GetProperty("source").GetString().Should().Be("none");
        status.GetProperty("alerts").GetProperty("hint").GetString().Should().Contain("Status:AlertmanagerUrl");

        using var page = await exporter.Http.GetAsync("");
        var html = await page.Content.ReadAsStringAsync();
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'");
        html.Should().Contain("id=\"c-bitcoind\"").And.Contain($"<dd class=\"t-neutral\">{_stack.Bitcoind.State.Blocks}</dd>")
            .And.Contain("<a href=\"metrics\">").And.Contain("metrics?collect[]=bitcoind");
    }

    [Fact]
    public async Task AnUpstreamDownIsADownCardAndAProblemWhileTheOthersStillShow()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        _stack.Bitcoind.State.Fault = BitcoindFault.Http500;

        var status = await StatusAsync(exporter);

        status.GetProperty("verdict").GetProperty("level").GetString().Should().Be("problems");
        status.GetProperty("verdict").GetProperty("reasons")[0].GetString().Should().StartWith("Bitcoin node (bitcoind) is not answering");
        var bitcoind = Component(status, "bitcoind");
        bitcoind.GetProperty("state").GetString().Should().Be("down");
        bitcoind.GetProperty("tone").GetString().Should().Be("bad");
        bitcoind.GetProperty("facts").GetArrayLength().Should().Be(0, "a failed reading shows no figure, never a 0");
        Component(status, "electrum").GetProperty("state").GetString().Should().Be("up");
        Fact(Component(status, "electrum"), "tip_height").GetProperty("value").GetDouble().Should().Be(150);
        Component(status, "electrum").GetProperty("facts").EnumerateArray().Should().NotContain(f => f.GetProperty("key").GetString() == "lag_blocks",
            "no lag without bitcoind's tip");
    }

    [Fact]
    public async Task AHostileStringFromAnUpstreamIsEscaped()
    {
        const string hostile = "<script>alert(\"x\")</script>'";
        _stack.Bitcoind.State.Rewrites["getnetworkinfo"] = result =>
        {
            result!["subversion"] = hostile;
            return result;
        };
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());

        var html = await exporter.Http.GetStringAsync("");
        var status = await StatusAsync(exporter);

        Fact(Component(status, "bitcoind"), "version").GetProperty("text").GetString().Should().Be(hostile);
        html.Should().NotContain("<script>alert").And.Contain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;");
    }

    [Fact]
    public async Task ScrapesAndPageViewsStayApart()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());
        var first = await exporter.ScrapeAsync();
        var before = _stack.Bitcoind.RequestCount;

        await exporter.Http.GetStringAsync("");
        await exporter.Http.GetStringAsync("api/v1/status");
        var views = _stack.Bitcoind.RequestCount - before;
        var second = await exporter.ScrapeAsync();

        views.Should().BeGreaterThan(0, "a page view reads the upstreams fresh");
        var oneScrape = _stack.Bitcoind.RequestCount - before - views;
        views.Should().Be(oneScrape, "the page and its JSON, read within seconds, share one reading: as many calls to bitcoind as one scrape makes");
        second.Metrics.Names.Should().Contain(first.Metrics.Names, "page views take no series away from /metrics");
        second.Metrics.Names.Except(first.Metrics.Names).Should().OnlyContain(n => LateFamilies.Any(n.StartsWith),
            "page views add no series of their own; only the ones that arrive late (block stats, graph, sizes, upgrades, updates) may appear");
    }

    [Fact]
    public async Task WithoutBasicAuthOrAllowSilencesTheSilenceFormIsRefused()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings());

        using var response = await exporter.Http.PostAsync("status/silences",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["fingerprint"] = "0123", ["duration"] = "1h", ["comment"] = "maintenance" }));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Status:AllowSilences");
        (await exporter.Http.GetStringAsync("")).Should().NotContain("<form method=\"post\"", "no form is offered that would be refused");
    }

    [Fact]
    public async Task ASilenceFormPostedFromAnotherSiteIsRefused()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Status:AllowSilences=true"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "status/silences")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["fingerprint"] = "0123", ["duration"] = "1h", ["comment"] = "x" }),
        };
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await exporter.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("another site");
    }

    [Fact]
    public async Task WithoutBasicAuthASilenceAddressedByANameIsRefused()
    {
        await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings("--Status:AllowSilences=true"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "status/silences")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["fingerprint"] = "0123", ["duration"] = "1h", ["comment"] = "x" }),
        };
        // What a page of another site sends after rebinding its name to 127.0.0.1: "same-origin", its own name as Host.
        request.Headers.Host = "rebound.example:9338";
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await exporter.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("IP address or localhost");
    }
}
