using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Talks JSON-RPC to bitcoind: one POST carrying the whole batch. Transport only: it knows HTTP, authentication,
/// size limits and timeouts, and turns every way an answer can be wrong into an <see cref="UpstreamException"/>.
/// </summary>
internal sealed class BitcoindRpcClient : IDisposable
{
    /// <summary>
    /// Largest answer read. A busy mainnet node's batch answer is well under 1 MiB (getpeerinfo with 125 peers is
    /// about 400 KiB); anything far beyond is a broken or hostile upstream, not data worth holding in memory.
    /// </summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly BitcoindCredentials _credentials;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;

    public BitcoindRpcClient(BitcoindOptions options, BitcoindCredentials credentials)
    {
        _credentials = credentials;
        _url = options.Url;
        _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        _http = new HttpClient(new SocketsHttpHandler
        {
            // bitcoind closes idle RPC connections after rpcservertimeout (30 s); retire ours sooner so a
            // POST never lands on a connection bitcoind is closing.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = _timeout,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            // Deadlines are ours (linked tokens); the body is streamed through LengthLimitedStream, which enforces the cap.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.ExpectContinue = false;
    }

    /// <summary>Sends the calls as one batch and returns bitcoind's replies, or throws <see cref="UpstreamException"/>.</summary>
    public async Task<BatchReply> CallBatchAsync(IReadOnlyList<RpcCall> calls, CancellationToken cancellationToken)
    {
        var body = BatchReply.WriteRequest(calls);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await SendWithCredentialsAsync(body, timeout.Token);
            return await ReadBatchAsync(response, calls, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(
                $"bitcoind did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (Bitcoind:TimeoutSeconds).", e);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamException($"cannot talk to bitcoind at {_url}: {Describe(e)}", e);
        }
        catch (IOException e)
        {
            throw new UpstreamException($"bitcoind's answer broke off: {UpstreamException.Clip(e.Message)}", e);
        }
        catch (JsonException e)
        {
            throw new UpstreamException($"bitcoind's answer is not valid JSON: {UpstreamException.Clip(e.Message)}", e);
        }
    }

    /// <summary>Posts the batch; on 401 reads the credentials again and, if they changed (bitcoind restarted), tries once more.</summary>
    private async Task<HttpResponseMessage> SendWithCredentialsAsync(byte[] body, CancellationToken cancellationToken)
    {
        var response = await PostAsync(body, _credentials.Get(), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        if (_credentials.Reload())
        {
            response = await PostAsync(body, _credentials.Get(), cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            response.Dispose();
        }

        throw new UpstreamException("bitcoind refused the credentials (HTTP 401): check Bitcoind:User and its password, or Bitcoind:CookieFile.");
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } },
        };
        request.Headers.Authorization = authorization;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static async Task<BatchReply> ReadBatchAsync(HttpResponseMessage response, IReadOnlyList<RpcCall> calls, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            var methods = string.Join(',', calls.Select(c => c.Method).Distinct());
            throw new UpstreamException($"bitcoind refused the batch (HTTP 403): the RPC user's rpcwhitelist must allow {methods}.");
        }

        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw TooLarge();
        }

        await using var stream = new LengthLimitedStream(await response.Content.ReadAsStreamAsync(cancellationToken), MaxResponseBytes, TooLarge);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await DescribeErrorStatusAsync(response, stream, cancellationToken);
        }

        var document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        try
        {
            // A whole-request error object (some proxies answer so, and bitcoind does for a single call) in place of the array.
            if (document.RootElement.ValueKind == JsonValueKind.Object && BatchReply.TryReadError(document.RootElement, out var error))
            {
                throw ErrorFor(error, "200 OK");
            }

            return BatchReply.Parse(document, calls.Count);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>An error status: bitcoind's own JSON error when the body has one, otherwise the status alone.</summary>
    private static async Task<UpstreamException> DescribeErrorStatusAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {UpstreamException.Clip(response.ReasonPhrase, 60)}";
        try
        {
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
            if (document.RootElement.ValueKind == JsonValueKind.Object && BatchReply.TryReadError(document.RootElement, out var error))
            {
                return ErrorFor(error, status);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page, a truncated body): the status says enough.
        }

        return new UpstreamException($"bitcoind answered HTTP {status}.");
    }

    /// <summary>What went wrong on the wire, in words: HttpRequestException's own message is often just "an error occurred".</summary>
    private static string Describe(HttpRequestException e)
    {
        var innermost = e.GetBaseException().Message;
        var what = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "its host name does not resolve",
            HttpRequestError.ConnectionError => "no connection",
            HttpRequestError.ResponseEnded => "the answer broke off",
            HttpRequestError.InvalidResponse => "the answer is not valid HTTP",
            _ => UpstreamException.Clip(e.Message),
        };
        return ReferenceEquals(e.GetBaseException(), e) ? what : $"{what} ({UpstreamException.Clip(innermost)})";
    }

    private static UpstreamException ErrorFor(RpcError error, string status) =>
        error.Code == RpcError.InWarmup
            ? new BitcoindWarmingUpException(error.Message)
            : new UpstreamException($"bitcoind answered HTTP {status} with {error}.");

    private static UpstreamException TooLarge() =>
        new($"bitcoind's answer is larger than {MaxResponseBytes / (1024 * 1024)} MiB; refusing to read it.");

    public void Dispose() => _http.Dispose();
}
