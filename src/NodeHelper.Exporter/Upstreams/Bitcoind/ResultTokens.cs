using System.Text.Json;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The field reads of the hand-written result readers (<see cref="PeerListReader"/>, <see cref="ChainTipListReader"/>),
/// as strict as the source-generated serialiser: a token of the wrong kind is a <see cref="JsonException"/> naming the
/// field. The reader may be left anywhere then: <see cref="BatchReply"/> skips the result from its start.
/// </summary>
internal static class ResultTokens
{
    public static long Long(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw Wrong(ref reader, field, "a whole number");

    public static long? NullableLong(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : Long(ref reader, field);

    public static double? NullableDouble(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) ? value
        : throw Wrong(ref reader, field, "a number");

    public static bool Bool(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Wrong(ref reader, field, "true or false"),
    };

    /// <summary>A string, shared when it is bitcoind's vocabulary (<see cref="KnownStrings"/>).</summary>
    public static string KnownString(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Wrong(ref reader, field, "a string");
        }

        try
        {
            return KnownStrings.Read(ref reader);
        }
        catch (InvalidOperationException e)
        {
            // A lone surrogate or bytes that are not UTF-8: the serialiser threw a JsonException for it, so this does.
            throw new JsonException($"{field} is not valid text: {e.Message}", e);
        }
    }

    public static string? NullableKnownString(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : KnownString(ref reader, field);

    public static JsonException Missing(string field) => new($"{field} is missing.");

    /// <summary>A list's item that is neither an object nor null (read as a null item).</summary>
    public static JsonException NotAnObject(JsonTokenType token, string list) => new($"{list} holds a JSON {token}, not an object.");

    private static JsonException Wrong(ref Utf8JsonReader reader, string field, string expected) =>
        new($"{field} is a JSON {reader.TokenType}, not {expected}.");
}
