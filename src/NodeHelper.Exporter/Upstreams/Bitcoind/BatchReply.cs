using System.Buffers;
using System.Text.Json;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The answer to a batch, one reply per call in the order of the calls, matched by id (never by position).
/// It is read in one pass over the answer's bytes, with no document in between: each result goes straight to its
/// call's <see cref="ResultReader"/>. bitcoind writes "result" before "id", so a result is first read as the call
/// at its position (bitcoind answers in order) and read again only when its id names another call.
/// </summary>
internal sealed class BatchReply
{
    private readonly object?[] _values;
    private readonly string?[] _shapeProblems;
    private readonly RpcError?[] _errors;

    private BatchReply(int callCount)
    {
        _values = new object?[callCount];
        _shapeProblems = new string?[callCount];
        _errors = new RpcError?[callCount];
    }

    /// <summary>
    /// Reads bitcoind's batch answer, each call's result with its reader. A reply with an unknown or repeated id is
    /// ignored; a missing one reads as <see cref="RpcError.NoReply"/>. Malformed JSON throws <see cref="JsonException"/>.
    /// </summary>
    public static BatchReply Parse(ReadOnlySpan<byte> utf8, IReadOnlyList<ResultReader> readers)
    {
        // Read throws JsonException on an empty body, and on anything after the array.
        var reader = new Utf8JsonReader(WithoutByteOrderMark(utf8));
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, $"bitcoind answered a batch with a JSON {ResultReaders.Kind(reader.TokenType)}, not an array.");
        }

        var reply = new BatchReply(readers.Count);
        var seen = new bool[readers.Count];
        for (var position = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; position++)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            reply.ReadEntry(ref reader, position, readers, seen);
        }

        reader.Read();

        for (var i = 0; i < readers.Count; i++)
        {
            if (!seen[i])
            {
                reply._errors[i] = RpcError.NoReply;
            }
        }

        return reply;
    }

    /// <summary>One reply object; the reader is on its start and is left on its end.</summary>
    private void ReadEntry(ref Utf8JsonReader reader, int position, IReadOnlyList<ResultReader> readers, bool[] seen)
    {
        int? id = null;
        var idValid = true;
        RpcError? error = null;
        var hasResult = false;
        var atResult = default(Utf8JsonReader);
        var readAs = -1;
        object? value = null;
        string? shapeProblem = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                var n = -1;
                idValid = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out n) && n >= 0 && n < readers.Count;
                id = idValid ? n : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                hasResult = true;
                atResult = reader;
                readAs = id ?? position;
                if (idValid && readAs < readers.Count)
                {
                    (value, shapeProblem) = ReadResult(ref reader, readers[readAs]);
                }
                else
                {
                    readAs = -1;
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = ReadError(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (id is not { } index || seen[index])
        {
            return;
        }

        seen[index] = true;
        if (error is not null)
        {
            _errors[index] = error;
            return;
        }

        if (!hasResult)
        {
            _errors[index] = RpcError.NoReply;
            return;
        }

        if (readAs != index)
        {
            // The id named another call than the position guessed: read the result again, as that call.
            (value, shapeProblem) = ReadResult(ref atResult, readers[index]);
        }

        _values[index] = value;
        _shapeProblems[index] = shapeProblem;
    }

    /// <summary>
    /// Reads a result with a copy of the reader (a struct: the copy is an independent cursor), so that a result of the
    /// wrong shape is skipped from where it began and costs only its own call. Malformed JSON still throws.
    /// </summary>
    private static (object? Value, string? Problem) ReadResult(ref Utf8JsonReader reader, ResultReader read)
    {
        var attempt = reader;
        try
        {
            var value = read(ref attempt);
            reader = attempt;
            return (value, null);
        }
        catch (Exception e) when (ResultReaders.IsShapeError(e))
        {
            reader.Skip();
            return (null, $"unexpected result shape: {UpstreamException.Clip(e.Message)}");
        }
    }

    /// <summary>A reply's "error" value; null when it is JSON null. The reader is left on the value's last token.</summary>
    private static RpcError? ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new RpcError(0, "");
        }

        var code = 0;
        var message = "";
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var isCode = reader.ValueTextEquals("code"u8);
            var isMessage = !isCode && reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n))
            {
                code = n;
            }
            else if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                message = TextOf(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new RpcError(code, message);
    }

    /// <summary>A string's text; a string that is not valid text (a lone surrogate, bytes that are not UTF-8) is described, not thrown.</summary>
    private static string TextOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return "(a message that is not valid text)";
        }
    }

    /// <summary>A UTF-8 byte order mark is not JSON, but a proxy may put one before the answer; JsonDocument skipped it too.</summary>
    private static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> utf8) => utf8.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;

    /// <summary>
    /// The error of a whole-request error object (some proxies answer so, and bitcoind does for a single call, or
    /// while it starts) in place of the batch's array; null when the answer is anything else. Throws on malformed JSON.
    /// </summary>
    public static RpcError? WholeRequestError(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(WithoutByteOrderMark(utf8));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        RpcError? error = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isError)
            {
                error = ReadError(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        // Anything after the object makes the answer malformed: this Read throws on it.
        reader.Read();
        return error;
    }

    public RpcError? ErrorOf(int index) => _errors[index];

    /// <summary>One call's result as its reader read it; false with the reason when the call failed or the result has the wrong shape.</summary>
    public bool TryRead<T>(int index, out T? value, out string? problem)
    {
        value = default;
        if (_errors[index] is { } error)
        {
            problem = error.ToString();
            return false;
        }

        if (_shapeProblems[index] is { } shape)
        {
            problem = shape;
            return false;
        }

        switch (_values[index])
        {
            case null:
                problem = "the result is null";
                return false;
            case T read:
                value = read;
                problem = null;
                return true;
            case var other:
                throw new InvalidOperationException($"call {index} was read as {other.GetType().Name}, not {typeof(T).Name}: its reader and its use disagree.");
        }
    }

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
