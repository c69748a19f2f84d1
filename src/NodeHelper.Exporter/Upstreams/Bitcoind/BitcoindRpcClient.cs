using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Talks JSON-RPC to bitcoind: one POST carrying the whole batch. Transport only: it knows HTTP, authentication,
/// size limits and timeouts, and turns every way an answer can be wrong into an <see cref="UpstreamException"/>.
/// </summary>
internal sealed class BitcoindRpcClient : IDisposable
{
    /// <summary>
    /// Largest answer read. A busy mainnet node's batch answer is well under 1 MiB (getpeerinfo with 125 peers is
    /// about 190 KiB, the whole 125-peer batch about 233 KiB, measured on the mainnet simulator); anything far beyond is a
    /// broken or hostile upstream, not data worth holding in memory.
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

    /// <summary>Sends the calls as one batch and returns bitcoind's replies, or throws <see cref="UpstreamException"/> with its reason.</summary>
    public async Task<BatchReply> CallBatchAsync(BitcoindBatchPlan plan, CancellationToken cancellationToken)
    {
        var body = BatchReply.WriteRequest(plan.Calls);
        using var timeout = Deadline.After(_timeout, cancellationToken);
        try
        {
            using var response = await SendWithCredentialsAsync(body, timeout.Token);
            return await ReadBatchAsync(response, plan, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout,
                $"bitcoind did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (Bitcoind:TimeoutSeconds).", e);
        }
        catch (Exception e) when (TransportFailure.IsTransport(e))
        {
            var (reason, cause) = TransportFailure.Describe(e);
            var hint = reason is FailureReason.Refused or FailureReason.Unreachable ? "; is bitcoind running, and is Bitcoind:Url its rpcbind/rpcport?" : "";
            throw new UpstreamException(reason, $"cannot talk to bitcoind at {_url}: {cause}{hint}", e);
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

        throw new UpstreamException(FailureReason.Unauthorized, _credentials.UsesCookie
            ? "bitcoind refused the cookie (HTTP 401), even after it was read again: is Bitcoind:CookieFile the cookie of this bitcoind (its network's subdirectory for testnet, signet, regtest)?"
            : "bitcoind refused the credentials (HTTP 401): check Bitcoind:User and its password (Bitcoind:PasswordFile).");
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

    private static async Task<BatchReply> ReadBatchAsync(HttpResponseMessage response, BitcoindBatchPlan plan, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            var methods = string.Join(',', plan.Calls.Select(c => c.Method).Distinct());
            throw new UpstreamException(FailureReason.Forbidden, $"bitcoind refused the batch (HTTP 403): the RPC user's rpcwhitelist must allow {methods}.");
        }

        // The whole answer in one pooled buffer, read in one pass (BatchReply): a 125-peer answer is about 233 KiB.
        using var body = await BoundedBody.ReadPooledAsync(response, MaxResponseBytes, "bitcoind's answer", cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw DescribeErrorStatus(response, body.Span);
        }

        if (BatchReply.WholeRequestError(body.Span) is { } error)
        {
            throw ErrorFor(error, "200 OK");
        }

        return BatchReply.Parse(body.Span, plan.Readers);
    }

    /// <summary>An error status: bitcoind's own JSON error when the body has one, otherwise the status alone.</summary>
    private static UpstreamException DescribeErrorStatus(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var status = $"{(int)response.StatusCode} {UpstreamException.Clip(response.ReasonPhrase, 60)}";
        try
        {
            if (BatchReply.WholeRequestError(body) is { } error)
            {
                return ErrorFor(error, status);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page, a truncated body): the status says enough.
        }

        return new UpstreamException(FailureReason.HttpError, $"bitcoind answered HTTP {status}.");
    }

    private static UpstreamException ErrorFor(RpcError error, string status) =>
        error.Code == RpcError.InWarmup
            ? new BitcoindWarmingUpException(error.Message)
            : new UpstreamException(FailureReason.UpstreamError, $"bitcoind answered HTTP {status} with {error}.");

    public void Dispose() => _http.Dispose();
}
