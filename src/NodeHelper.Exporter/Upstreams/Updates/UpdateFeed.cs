using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeHelper.Exporter.Upstreams.Updates;

/// <summary>
/// The version feed file (docs/update-feed.md): when it was made, and the latest release of each component.
/// <code>{"generated": "2026-12-01T06:00:00Z", "latest": {"bitcoin_core": "30.0", "fulcrum": "2.1.1"}}</code>
/// </summary>
internal sealed class UpdateFeed
{
    /// <summary>More than any feed of a few components needs; a bigger file is refused unread.</summary>
    public const int MaxBytes = 64 * 1024;

    [JsonPropertyName("generated")]
    public DateTimeOffset? Generated { get; init; }

    [JsonPropertyName("latest")]
    public Dictionary<string, string>? Latest { get; init; }

    /// <summary>Parses a feed; throws <see cref="FormatException"/> saying what is wrong with it.</summary>
    public static UpdateFeed Parse(ReadOnlySpan<byte> json)
    {
        UpdateFeed? feed;
        try
        {
            feed = JsonSerializer.Deserialize(json, UpdateFeedJsonContext.Default.UpdateFeed);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a feed: {e.Message}", e);
        }

        if (feed?.Latest is null)
        {
            throw new FormatException("not a feed: no \"latest\" object of component → version.");
        }

        return feed;
    }
}

[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(UpdateFeed))]
internal sealed partial class UpdateFeedJsonContext : JsonSerializerContext;
