using System.Text.Json;
using NodeHelper.Report.Prometheus;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>
/// Debian's VictoriaMetrics (single node) on a free loopback port with a temporary storage directory, shared by a
/// test class (<c>IClassFixture</c>) and stopped afterwards, whatever the outcome. Tests keep apart by the
/// <c>site</c> external label each of their Prometheus servers sends.
/// </summary>
public sealed class RealVictoriaMetrics : IAsyncLifetime
{
    private ServerProcess? _server;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Uri Url => (_server ?? throw new InvalidOperationException("not started")).Url;

    /// <summary>Where Prometheus's remote_write sends to.</summary>
    public Uri WriteUrl => new(Url, "api/v1/write");

    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync() =>
        _server = await RealServers.StartVictoriaMetricsAsync(Directory.CreateTempSubdirectory("nodehelper-victoria-metrics-").FullName);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Http.Dispose();
    }

    /// <summary>An instant PromQL query (GET api/v1/query), evaluated now.</summary>
    internal Task<IReadOnlyList<PromSeries>> QueryAsync(string query) =>
        new PrometheusApiClient(Http, Url, "the test's VictoriaMetrics").QueryAsync(query, DateTimeOffset.UtcNow, default);

    /// <summary>The label sets of every series <paramref name="match"/> selects (GET api/v1/series, its default window: the last 5 minutes).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> SeriesAsync(string match)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri(Url, $"api/v1/series?match[]={Uri.EscapeDataString(match)}")));
        return [.. document.RootElement.GetProperty("data").EnumerateArray()
            .Select(s => (IReadOnlyDictionary<string, string>)s.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "", StringComparer.Ordinal))];
    }

    /// <summary>
    /// The newest raw sample time stored for <paramref name="match"/> (GET api/v1/export, one JSON line per series),
    /// or null when there is none: what was written, without PromQL's lookback in between.
    /// </summary>
    public async Task<DateTimeOffset?> NewestSampleAsync(string match)
    {
        var lines = (await Http.GetStringAsync(new Uri(Url, $"api/v1/export?match[]={Uri.EscapeDataString(match)}")))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var newest = lines
            .SelectMany(line =>
            {
                using var series = JsonDocument.Parse(line);
                return series.RootElement.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64()).ToList();
            })
            .DefaultIfEmpty(long.MinValue)
            .Max();
        return newest == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(newest);
    }
}
