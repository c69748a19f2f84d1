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
    /// a 190 KiB peer list instead of one. Null is a null result, as the serialiser reads it.
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

            try
            {
                return converter.Read(ref reader, typeof(T), options);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
            {
                // A token of the wrong kind (a string where a number goes): the serialiser would wrap these itself.
                throw new JsonException(e.Message, e);
            }
        };
    }

    /// <summary>Kept as a small JSON element of its own: for results that are a bare value (uptime's number).</summary>
    public static readonly ResultReader Element = (ref Utf8JsonReader reader) => JsonElement.ParseValue(ref reader);

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

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
