using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>What one probe of the front end saw: the final status, how long the whole answer took, and the TLS expiry.</summary>
internal sealed record FrontendProbe(int StatusCode, double DurationSeconds, DateTimeOffset? CertificateNotAfter);

/// <summary>
/// Probes the public mempool front end (nginx in front of the frontend and backend) as a visitor would: a GET,
/// redirects followed, the body read. A new connection each time, so the TLS handshake and certificate are seen
/// on every probe, as blackbox_exporter does.
/// </summary>
internal sealed class MempoolFrontendClient(MempoolOptions options)
{
    /// <summary>The front end's HTML page is a few KiB; reading more would only measure the link.</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly Uri _url = options.FrontendUrl ?? throw new InvalidOperationException("Mempool:FrontendUrl is not set.");

    public async Task<FrontendProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? earliestExpiry = null;
        bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            // The earliest expiry along the chain that was presented: the one that will break the site first.
            foreach (var expiry in Expiries(certificate, chain))
            {
                earliestExpiry = earliestExpiry is null || expiry < earliestExpiry ? expiry : earliestExpiry;
            }

            return errors == SslPolicyErrors.None
                || (!options.FrontendTlsVerify && certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0);
        }

        var timeoutAfter = TimeSpan.FromSeconds(options.TimeoutSeconds);
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = timeoutAfter,
            SslOptions = { RemoteCertificateValidationCallback = Validate },
        };
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timeoutAfter);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
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

            return new FrontendProbe((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds, earliestExpiry);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(
                $"the mempool front end at {_url} did not answer within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Mempool:TimeoutSeconds).", e);
        }
        catch (HttpRequestException e)
        {
            throw new UpstreamException($"cannot reach the mempool front end at {_url}: {UpstreamException.Clip(e.GetBaseException().Message)}", e);
        }
        catch (IOException e)
        {
            throw new UpstreamException($"the mempool front end's answer broke off: {UpstreamException.Clip(e.Message)}", e);
        }
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
