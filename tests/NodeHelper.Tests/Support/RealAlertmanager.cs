using System.Text.Json.Nodes;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>
/// Debian's Alertmanager on a free loopback port with a temporary directory, shared by a test class
/// (<c>IClassFixture</c>): a route to a receiver that sends nothing, and one inhibit rule
/// (<c>alertname="TestInhibitor"</c> holds back <c>inhibited="yes"</c> of the same instance). Tests keep apart by
/// giving their alerts an instance of their own.
/// </summary>
public sealed class RealAlertmanager : IAsyncLifetime
{
    private const string Config = """
        route:
          receiver: nowhere
          group_wait: 1s
          group_interval: 1s
        receivers:
          - name: nowhere
        inhibit_rules:
          - source_matchers: ['alertname="TestInhibitor"']
            target_matchers: ['inhibited="yes"']
            equal: [instance]
        """;

    private ServerProcess? _server;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    public Uri Url => (_server ?? throw new InvalidOperationException("not started")).Url;

    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-status-alertmanager-").FullName;
        await File.WriteAllTextAsync(Path.Join(directory, "alertmanager.yml"), Config);
        _server = await RealServers.StartAlertmanagerAsync(directory);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Http.Dispose();
    }

    /// <summary>Posts one alert straight into Alertmanager (POST api/v2/alerts), active for an hour from <paramref name="startsAt"/>.</summary>
    public async Task PostAlertAsync(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> annotations, DateTimeOffset startsAt)
    {
        var alert = new JsonObject
        {
            ["labels"] = ToObject(labels),
            ["annotations"] = ToObject(annotations),
            ["startsAt"] = startsAt.UtcDateTime.ToString("O"),
            ["endsAt"] = DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString("O"),
        };
        using var content = new StringContent(new JsonArray(alert).ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(Url, "api/v2/alerts"), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Alertmanager's silences as it lists them (GET api/v2/silences), every state.</summary>
    public async Task<JsonArray> SilencesAsync() =>
        JsonNode.Parse(await Http.GetStringAsync(new Uri(Url, "api/v2/silences")))!.AsArray();

    private static JsonObject ToObject(IReadOnlyDictionary<string, string> pairs)
    {
        var o = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            o[key] = value;
        }

        return o;
    }
}
