using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>
/// Probes the public mempool front end (nginx in front of the frontend and backend) as a returning visitor would:
/// a GET, redirects followed, the body read. A connection is kept for at most <see cref="ConnectionLifetime"/>:
/// a full TLS handshake on every scrape cost 3 ms of CPU each time (measured) and tells nothing the status and
/// latency do not; the certificate is read on each new connection, so a renewed one shows within minutes.
/// </summary>
internal sealed class MempoolFrontendClient : IDisposable
{
    /// <summary>The front end's HTML page is a few KiB; reading more would only measure the link.</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>How long a connection to the front end is kept, and so how stale the certificate's expiry may be.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);

    private readonly MempoolOptions _options;
    private readonly Uri _url;
    private readonly HttpClient _http;

    /// <summary>Earliest expiry presented on the newest connection; written by the handshake, read by probes.</summary>
    private DateTimeOffset? _earliestExpiry;

    /// <summary>Collects the expiries of the handshake under way before they replace <see cref="_earliestExpiry"/>.</summary>
    private DateTimeOffset? _handshakeExpiry;

    public MempoolFrontendClient(MempoolOptions options)
    {
        _options = options;
        _url = options.FrontendUrl ?? throw new InvalidOperationException("Mempool:FrontendUrl is not set.");

        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = ConnectionLifetime,
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            SslOptions = { RemoteCertificateValidationCallback = Validate },
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<FrontendProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = Deadline.After(_options.TimeoutSeconds, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[16 * 1024];
            for (var read = 0; read < MaxBodyBytes;)
            {
                var n = await body.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new FrontendProbe((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds, _earliestExpiry);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout,
                $"the mempool front end at {_url} did not answer within {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Mempool:TimeoutSeconds).", e);
        }
        catch (Exception e) when (TransportFailure.IsTransport(e))
        {
            var (reason, cause) = TransportFailure.Describe(e);
            throw new UpstreamException(reason, $"cannot reach the mempool front end at {_url}: {cause}.", e);
        }
    }

    public void Dispose() => _http.Dispose();

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The earliest expiry along the chain that was presented: the one that will break the site first.
        _handshakeExpiry = null;
        foreach (var expiry in Expiries(certificate, chain))
        {
            _handshakeExpiry = _handshakeExpiry is null || expiry < _handshakeExpiry ? expiry : _handshakeExpiry;
        }

        _earliestExpiry = _handshakeExpiry;

        return errors == SslPolicyErrors.None
            || (!_options.FrontendTlsVerify && certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0);
    }

    private static IEnumerable<DateTimeOffset> Expiries(X509Certificate? certificate, X509Chain? chain)
    {
        if (chain is { ChainElements.Count: > 0 })
        {
            foreach (var element in chain.ChainElements)
            {
                yield return new DateTimeOffset(element.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            }
        }
        else if (certificate is X509Certificate2 leaf)
        {
            yield return new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }
    }
}
