using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeHelper.Exporter.Web;

/// <summary>
/// The certificate and key of tls_server_config, read again when either file changes, so a renewed certificate is
/// served from the next TLS handshake on without a restart (exporter-toolkit reads them on every handshake; this
/// looks at the files' time and size on each handshake and reads them only when those changed). A pair that does
/// not load (a renewal half written, a key that does not match) keeps the one being served and is logged once.
/// </summary>
internal sealed partial class ServerCertificate
{
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime, long, DateTime, long) _loaded;
    private (DateTime, long, DateTime, long)? _refused;

    public ServerCertificate(TlsServerConfig tls, ILogger logger)
    {
        _certFile = tls.CertFile;
        _keyFile = tls.KeyFile;
        _logger = logger;
        _loaded = Stamp();
        _current = Load();
    }

    /// <summary>The pair to present in this handshake.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var stamp = Stamp();
            if (stamp == _loaded)
            {
                return _current;
            }

            lock (_lock)
            {
                if (stamp != _loaded && stamp != _refused)
                {
                    try
                    {
                        var renewed = Load();
                        _current = renewed;
                        _loaded = stamp;
                        LogReloaded(_logger, _certFile, renewed.Subject, renewed.NotAfter);
                    }
                    catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
                    {
                        _refused = stamp;
                        LogNotReloaded(_logger, _certFile, _keyFile, e.Message);
                    }
                }

                return _current;
            }
        }
    }

    private X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(_certFile, _keyFile);

    private (DateTime, long, DateTime, long) Stamp()
    {
        var cert = new FileInfo(_certFile);
        var key = new FileInfo(_keyFile);
        return (cert.Exists ? cert.LastWriteTimeUtc : default, cert.Exists ? cert.Length : -1, key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {CertFile} read again: {Subject}, valid until {NotAfter:yyyy-MM-dd HH:mm} (local time)")]
    private static partial void LogReloaded(ILogger logger, string certFile, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {CertFile} or key {KeyFile} changed but does not load ({Problem}); still serving the previous one")]
    private static partial void LogNotReloaded(ILogger logger, string certFile, string keyFile, string problem);
}
