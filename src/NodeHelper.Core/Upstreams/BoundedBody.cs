namespace NodeHelper.Core.Upstreams;

/// <summary>
/// Reads an upstream's HTTP answer without trusting its size: a Content-Length over the cap is refused before a byte
/// is read, and a body without one stops being read at the cap. Every HTTP client of NodeHelper reads this way,
/// under a deadline of its own (<see cref="Deadline"/>) that covers the whole body, so a trickle is as late as silence.
/// </summary>
internal static class BoundedBody
{
    /// <param name="what">What is read, for the message: "bitcoind's answer".</param>
    public static async Task<Stream> OpenAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(what, maxBytes);
        }

        return new LengthLimitedStream(await response.Content.ReadAsStreamAsync(cancellationToken), maxBytes, () => TooLarge(what, maxBytes));
    }

    /// <summary>The whole body, at most <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken cancellationToken)
    {
        await using var body = await OpenAsync(response, maxBytes, what, cancellationToken);
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>The whole body, at most <paramref name="maxBytes"/>, in a pooled buffer: dispose it when read.</summary>
    public static async Task<PooledBody> ReadPooledAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken cancellationToken)
    {
        await using var body = await OpenAsync(response, maxBytes, what, cancellationToken);
        return await PooledBody.ReadAsync(body, response.Content.Headers.ContentLength, cancellationToken);
    }

    public static UpstreamException TooLarge(string what, int maxBytes) =>
        new(FailureReason.TooLarge, $"{what} is larger than {Size(maxBytes)}; refusing to read it.");

    private static string Size(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}
