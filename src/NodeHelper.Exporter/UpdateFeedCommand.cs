using System.Text.Json;
using System.Text.Json.Serialization;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter;

/// <summary>
/// <c>nodehelper update-feed --output FILE</c>: writes the version feed the updates collector reads, from each
/// project's releases on GitHub: the highest version among its latest releases that are neither drafts nor
/// pre-releases (GitHub's own "latest" is the last one published, which a backport such as 28.3 after 29.0 would be). Run by cron or a timer,
/// never by the exporter itself: the running exporter does not call the internet. All or nothing: when one project
/// cannot be read, the old file stays as it was (and ages into NodeHelperUpdateFeedStale) and the exit status is 1.
/// </summary>
internal static class UpdateFeedCommand
{
    public const string Name = "update-feed";

    public const string Usage = "nodehelper update-feed --output FILE [--components a,b] [--api URL]";

    /// <summary>Component (as the updates collector names it) → GitHub repository.</summary>
    public static readonly IReadOnlyList<(string Component, string Repository)> Projects =
    [
        ("bitcoin_core", "bitcoin/bitcoin"),
        ("bitcoin_knots", "bitcoinknots/bitcoin"),
        ("electrs", "romanz/electrs"),
        ("fulcrum", "cculianu/Fulcrum"),
        ("mempool", "mempool/mempool"),
        ("lnd", "lightningnetwork/lnd"),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? file = null;
        var api = "https://api.github.com/";
        var projects = Projects;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--output" when i + 1 < args.Length:
                    file = args[++i];
                    break;
                case "--api" when i + 1 < args.Length && Uri.TryCreate(args[i + 1], UriKind.Absolute, out _):
                    api = args[++i].TrimEnd('/') + "/";
                    break;
                case "--components" when i + 1 < args.Length:
                    var wanted = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (wanted.FirstOrDefault(w => Projects.All(p => p.Component != w)) is { } unknown)
                    {
                        await error.WriteLineAsync($"nodehelper update-feed: unknown component '{unknown}'; known: {string.Join(", ", Projects.Select(p => p.Component))}.");
                        return 2;
                    }

                    projects = [.. Projects.Where(p => wanted.Contains(p.Component))];
                    break;
                default:
                    await error.WriteLineAsync($"nodehelper update-feed: unexpected '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (file is null)
        {
            await error.WriteLineAsync($"nodehelper update-feed: --output FILE is needed. Usage: {Usage}");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"nodehelper/{Scraping.ExporterSelfMetrics.Version}");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.github+json");
        var latest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var failed = false;
        foreach (var (component, repository) in projects)
        {
            try
            {
                latest[component] = await LatestAsync(http, repository);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or FormatException)
            {
                await error.WriteLineAsync($"nodehelper update-feed: {repository}: {e.Message}");
                failed = true;
            }
        }

        if (failed)
        {
            await error.WriteLineAsync($"nodehelper update-feed: {file} left as it was.");
            return 1;
        }

        var feed = new UpdateFeed { Generated = DateTimeOffset.UtcNow, Latest = new Dictionary<string, string>(latest, StringComparer.Ordinal) };
        var json = JsonSerializer.SerializeToUtf8Bytes(feed, UpdateFeedCommandJsonContext.Default.UpdateFeed);

        // Written beside the file, then renamed over it: the exporter never reads half a feed.
        var full = Path.GetFullPath(file);
        var temporary = full + ".tmp";
        await File.WriteAllBytesAsync(temporary, json);
        File.Move(temporary, full, overwrite: true);
        await output.WriteLineAsync($"{full}: {string.Join(", ", latest.Select(l => $"{l.Key} {l.Value}"))}");
        return 0;
    }

    /// <summary>The highest version among the repository's latest 30 releases that are not drafts or pre-releases.</summary>
    private static async Task<string> LatestAsync(HttpClient http, string repository)
    {
        using var response = await http.GetAsync($"repos/{repository}/releases?per_page=30");
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} for its releases.");
        }

        var releases = await response.Content.ReadFromJsonAsync(UpdateFeedCommandJsonContext.Default.ListGitHubRelease)
                       ?? throw new FormatException("an empty answer.");
        var versions = releases.Where(r => !r.Draft && !r.Prerelease).Select(r => r.TagName?.TrimStart('v') ?? "").Where(VersionOrder.IsVersion).ToList();
        if (versions.Count == 0)
        {
            throw new FormatException($"none of its {releases.Count} latest releases is a published release tagged with a version.");
        }

        return versions.Aggregate((a, b) => VersionOrder.Compare(a, b) >= 0 ? a : b);
    }
}

/// <summary>The fields of GitHub's release object the feed needs.</summary>
internal sealed class GitHubRelease
{
    [JsonPropertyName("tag_name")]
    public string? TagName { get; init; }

    [JsonPropertyName("draft")]
    public bool Draft { get; init; }

    [JsonPropertyName("prerelease")]
    public bool Prerelease { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpdateFeed))]
[JsonSerializable(typeof(List<GitHubRelease>))]
internal sealed partial class UpdateFeedCommandJsonContext : JsonSerializerContext;
