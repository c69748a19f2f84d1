using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Lnd;

/// <summary>
/// LND's REST API over TLS with its own certificate pinned: tls.cert is the only root trusted (never "skip
/// validation"), nothing a certificate names is fetched, and the host name must be in it as LND writes it (localhost,
/// 127.0.0.1, its host name). The macaroon is read from its file on every call and sent as hex in
/// Grpc-Metadata-macaroon; it is never logged, and no error message carries it. Transport only: one GET, bounded in
/// size, its status and body for the caller to judge.
/// </summary>
internal sealed class LndRestClient : IDisposable
{
    /// <summary>Largest answer read: /v1/channels of a node with a thousand channels is a few MiB.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>Largest macaroon file read: LND's are a few hundred bytes.</summary>
    private const int MaxMacaroonBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly string _macaroonFile;

    /// <summary>Why the last TLS handshake's certificate was refused (null when it was the pinned one): what the failure says.</summary>
    private string? _refusal;

    public LndRestClient(Uri url, string macaroonFile, string tlsCertFile, TimeSpan connectTimeout)
    {
        _macaroonFile = macaroonFile;
        var certificateFile = PathExpansion.Expand(tlsCertFile);
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Read at each new connection: LND renews its certificate (tls.cert) by itself when it expires.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    var problem = PinningProblem(certificate, errors, certificateFile);
                    Volatile.Write(ref _refusal, problem);
                    return problem is null;
                },
            },
        })
        {
            BaseAddress = url,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// Why the server's certificate is not the pinned one, or null when it chains to tls.cert alone (LND's is
    /// self-signed: it is its own root).
    /// </summary>
    internal static string? PinningProblem(X509Certificate? presented, SslPolicyErrors errors, string certificateFile)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "LND presented no certificate";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "the certificate does not name the host of Lnd:Url (LND's names localhost, 127.0.0.1 and its host name; tlsextraip/tlsextradomain add others)";
        }

        X509Certificate2Collection pinned;
        try
        {
            pinned = [];
            pinned.ImportFromPemFile(certificateFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"cannot read the pinned certificate {certificateFile} (Lnd:TlsCertFile): {UpstreamException.Clip(e.Message)}";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(pinned);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(presented);
        if (chain.Build(server))
        {
            return null;
        }

        // The pinned certificate itself, out of date: LND makes a new one only when it starts with an expired one.
        return pinned.Any(p => p.RawData.AsSpan().SequenceEqual(server.RawData)) && server.NotAfter.ToUniversalTime() < DateTime.UtcNow
            ? $"LND's certificate, the one pinned in {certificateFile} (Lnd:TlsCertFile), expired on {server.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: restart LND to make a new one (NodeHelper reads the new file by itself)"
            : $"the certificate LND presented is not the one pinned in {certificateFile} (Lnd:TlsCertFile), so it was refused: another program on that port, or LND made a new certificate that this file is not";
    }

    /// <summary>One GET: its status code and body. Throws <see cref="UpstreamException"/> for transport, TLS, size and macaroon problems.</summary>
    public async Task<(int Status, byte[] Body)> GetAsync(string path, bool withMacaroon, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (withMacaroon)
        {
            request.Headers.TryAddWithoutValidation("Grpc-Metadata-macaroon", await MacaroonHexAsync(cancellationToken));
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return ((int)response.StatusCode, await BoundedBody.ReadAsync(response, MaxResponseBytes, "LND's answer", cancellationToken));
        }
        catch (Exception e) when (TransportFailure.IsTransport(e))
        {
            var (reason, cause) = TransportFailure.Describe(e);
            if (reason == FailureReason.Tls && Volatile.Read(ref _refusal) is { } refusal)
            {
                cause = refusal;
            }

            throw new UpstreamException(reason, $"cannot talk to LND at {_http.BaseAddress}: {cause}", e);
        }
    }

    private async Task<string> MacaroonHexAsync(CancellationToken cancellationToken)
    {
        var path = PathExpansion.Expand(_macaroonFile);
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxMacaroonBytes)
            {
                throw new UpstreamException(FailureReason.Credentials, $"the macaroon file {path} is {info.Length} bytes: not a macaroon (Lnd:MacaroonFile).");
            }

            return Convert.ToHexString(await File.ReadAllBytesAsync(path, cancellationToken)).ToLowerInvariant();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The message names the file and why, never its content.
            throw new UpstreamException(FailureReason.Credentials, $"cannot read the macaroon file {path} (Lnd:MacaroonFile): {UpstreamException.Clip(e.Message)}", e);
        }
    }

    public void Dispose() => _http.Dispose();
}
