using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>The ways a call's result is read out of the batch answer (see <see cref="BatchReply"/>).</summary>
internal static class ResultReaders
{
    /// <summary>
    /// Deserialised as <typeparamref name="T"/> by the source-generated converter, straight from the answer's bytes.
    /// The converter is called itself, as a custom converter calls another's (System.Text.Json's documented way), because
    /// JsonSerializer.Deserialize(ref reader) first skips over the value to scope a second reader to it: two passes over
    /// every result instead of one. Null is a null result, as the serialiser reads it. A result of the wrong shape is
    /// read once more by the serialiser, only then, for its message: it names the field ("Path: $.blocks").
    /// </summary>
    public static ResultReader Of<T>(JsonTypeInfo<T> type)
    {
        var converter = (JsonConverter<T>)type.Converter;
        var options = type.Options;
        return (ref Utf8JsonReader reader) =>
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            var start = reader;
            try
            {
                return converter.Read(ref reader, typeof(T), options);
            }
            catch (Exception e) when (IsShapeError(e))
            {
                throw Explained(ref start, type, e);
            }
        };
    }

    /// <summary>
    /// What a reader throws for a result of the wrong shape: the serialiser's JsonException, and the reader's own
    /// InvalidOperationException (a token of the wrong kind, text that is not valid UTF-8 or UTF-16), which the
    /// serialiser would wrap itself.
    /// </summary>
    public static bool IsShapeError(Exception e) => e is JsonException or InvalidOperationException or FormatException or OverflowException;

    /// <summary>The serialiser's own message for the value at <paramref name="start"/>, with its path; malformed JSON throws.</summary>
    private static JsonException Explained<T>(ref Utf8JsonReader start, JsonTypeInfo<T> type, Exception first)
    {
        using var value = JsonDocument.ParseValue(ref start);
        try
        {
            value.RootElement.Deserialize(type);
        }
        catch (Exception e) when (IsShapeError(e))
        {
            return e as JsonException ?? new JsonException(e.Message, e);
        }

        return first as JsonException ?? new JsonException(first.Message, first);
    }

    /// <summary>A bare number, kept as a JSON element of its own (uptime); anything else is refused before it is parsed.</summary>
    public static readonly ResultReader Number = (ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number
            ? JsonElement.ParseValue(ref reader)
            : throw new JsonException($"the result is a JSON {Kind(reader.TokenType)}, not a number");

    /// <summary>Only the number of items of an array (listbanned): a ban list of thousands is counted, never kept.</summary>
    public static readonly ResultReader ArrayLength = (ref Utf8JsonReader reader) =>
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"the result is a JSON {Kind(reader.TokenType)}, not an array");
        }

        var depth = reader.CurrentDepth;
        var count = 0;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            count++;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return count;
    };

    /// <summary>A token's kind in words, for messages.</summary>
    public static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
