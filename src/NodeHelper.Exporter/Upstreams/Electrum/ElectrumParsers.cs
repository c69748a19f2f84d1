using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Electrum;

/// <summary>Reads the Electrum server's answers. Pure.</summary>
internal static class ElectrumParsers
{
    /// <summary>
    /// One line of JSON. Bytes that are not UTF-8 (a server version built from a broken string) become U+FFFD
    /// first: a bad byte in a label value is not a server that is down.
    /// </summary>
    public static JsonDocument ParseLine(ReadOnlyMemory<byte> line, string method)
    {
        try
        {
            return System.Text.Unicode.Utf8.IsValid(line.Span) ? JsonDocument.Parse(line) : JsonDocument.Parse(Encoding.UTF8.GetString(line.Span));
        }
        catch (JsonException e)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, $"the Electrum server answered {method} with a line that is not JSON: {UpstreamException.Clip(e.Message)}", e);
        }
    }

    /// <summary>The result of the answer with the expected id, or the server's error as an exception.</summary>
    public static JsonElement Result(JsonElement answer, int id, string method)
    {
        if (answer.ValueKind != JsonValueKind.Object
            || !answer.TryGetProperty("id", out var answerId) || answerId.ValueKind != JsonValueKind.Number
            || !answerId.TryGetInt32(out var answered) || answered != id)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, $"the Electrum server's answer to {method} does not carry its id {id}.");
        }

        if (answer.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
            throw new UpstreamException(FailureReason.UpstreamError, $"the Electrum server answered {method} with an error: {UpstreamException.Clip(message)}");
        }

        return answer.TryGetProperty("result", out var result)
            ? result.Clone()
            : throw new UpstreamException(FailureReason.InvalidResponse, $"the Electrum server's answer to {method} has neither result nor error.");
    }

    /// <summary>server.version answers [server software, protocol version].</summary>
    public static (string Server, string Protocol) Version(JsonElement result) =>
        result is { ValueKind: JsonValueKind.Array } && result.GetArrayLength() == 2
            && result[0].ValueKind == JsonValueKind.String && result[1].ValueKind == JsonValueKind.String
            ? (result[0].GetString()!, result[1].GetString()!)
            : throw new UpstreamException(FailureReason.InvalidResponse, "the Electrum server's server.version answer is not [software, protocol].");

    /// <summary>blockchain.headers.subscribe answers {height, hex}: the tip and its 80-byte header, whose bytes 68-71 are its time.</summary>
    public static (long Height, long Timestamp) Tip(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("height", out var height) || !height.TryGetInt64(out var h) || h < 0
            || !result.TryGetProperty("hex", out var hex) || hex.ValueKind != JsonValueKind.String)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, "the Electrum server's blockchain.headers.subscribe answer is not {height, hex}.");
        }

        byte[] header;
        try
        {
            header = Convert.FromHexString(hex.GetString()!);
        }
        catch (FormatException e)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, "the Electrum server's tip header is not hexadecimal.", e);
        }

        return header.Length == 80
            ? (h, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(68, 4)))
            : throw new UpstreamException(FailureReason.InvalidResponse, $"the Electrum server's tip header has {header.Length} bytes, not 80.");
    }
}
