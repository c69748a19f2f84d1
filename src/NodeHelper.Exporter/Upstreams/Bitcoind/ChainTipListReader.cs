using System.Text.Json;
using static NodeHelper.Exporter.Upstreams.Bitcoind.ResultTokens;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Reads getchaintips' list by hand, in one pass: height, branch length and status of each tip, its 64-character hash
/// skipped. A node that has run for years knows hundreds of tips. An item that is JSON null is kept as null, which
/// <see cref="ChainTip.Problem"/> reports.
/// </summary>
internal static class ChainTipListReader
{
    /// <summary>For the batch: a null result is null, as the serialiser read it ("the result is null").</summary>
    public static readonly ResultReader Reader = (ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Read(ref reader);

    public static IReadOnlyList<ChainTip> Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"the tip list is a JSON {ResultReaders.Kind(reader.TokenType)}, not an array.");
        }

        var tips = new List<ChainTip>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            tips.Add(reader.TokenType switch
            {
                JsonTokenType.Null => null!,
                JsonTokenType.StartObject => ReadTip(ref reader),
                _ => throw NotAnObject(reader.TokenType, "the tip list"),
            });
        }

        return tips;
    }

    private static ChainTip ReadTip(ref Utf8JsonReader reader)
    {
        long? height = null, branchLength = null;
        string? status = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("height"u8))
            {
                reader.Read();
                height = Long(ref reader, "height");
            }
            else if (reader.ValueTextEquals("branchlen"u8))
            {
                reader.Read();
                branchLength = Long(ref reader, "branchlen");
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = KnownString(ref reader, "status");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ChainTip(height ?? throw Missing("height"), branchLength ?? throw Missing("branchlen"), status ?? throw Missing("status"));
    }
}
