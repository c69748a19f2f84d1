using System.Globalization;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>Reads the mempool backend's API: its five endpoints at once, each bounded in time and size. Transport only.</summary>
internal sealed class MempoolClient : IDisposable
{
    /// <summary>Largest answer read: init-data on mainnet is tens of KiB.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly MempoolOptions _options;

    public MempoolClient(MempoolOptions options)
    {
        _options = options;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            // The backend (Express) keeps idle connections 70 s (Keep-Alive: timeout=70); retire ours sooner.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
        })
        {
            BaseAddress = options.Url,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<MempoolSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = Deadline.After(_options.TimeoutSeconds, cancellationToken);
        var gets = MempoolParsers.Paths.Select(path => GetAsync(path, timeout.Token)).ToArray();
        var answers = await Task.WhenAll(gets);
        cancellationToken.ThrowIfCancellationRequested();
        return MempoolParsers.Parse(MempoolParsers.Paths.Zip(answers).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
    }

    /// <summary>One GET, never throwing for the upstream's sake: a failure is an answer with a problem and its reason.</summary>
    private async Task<EndpointAnswer> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await BoundedBody.ReadAsync(response, MaxResponseBytes, "the answer", cancellationToken);
            return new EndpointAnswer((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException)
        {
            return new EndpointAnswer(0, [], $"no answer within {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Mempool:TimeoutSeconds)", FailureReason.Timeout);
        }
        catch (UpstreamException e)
        {
            return new EndpointAnswer(0, [], e.Message, e.Reason);
        }
        catch (Exception e) when (TransportFailure.IsTransport(e))
        {
            var (reason, cause) = TransportFailure.Describe(e);
            return new EndpointAnswer(0, [], $"cannot talk to the backend at {_options.Url}: {cause}", reason);
        }
    }

    public void Dispose() => _http.Dispose();
}
