using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A web configuration file in a temporary directory of its own, with a fresh self-signed certificate (localhost,
/// 127.0.0.1) and its key as PEM files beside it, and bcrypt-hashed users. Deleted on dispose.
/// </summary>
internal sealed class WebConfigFiles : IDisposable
{
    public WebConfigFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("nodehelper-webconfig-").FullName;
        Certificate = WriteCertificate("nodehelper.crt", "nodehelper.key");
    }

    public string Directory { get; }

    public string File => Path.Join(Directory, "web-config.yml");

    public string CertFile => Path.Join(Directory, "nodehelper.crt");

    public string KeyFile => Path.Join(Directory, "nodehelper.key");

    /// <summary>The certificate the files hold now.</summary>
    public X509Certificate2 Certificate { get; private set; }

    /// <summary>Writes a new self-signed certificate and key to <paramref name="certName"/> and <paramref name="keyName"/> in the directory.</summary>
    public X509Certificate2 WriteCertificate(string certName, string keyName)
    {
        var certificate = SelfSignedCertificate.Create(DateTimeOffset.UtcNow.AddDays(2));
        using var key = certificate.GetECDsaPrivateKey()!;
        System.IO.File.WriteAllText(Path.Join(Directory, certName), certificate.ExportCertificatePem() + "\n");
        System.IO.File.WriteAllText(Path.Join(Directory, keyName), key.ExportPkcs8PrivateKeyPem() + "\n");
        Certificate = certificate;
        return certificate;
    }

    /// <summary>The file with <paramref name="yaml"/> as it is.</summary>
    public string Write(string yaml)
    {
        System.IO.File.WriteAllText(File, yaml);
        return File;
    }

    /// <summary>TLS with the certificate beside the file, and these users (name, bcrypt hash).</summary>
    public string WriteTlsAndUsers(params (string User, string Hash)[] users) =>
        Write("tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n" + Users(users));

    public static string Users(params (string User, string Hash)[] users) =>
        users.Length == 0 ? "" : "basic_auth_users:\n" + string.Concat(users.Select(u => $"  {u.User}: {u.Hash}\n"));

    /// <summary>An HTTP client that trusts exactly <paramref name="pinned"/> (as Prometheus given it as ca_file would), a new connection per client.</summary>
    /// <remarks>With <paramref name="intermediates"/>, the client presents them after its certificate, as a client issued by an intermediate CA does.</remarks>
    public static HttpClient PinnedClient(X509Certificate2 pinned, Uri baseAddress, X509Certificate2? clientCertificate = null, X509Certificate2[]? intermediates = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
        if (clientCertificate is not null)
        {
            // Offline: the client itself must not fetch what its certificate names either (a test listens for that).
            handler.SslOptions.ClientCertificateContext = System.Net.Security.SslStreamCertificateContext.Create(clientCertificate, [.. intermediates ?? []], offline: true);
        }

        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A basic auth header value.</summary>
    public static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>A bcrypt hash of a password, cost 10 (htpasswd -nBC 10's), from BCrypt.Net's own $2a$ generator.</summary>
    public static string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, 10);

    public static string RandomPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
