using System.Buffers;

namespace NodeHelper.Core.Upstreams;

/// <summary>
/// A whole HTTP body held in a buffer rented from the shared pool, for parsers that read it in one pass with a
/// Utf8JsonReader (no DOM, no copy per scrape). Dispose returns the buffer; the span must not be used after.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;
    private int _length;

    private PooledBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsSpan(0, _length);

    /// <summary>A first buffer sized by a Content-Length is at most this; a header is the upstream's word, not its body.</summary>
    private const int MaxFirstBuffer = 1024 * 1024;

    /// <summary>Reads <paramref name="body"/> to its end; a Content-Length, when known, sizes the first buffer (up to 1 MiB).</summary>
    public static async Task<PooledBody> ReadAsync(Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var pooled = new PooledBody(contentLength is > 0 ? (int)Math.Min(contentLength.Value + 1, MaxFirstBuffer) : 64 * 1024);
        try
        {
            while (true)
            {
                if (pooled._length == pooled._buffer!.Length)
                {
                    pooled.Grow();
                }

                var read = await body.ReadAsync(pooled._buffer.AsMemory(pooled._length), cancellationToken);
                if (read == 0)
                {
                    return pooled;
                }

                pooled._length += read;
            }
        }
        catch
        {
            pooled.Dispose();
            throw;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(checked(_buffer!.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
