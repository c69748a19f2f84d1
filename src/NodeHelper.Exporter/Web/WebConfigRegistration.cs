using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace NodeHelper.Exporter.Web;

/// <summary>The web configuration file put to work: TLS on every listener, then basic auth and headers on every request. Without a file, nothing here runs.</summary>
internal static partial class WebConfigRegistration
{
    /// <summary>With tls_server_config, every address of urls serves TLS (and HTTP/2 unless http2 is false).</summary>
    public static WebApplicationBuilder UseWebConfig(this WebApplicationBuilder builder, WebConfig? web)
    {
        if (web?.Tls is not { } tls)
        {
            return builder;
        }

        var clientCas = tls.ClientCaFile is { } ca ? WebConfig.LoadClientCas(ca) : [];

        // cipher_suites (or the default, ECDHE with AEAD only) for TLS 1.2, TLS 1.3's suites always: one policy for every handshake.
        // (NodeHelper runs on Linux; Windows, where .NET has no such policy, would keep its system's choice.)
        var cipherSuites = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(tls.OfferedCipherSuites);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var certificate = new ServerCertificate(tls, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("NodeHelper.Web"));
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                listen.Protocols = web.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, _) => certificate.Current,
                    SslProtocols = tls.Protocols,
                    ClientCertificateMode = tls.ClientAuth switch
                    {
                        ClientAuth.NoClientCert => ClientCertificateMode.NoCertificate,
                        ClientAuth.RequestClientCert or ClientAuth.VerifyClientCertIfGiven => ClientCertificateMode.AllowCertificate,
                        _ => ClientCertificateMode.RequireCertificate,
                    },
                    // The chain is built once, by SslStream in the handshake, with ClientChainPolicy: errors are its verdict.
                    ClientCertificateValidation = (_, _, errors) => !tls.VerifiesClients || errors == SslPolicyErrors.None,
                    CheckCertificateRevocation = false,
                    OnAuthenticate = (_, ssl) =>
                    {
                        ssl.CertificateChainPolicy = ClientChainPolicy(clientCas);
                        ssl.CipherSuitesPolicy = cipherSuites;
                    },
                });
            });
        });
        return builder;
    }

    /// <summary>Headers and basic auth on every request, when the file asks for either. <c>/-/healthy</c> needs no password (README: it reveals nothing and calls no upstream).</summary>
    public static void UseWebConfig(this WebApplication app, WebConfig? web)
    {
        if (web is null)
        {
            return;
        }

        LogWebConfig(app.Logger, web.File, web.Tls is null ? "off" : $"on ({web.Tls.CertFile}, client certificates: {web.Tls.ClientAuth})", web.Users.Count);
        if (!web.NeedsMiddleware)
        {
            return;
        }

        var authentication = web.HasUsers ? new BasicAuthentication(web.Users, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NodeHelper.Web")) : null;
        if (authentication is not null)
        {
            app.Lifetime.ApplicationStopped.Register(authentication.Dispose);
        }

        app.Use(async (context, next) =>
        {
            foreach (var (name, value) in web.Headers)
            {
                context.Response.Headers[name] = value;
            }

            if (authentication is null || context.Request.Path == HealthCheckCommand.Path || await authentication.IsAuthorizedAsync(context))
            {
                await next(context);
                return;
            }

            await BasicAuthentication.RefuseAsync(context);
        });
    }

    /// <summary>
    /// How a client's certificate chain is built in the TLS handshake, as Go's crypto/tls verifies it for exporter-toolkit:
    /// client_ca_file's certificates are the only roots (not the system's), the intermediates the client sent complete the
    /// chain (SslStream adds them to <see cref="X509ChainPolicy.ExtraStore"/>), the certificate must allow client
    /// authentication, and nothing is fetched: no issuer named by a certificate's Authority Information Access, no CRL,
    /// no OCSP (Go checks no revocation either). Those addresses are the client's to choose, so fetching them would let
    /// an unauthenticated client make the exporter send requests where it likes. Set for every client_auth_type: even
    /// one that does not verify still has the chain built. A fresh policy per handshake: SslStream adds to its ExtraStore.
    /// </summary>
    internal static X509ChainPolicy ClientChainPolicy(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(authorities);
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return policy;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web configuration {File}: TLS {Tls}; basic auth users: {Users}")]
    private static partial void LogWebConfig(ILogger logger, string file, string tls, int users);
}
