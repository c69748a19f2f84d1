using System.Diagnostics;
using NodeHelper.Exporter;

namespace NodeHelper.Tests.Support;

/// <summary>
/// The real exporter, built by the same code as the binary, listening on a free loopback port and reached over
/// a real socket. Captures every log line. Stopped on dispose, also when the test failed.
/// </summary>
internal sealed class ExporterUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExporterUnderTest(WebApplication app, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
        BaseUrl = new Uri(app.Urls.First() + "/");
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public CapturedLogs Logs { get; }

    /// <summary>An apt-get that answers as an upgraded Debian 12 does (Fixtures/apt/up-to-date).</summary>
    public static readonly string UpToDateAptGet = Path.Join(AppContext.BaseDirectory, "Fixtures", "apt", "up-to-date", "apt-get");

    public static Task<ExporterUnderTest> StartAsync(params string[] settings) => StartAsync(_ => { }, settings);

    /// <summary>With a change to the services before the exporter adds its own (a clock, say).</summary>
    public static async Task<ExporterUnderTest> StartAsync(Action<WebApplicationBuilder> adjust, params string[] settings)
    {
        var logs = new CapturedLogs();
        // This machine's apt-get takes seconds of CPU for each exporter a test starts; the fixture answers "nothing pending" at once.
        var app = Program.BuildApp(["--urls=http://127.0.0.1:0", $"--Posture:AptGetPath={UpToDateAptGet}", .. settings], builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter<CapturedLogs>(category: null, LogLevel.Trace);
            adjust(builder);
        });
        await app.StartAsync();
        return new ExporterUnderTest(app, logs);
    }

    /// <summary>Settings that point the exporter at a simulated bitcoind, with its credentials.</summary>
    public static string[] For(NodeHelper.Simulators.Bitcoind.BitcoindSimulator bitcoind, params string[] more) =>
        bitcoind.CookieFile is { } cookie
            ? [$"--Bitcoind:Url={bitcoind.Url}", $"--Bitcoind:CookieFile={cookie}", .. more]
            : [$"--Bitcoind:Url={bitcoind.Url}", .. more];

    /// <summary>One scrape, as Prometheus sends it (with its timeout header when given).</summary>
    public async Task<Scrape> ScrapeAsync(double? prometheusTimeoutSeconds = null, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics" + query);
        if (prometheusTimeoutSeconds is { } timeout)
        {
            request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", timeout.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var watch = Stopwatch.StartNew();
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Scrape((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", body, watch.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
