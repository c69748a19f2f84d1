using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The answer to a batch, one reply per call in the order of the calls, matched by id (never by position).
/// Owns the parsed document; results are read out of it with <see cref="TryRead{T}"/> before it is disposed.
/// </summary>
internal sealed class BatchReply : IDisposable
{
    private readonly JsonDocument _document;
    private readonly JsonElement?[] _results;
    private readonly RpcError?[] _errors;

    private BatchReply(JsonDocument document, int callCount)
    {
        _document = document;
        _results = new JsonElement?[callCount];
        _errors = new RpcError?[callCount];
    }

    public int Count => _results.Length;

    /// <summary>Reads bitcoind's batch answer. A reply with an unknown or repeated id is ignored; a missing one reads as <see cref="RpcError.NoReply"/>.</summary>
    public static BatchReply Parse(JsonDocument document, int callCount)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, $"bitcoind answered a batch with a JSON {root.ValueKind}, not an array.");
        }

        var reply = new BatchReply(document, callCount);
        var seen = new bool[callCount];
        foreach (var entry in root.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("id", out var id)
                || id.ValueKind != JsonValueKind.Number
                || !id.TryGetInt32(out var index)
                || index < 0 || index >= callCount || seen[index])
            {
                continue;
            }

            seen[index] = true;
            if (TryReadError(entry, out var error))
            {
                reply._errors[index] = error;
            }
            else if (entry.TryGetProperty("result", out var result))
            {
                reply._results[index] = result;
            }
        }

        for (var i = 0; i < callCount; i++)
        {
            if (reply._results[i] is null && reply._errors[i] is null)
            {
                reply._errors[i] = RpcError.NoReply;
            }
        }

        return reply;
    }

    /// <summary>Reads the error object of a reply, when it has a non-null one.</summary>
    public static bool TryReadError(JsonElement entry, out RpcError error)
    {
        error = RpcError.NoReply;
        if (!entry.TryGetProperty("error", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        var code = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
        var message = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString() ?? ""
            : "";
        error = new RpcError(code, message);
        return true;
    }

    public RpcError? ErrorOf(int index) => _errors[index];

    /// <summary>Reads one call's result as <typeparamref name="T"/>; false with the reason when it failed or has the wrong shape.</summary>
    public bool TryRead<T>(int index, JsonTypeInfo<T> type, out T? value, out string? problem)
    {
        value = default;
        if (_errors[index] is { } error)
        {
            problem = error.ToString();
            return false;
        }

        try
        {
            value = _results[index]!.Value.Deserialize(type);
            problem = value is null ? "the result is null" : null;
            return value is not null;
        }
        catch (JsonException e)
        {
            problem = $"unexpected result shape: {UpstreamException.Clip(e.Message)}";
            return false;
        }
    }

    /// <summary>The raw result element, for results that are a bare number or whose length is all that matters.</summary>
    public JsonElement? RawResult(int index) => _results[index];

    public void Dispose() => _document.Dispose();

    /// <summary>Writes the batch request body: a JSON array of JSON-RPC 1.0 requests whose ids are their positions.</summary>
    public static byte[] WriteRequest(IReadOnlyList<RpcCall> calls)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * calls.Count + 16);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i];
                json.WriteStartObject();
                json.WriteString("jsonrpc"u8, "1.0"u8);
                json.WriteNumber("id"u8, i);
                json.WriteString("method"u8, call.Method);
                json.WriteStartArray("params"u8);
                if (call.IntArgument is { } n)
                {
                    json.WriteNumberValue(n);
                }

                if (call.StringArgument is { } s)
                {
                    json.WriteStringValue(s);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
