using System.Text.Json;
using System.Text.Json.Serialization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using static NodeHelper.Core.Upstreams.FieldCheck;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// bitcoind's <c>warnings</c> is one string before v28 (empty when there is none) and an array of strings since.
/// Both become the number of warnings.
/// </summary>
internal sealed class WarningCountConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.ValueTextEquals(""u8) ? 0 : 1;
            case JsonTokenType.Null:
                return 0;
            case JsonTokenType.StartArray:
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("warnings must hold strings.");
                    }

                    count++;
                }

                return count;
            default:
                throw new JsonException($"warnings is a {reader.TokenType}, not a string or an array.");
        }
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Warnings are only read.");
}
