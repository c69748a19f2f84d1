using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using NodeHelper.Exporter;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Updates;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary><c>nodehelper update-feed</c> against a local server that answers as GitHub's releases API does.</summary>
public sealed class UpdateFeedCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-feed-").FullName;
    private readonly Dictionary<string, (int Status, string Body)> _answers = new(StringComparer.Ordinal);
    private WebApplication _github = null!;

    private string Feed => Path.Join(_dir, "update-feed.json");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _github = builder.Build();
        _github.MapGet("/repos/{owner}/{name}/releases", (string owner, string name) =>
            _answers.TryGetValue($"{owner}/{name}", out var answer)
                ? Results.Content(answer.Body, "application/json", statusCode: answer.Status)
                : Results.NotFound());
        await _github.StartAsync();
        foreach (var (_, repository) in UpdateFeedCommand.Projects)
        {
            _answers[repository] = (200, """[{"tag_name": "v1.0.0", "name": "a release", "draft": false, "prerelease": false}]""");
        }
    }

    public async Task DisposeAsync()
    {
        await _github.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task WritesAFeedOfEachProjectsLatestReleaseThatTheCollectorReads()
    {
        // Newest first, as GitHub lists them: a backport published after the highest release, a draft, a candidate.
        _answers["bitcoin/bitcoin"] = (200, """
            [{"tag_name": "v100.0rc1", "draft": false, "prerelease": true}, {"tag_name": "v101.0", "draft": true, "prerelease": false},
             {"tag_name": "v98.2", "draft": false, "prerelease": false}, {"tag_name": "v99.0", "draft": false, "prerelease": false},
             {"tag_name": "v98.1", "draft": false, "prerelease": false}]
            """);
        _answers["bitcoinknots/bitcoin"] = (200, """[{"tag_name": "v29.2.knots20251110"}]""");
        _answers["lightningnetwork/lnd"] = (200, """[{"tag_name": "v0.19.3-beta"}, {"tag_name": "v0.20.0-beta.rc1", "prerelease": true}]""");

        var (status, output, error) = await RunAsync("--output", Feed, "--api", _github.Urls.First());

        status.Should().Be(0, error);
        output.Should().Contain("bitcoin_core 99.0,", "the highest release, not the last published (98.2), a draft or a candidate");
        using (var json = JsonDocument.Parse(File.ReadAllText(Feed)))
        {
            json.RootElement.GetProperty("latest").GetProperty("bitcoin_knots").GetString().Should().Be("29.2.knots20251110");
            json.RootElement.GetProperty("latest").GetProperty("lnd").GetString().Should().Be("0.19.3-beta");
            json.RootElement.GetProperty("generated").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        }

        var running = new RunningVersions();
        running.Saw("bitcoin_core", "29.0.0");
        var scrape = await Registries.CollectAsync(new UpdatesCollector(Feed, running, new ItemLog(NullLogger.Instance, "updates")));
        scrape.Value("nodehelper_update_available", ("component", "bitcoin_core"), ("running", "29.0.0"), ("latest", "99.0")).Should().Be(1);
    }

    [Theory]
    [InlineData(500, """{"message": "oops"}""")]
    [InlineData(200, """[{"tag_name": "nightly"}]""")]
    [InlineData(200, "[]")]
    [InlineData(200, "<html>rate limited</html>")]
    public async Task OneProjectThatCannotBeReadLeavesTheOldFeedAsItWas(int status, string body)
    {
        File.WriteAllText(Feed, """{"generated": "2026-11-01T00:00:00Z", "latest": {"fulcrum": "2.1.1"}}""");
        _answers["cculianu/Fulcrum"] = (status, body);

        var (exit, _, error) = await RunAsync("--output", Feed, "--api", _github.Urls.First());

        exit.Should().Be(1);
        error.Should().Contain("cculianu/Fulcrum").And.Contain("left as it was");
        File.ReadAllText(Feed).Should().Contain("2026-11-01", "a feed with one project missing would claim to be fresh for it");
    }

    [Fact]
    public async Task OnlyTheComponentsAskedForAreFetched()
    {
        _answers["cculianu/Fulcrum"] = (500, "{}"); // not asked for: its failure does not matter

        var (status, _, error) = await RunAsync("--output", Feed, "--components", "bitcoin_core,electrs", "--api", _github.Urls.First());

        status.Should().Be(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Feed));
        json.RootElement.GetProperty("latest").EnumerateObject().Select(p => p.Name).Should().Equal("bitcoin_core", "electrs");
        (await RunAsync("--output", Feed, "--components", "bitcoind")).Status.Should().Be(2, "an unknown component is named, not ignored");
    }

    [Fact]
    public async Task WithoutAnOutputItSaysHowToCallIt()
    {
        var (exit, _, error) = await RunAsync("--api", _github.Urls.First());

        exit.Should().Be(2);
        error.Should().Contain(UpdateFeedCommand.Usage);
    }

    private static async Task<(int Status, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var status = await UpdateFeedCommand.RunAsync(args, output, error);
        return (status, output.ToString(), error.ToString());
    }
}
