using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace NodeHelper.Tests.Support;

/// <summary>The headless Chromium harness against a tiny page on loopback whose script fetches JSON on load.</summary>
public sealed class HeadlessChromiumTests : IAsyncLifetime
{
    // The page reports the layout width it saw (to /seen) and writes what it fetched into the DOM.
    private const string Script = """
        <script>
        fetch('/seen?page=' + location.pathname.slice(1) + '&width=' + innerWidth);
        fetch('/status.json').then(r => r.json()).then(s => { document.getElementById('state').textContent = 'bitcoind is ' + s.bitcoind; });
        </script>
        """;

    private readonly ConcurrentDictionary<string, int> _widths = new(StringComparer.Ordinal);
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-chromium-test-").FullName;
    private WebApplication _site = null!;

    private Uri Site => new(_site.Urls.First());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _site = builder.Build();
        _site.MapGet("/phone", () => Results.Content($"""
            <!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body><p id="state">loading</p>{Script}</body></html>
            """, "text/html"));
        _site.MapGet("/plain", () => Results.Content($"<!doctype html><html><body><p id=\"state\">loading</p>{Script}</body></html>", "text/html"));
        _site.MapGet("/status.json", async () =>
        {
            // Slower than the whole virtual time budget in real time: the budget must wait for it.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            return Results.Content("""{"bitcoind": "up"}""", "application/json");
        });
        _site.MapGet("/seen", (string page, int width) =>
        {
            _widths[page] = width;
            return Results.NoContent();
        });
        await _site.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TheDomHoldsWhatTheScriptInsertedAfterItsFetchWasAnswered()
    {
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(Site, "/phone"), 1280, 900, virtualTime: TimeSpan.FromSeconds(1));

        dom.Should().StartWith("<!DOCTYPE html>")
            .And.Contain("<p id=\"state\">bitcoind is up</p>", "virtual time stands still while the 1.5 s fetch is in flight");
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task AScreenshotIsExactlyTheRequestedSizeAndLaidOutAtThatWidth(int width, int height)
    {
        var png = Path.Join(_dir, $"{width}x{height}.png");

        await HeadlessChromium.ScreenshotAsync(new Uri(Site, "/plain"), width, height, png);

        HeadlessChromium.PngSize(await File.ReadAllBytesAsync(png)).Should().Be((width, height));
        _widths["plain"].Should().Be(width, "the layout viewport is the window (headless chromium alone never goes below 500)");
    }

    [Fact]
    public async Task AMobileScreenshotHonoursTheViewportMeta()
    {
        await HeadlessChromium.ScreenshotAsync(new Uri(Site, "/phone"), 390, 844, Path.Join(_dir, "phone.png"), mobile: true);
        await HeadlessChromium.ScreenshotAsync(new Uri(Site, "/plain"), 390, 844, Path.Join(_dir, "plain.png"), mobile: true);

        _widths["phone"].Should().Be(390, "width=device-width");
        _widths["plain"].Should().Be(980, "without a viewport meta a phone lays a page out 980 pixels wide");
    }

    [Fact]
    public async Task AnUnreachablePageFailsSayingSoWellWithinTheLimit()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var failing = () => HeadlessChromium.DumpDomAsync(new Uri($"http://127.0.0.1:{port}/"), 1280, 900);

        // Chromium's own error, not the harness's limit running out (that message says "did not finish within").
        (await failing.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*ERR_CONNECTION_REFUSED*").And.Message.Should().NotContain("did not finish within");
    }

    [Fact]
    public async Task OnlyLoopbackUrlsAreOpened()
    {
        var failing = () => HeadlessChromium.DumpDomAsync(new Uri("http://example.org/"), 1280, 900);

        await failing.Should().ThrowAsync<ArgumentException>();
    }
}
