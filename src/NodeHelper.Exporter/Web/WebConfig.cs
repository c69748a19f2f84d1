using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using NodeHelper.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NodeHelper.Exporter.Web;

/// <summary>How a client's certificate is asked for, as exporter-toolkit's client_auth_type (Go's tls.ClientAuthType).</summary>
internal enum ClientAuth
{
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

/// <summary>tls_server_config, as NodeHelper serves it. Relative paths are already joined with the file's directory.</summary>
/// <remarks><paramref name="CipherSuites"/>: cipher_suites as given (TLS 1.2's; null when not set, then <see cref="DefaultCipherSuites"/>).</remarks>
internal sealed record TlsServerConfig(string CertFile, string KeyFile, ClientAuth ClientAuth, string? ClientCaFile, SslProtocols Protocols, IReadOnlyList<TlsCipherSuite>? CipherSuites = null)
{
    /// <summary>TLS 1.3's suites, always on whatever cipher_suites says, as in Go (and OpenSSL's default).</summary>
    public static readonly TlsCipherSuite[] Tls13CipherSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>
    /// TLS 1.2's suites without cipher_suites: ECDHE (forward secrecy) with an AEAD cipher only, in Go's order of
    /// preference. Go's own default list puts these first and adds ECDHE with AES-CBC-SHA1 after them; NodeHelper
    /// leaves those out (Prometheus, a Go client, offers these).
    /// </summary>
    public static readonly TlsCipherSuite[] DefaultCipherSuites =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public bool VerifiesClients => ClientAuth is ClientAuth.VerifyClientCertIfGiven or ClientAuth.RequireAndVerifyClientCert;

    /// <summary>What the handshake may negotiate: the TLS 1.2 suites (cipher_suites, or the default) and TLS 1.3's.</summary>
    public IEnumerable<TlsCipherSuite> OfferedCipherSuites => Tls13CipherSuites.Concat((CipherSuites ?? DefaultCipherSuites).Except(Tls13CipherSuites));
}

/// <summary>
/// The exporter's own front door: a web configuration file in the format of the Prometheus exporter-toolkit
/// (<c>--web.config.file</c>), so that Prometheus's <c>tls_config</c> and <c>basic_auth</c> scrape settings work
/// against NodeHelper unchanged. Read strictly, as exporter-toolkit reads it (an unknown key is an error); a key of
/// the format that NodeHelper cannot honour is refused by name rather than ignored.
/// </summary>
internal sealed partial record WebConfig(
    string File,
    TlsServerConfig? Tls,
    bool Http2,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Users)
{
    public const string Key = "Web:ConfigFile";

    /// <summary>The flag exporter-toolkit's exporters take, mapped onto <see cref="Key"/> (SettingsSources).</summary>
    public const string Flag = "--web.config.file";

    /// <summary>exporter-toolkit's headers, each with the values it allows (none listed: any value).</summary>
    private static readonly Dictionary<string, string[]> AllowedHeaders = new(StringComparer.Ordinal)
    {
        ["Strict-Transport-Security"] = [],
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = [],
        ["Content-Security-Policy"] = [],
    };

    private static readonly Dictionary<string, SslProtocols> Versions = new(StringComparer.Ordinal)
    {
        ["TLS12"] = SslProtocols.Tls12,
        ["TLS13"] = SslProtocols.Tls13,
    };

    /// <summary>Keys of the format that NodeHelper refuses, and why: accepting them silently would promise what it does not do.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["rate_limit"] = "is not supported by NodeHelper; limit requests in a reverse proxy or a firewall.",
        ["tls_server_config.cert"] = "(an inline certificate) is not supported by NodeHelper; use cert_file.",
        ["tls_server_config.key"] = "(an inline key) is not supported by NodeHelper; use key_file.",
        ["tls_server_config.client_ca"] = "(inline CA certificates) is not supported by NodeHelper; use client_ca_file.",
        ["tls_server_config.client_allowed_sans"] = "is not supported by NodeHelper; give client_ca_file a CA that signs only the allowed clients.",
        ["tls_server_config.curve_preferences"] = "cannot be honoured: .NET has no per-server setting for the key exchange groups (OpenSSL's configuration chooses them); remove it.",
    };

    /// <summary>
    /// The names cipher_suites takes: Go's (tls.CipherSuites() and tls.InsecureCipherSuites(), which exporter-toolkit
    /// looks names up in), all IANA names and so .NET's <see cref="TlsCipherSuite"/> names too.
    /// </summary>
    private static readonly HashSet<string> GoCipherSuites = new(StringComparer.Ordinal)
    {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    };

    public bool HasUsers => Users.Count > 0;

    /// <summary>Whether any request passes through NodeHelper's web middleware (basic auth, headers). Without it, none is added.</summary>
    public bool NeedsMiddleware => HasUsers || Headers.Count > 0;

    /// <summary>Declares <see cref="Key"/> and reads the file it names; null when it names none. Every problem is recorded on <paramref name="reader"/>, naming the file and the key.</summary>
    public static WebConfig? Read(SettingsReader reader)
    {
        var path = reader.String(Key, "",
            $"A web configuration file in the Prometheus exporter-toolkit's format ({Flag}=PATH works too): tls_server_config serves every urls address with TLS, basic_auth_users (bcrypt hashes) asks for a password. Empty: plain http, no password.");
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        path = Path.GetFullPath(PathExpansion.Expand(path.Trim()));
        var problems = new List<string>();
        var config = Parse(path, problems);
        foreach (var problem in problems)
        {
            reader.Fail(Key, $"{path}: {problem}");
        }

        return problems.Count == 0 ? config : null;
    }

    private static WebConfig? Parse(string path, List<string> problems)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"cannot read it ({Cause(e)}).");
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems.Add($"not YAML (line {e.Start.Line}): {e.Message}");
            return null;
        }

        var file = new Reader(problems, Path.GetDirectoryName(path)!);
        var root = stream.Documents.Count == 0 ? null : file.Mapping(stream.Documents[0].RootNode, "the file");
        if (stream.Documents.Count > 1)
        {
            problems.Add("holds more than one YAML document.");
        }

        TlsServerConfig? tls = null;
        var http2 = true;
        IReadOnlyDictionary<string, string> headers = new Dictionary<string, string>();
        IReadOnlyDictionary<string, string> users = new Dictionary<string, string>();
        foreach (var (key, value) in file.Entries(root, ""))
        {
            switch (key)
            {
                case "tls_server_config":
                    tls = ReadTls(file, value);
                    break;
                case "http_server_config":
                    (http2, headers) = ReadHttp(file, value);
                    break;
                case "basic_auth_users":
                    users = ReadUsers(file, value);
                    break;
                default:
                    file.Unknown(key, value, "tls_server_config, http_server_config, basic_auth_users");
                    break;
            }
        }

        return new WebConfig(path, tls, http2, headers, users);
    }

    private static TlsServerConfig? ReadTls(Reader file, YamlNode node)
    {
        string? certFile = null, keyFile = null, caFile = null;
        List<TlsCipherSuite>? cipherSuites = null;
        var clientAuth = (ClientAuth?)null;
        string min = "TLS12", max = "TLS13";
        var nodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Entries(file.Mapping(node, "tls_server_config"), "tls_server_config."))
        {
            nodes[key] = value;
            var at = "tls_server_config." + key;
            switch (key)
            {
                case "cert_file":
                    certFile = file.Path(value, at);
                    break;
                case "key_file":
                    keyFile = file.Path(value, at);
                    break;
                case "client_ca_file":
                    caFile = file.Path(value, at);
                    break;
                case "client_auth_type":
                    var name = file.Scalar(value, at) ?? "NoClientCert";
                    clientAuth = name == "RequireClientCert" ? ClientAuth.RequireAnyClientCert
                        : Enum.TryParse<ClientAuth>(name, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(name[0]) ? parsed
                        : file.Fail<ClientAuth?>(value, at, $"'{name}' is not one of {string.Join(", ", Enum.GetNames<ClientAuth>())}.");
                    break;
                case "min_version":
                    min = file.Scalar(value, at) ?? min;
                    break;
                case "max_version":
                    max = file.Scalar(value, at) ?? max;
                    break;
                case "prefer_server_cipher_suites":
                    // A legacy switch Go's TLS ignores since Go 1.18, so exporter-toolkit's exporters ignore it too.
                    file.Bool(value, at);
                    break;
                case "cipher_suites":
                    cipherSuites = ReadCipherSuites(file, value, at);
                    break;
                case "curve_preferences" when value is YamlSequenceNode { Children.Count: 0 } || Reader.IsNull(value):
                    break;
                default:
                    file.Unknown(at, value, "cert_file, key_file, client_auth_type, client_ca_file, min_version, max_version, cipher_suites, prefer_server_cipher_suites");
                    break;
            }
        }

        if (nodes.Count == 0)
        {
            return null;
        }

        YamlNode At(string key) => nodes.GetValueOrDefault(key, node);
        var protocols = ReadVersions(file, At, min, max);
        var auth = clientAuth ?? ClientAuth.NoClientCert;
        if (certFile is null || keyFile is null)
        {
            file.Fail<object>(node, "tls_server_config", "needs both cert_file and key_file.");
            return null;
        }

        if (caFile is not null && auth == ClientAuth.NoClientCert)
        {
            file.Fail<object>(At("client_ca_file"), "tls_server_config.client_ca_file", "is set, but client_auth_type is NoClientCert: set client_auth_type RequireAndVerifyClientCert to check clients.");
        }

        var tls = new TlsServerConfig(certFile, keyFile, auth, caFile, protocols, cipherSuites);
        if (tls.VerifiesClients && caFile is null)
        {
            file.Fail<object>(At("client_auth_type"), "tls_server_config.client_ca_file", $"is needed for client_auth_type {auth}: NodeHelper verifies clients against it only.");
        }

        CheckFiles(file, At, tls);
        return tls;
    }

    /// <summary>cipher_suites: Go's names (<see cref="GoCipherSuites"/>); empty or null is not set (the default), as in exporter-toolkit.</summary>
    private static List<TlsCipherSuite>? ReadCipherSuites(Reader file, YamlNode value, string at)
    {
        if (Reader.IsNull(value))
        {
            return null;
        }

        if (value is not YamlSequenceNode sequence)
        {
            return file.Fail<List<TlsCipherSuite>>(value, at, "must be a list of cipher suite names.");
        }

        var suites = new List<TlsCipherSuite>();
        foreach (var item in sequence.Children)
        {
            var name = file.Scalar(item, at);
            if (name is not null && GoCipherSuites.Contains(name) && Enum.TryParse<TlsCipherSuite>(name, out var suite))
            {
                suites.Add(suite);
            }
            else if (name is not null)
            {
                file.Fail<object>(item, at, $"'{name}' is not a cipher suite name Go knows (IANA names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).");
            }
        }

        return suites.Count == 0 ? null : suites;
    }

    private static SslProtocols ReadVersions(Reader file, Func<string, YamlNode> at, string min, string max)
    {
        foreach (var (name, key) in new[] { (min, "min_version"), (max, "max_version") })
        {
            if (!Versions.ContainsKey(name))
            {
                file.Fail<object>(at(key), "tls_server_config." + key,
                    name is "TLS10" or "TLS11" ? $"{name} is not served: NodeHelper speaks TLS12 and TLS13 only." : $"'{name}' is not TLS12 or TLS13.");
                return SslProtocols.Tls12 | SslProtocols.Tls13;
            }
        }

        if (Versions[min] > Versions[max])
        {
            file.Fail<object>(at("min_version"), "tls_server_config.min_version", $"{min} is above max_version {max}.");
        }

        return Versions.Where(v => v.Value >= Versions[min] && v.Value <= Versions[max]).Aggregate(SslProtocols.None, (all, v) => all | v.Value);
    }

    /// <summary>The certificate, the key and the client CAs load now, as the exporter will load them, and the key is the certificate's.</summary>
    private static void CheckFiles(Reader file, Func<string, YamlNode> at, TlsServerConfig tls)
    {
        var cert = file.ReadText(at("cert_file"), "tls_server_config.cert_file", tls.CertFile);
        var key = file.ReadText(at("key_file"), "tls_server_config.key_file", tls.KeyFile);
        if (cert is not null && key is not null)
        {
            try
            {
                using var _ = X509Certificate2.CreateFromPem(cert);
            }
            catch (CryptographicException)
            {
                file.Fail<object>(at("cert_file"), "tls_server_config.cert_file", $"'{tls.CertFile}' holds no PEM certificate.");
                return;
            }

            try
            {
                using var _ = X509Certificate2.CreateFromPem(cert, key);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // The key's text is never shown.
                file.Fail<object>(at("key_file"), "tls_server_config.key_file", $"'{tls.KeyFile}' is not a PEM private key that matches cert_file '{tls.CertFile}'.");
            }
        }

        if (tls.ClientCaFile is { } ca && file.ReadText(at("client_ca_file"), "tls_server_config.client_ca_file", ca) is { } caText)
        {
            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPem(caText);
            }
            catch (CryptographicException)
            {
                certificates.Clear();
            }

            if (certificates.Count == 0)
            {
                file.Fail<object>(at("client_ca_file"), "tls_server_config.client_ca_file", $"'{ca}' holds no PEM certificate.");
            }
        }
    }

    /// <summary>The client CAs, read again at start (<see cref="CheckFiles"/> has checked them).</summary>
    public static X509Certificate2Collection LoadClientCas(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }

    private static (bool Http2, IReadOnlyDictionary<string, string> Headers) ReadHttp(Reader file, YamlNode node)
    {
        var http2 = true;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Entries(file.Mapping(node, "http_server_config"), "http_server_config."))
        {
            switch (key)
            {
                case "http2":
                    http2 = file.Bool(value, "http_server_config.http2") ?? true;
                    break;
                case "headers":
                    foreach (var (name, text) in file.Entries(file.Mapping(value, "http_server_config.headers"), "http_server_config.headers."))
                    {
                        var at = "http_server_config.headers." + name;
                        var header = file.Scalar(text, at) ?? "";
                        if (!AllowedHeaders.TryGetValue(name, out var allowed))
                        {
                            file.Fail<object>(text, at, $"this header cannot be set; the ones that can: {string.Join(", ", AllowedHeaders.Keys)}.");
                        }
                        else if (allowed.Length > 0 && !allowed.Contains(header, StringComparer.Ordinal))
                        {
                            file.Fail<object>(text, at, $"'{header}' is not one of {string.Join(", ", allowed)}.");
                        }
                        else if (header.Length > 0)
                        {
                            headers[name] = header;
                        }
                    }

                    break;
                default:
                    file.Unknown("http_server_config." + key, value, "http2, headers");
                    break;
            }
        }

        return (http2, headers);
    }

    private static Dictionary<string, string> ReadUsers(Reader file, YamlNode node)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (user, value) in file.Entries(file.Mapping(node, "basic_auth_users"), "basic_auth_users."))
        {
            var at = "basic_auth_users." + user;
            var hash = file.Scalar(value, at) ?? "";
            if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal))
            {
                file.Fail<object>(value, "basic_auth_users", "a user name must not be empty or hold ':' (basic auth could never send it).");
            }
            else if (BcryptHash().Match(hash) is not { Success: true } match
                     || int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) is < 4 or > 31)
            {
                // The value is not shown: it might be a password written where its hash belongs.
                file.Fail<object>(value, at, "is not a bcrypt hash ($2y$, $2b$ or $2a$, cost 04 to 31, as `htpasswd -nBC 10 \"\" | tr -d ':\\n'` prints).");
            }
            else
            {
                users[user] = hash;
            }
        }

        return users;
    }

    private static string Cause(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "it does not exist",
        UnauthorizedAccessException => "permission denied; the file must be readable by the user NodeHelper runs as",
        _ => e.Message,
    };

    [GeneratedRegex(@"^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();

    /// <summary>Walks the YAML tree strictly, recording each problem with the key's path and line.</summary>
    private sealed class Reader(List<string> problems, string directory)
    {
        /// <summary>Each value's key, for a problem with the key itself (an unknown one) to name the key's line.</summary>
        private readonly Dictionary<YamlNode, YamlNode> _keyOf = new(ReferenceEqualityComparer.Instance);

        public T? Fail<T>(YamlNode node, string at, string problem)
        {
            problems.Add($"{at} (line {node.Start.Line}): {problem}");
            return default;
        }

        public static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

        public YamlMappingNode? Mapping(YamlNode node, string at) => node switch
        {
            YamlMappingNode mapping => mapping,
            _ when IsNull(node) => null,
            _ => Fail<YamlMappingNode>(node, at, "must be a mapping of keys to values."),
        };

        /// <summary>The entries of a mapping (none for null), keys as strings.</summary>
        public IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode? mapping, string prefix)
        {
            foreach (var (key, value) in mapping?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                if (key is YamlScalarNode { Value: { } name })
                {
                    _keyOf[value] = key;
                    yield return (name, value);
                }
                else
                {
                    Fail<object>(key, prefix.TrimEnd('.') is { Length: > 0 } p ? p : "the file", "a key must be a plain string.");
                }
            }
        }

        public void Unknown(string at, YamlNode value, string known)
        {
            value = _keyOf.GetValueOrDefault(value, value);
            if (Unsupported.TryGetValue(at, out var why))
            {
                Fail<object>(value, at, why);
            }
            else
            {
                var parent = at.LastIndexOf('.') is var dot and > 0 ? at[..dot] : "the file";
                Fail<object>(value, at, $"unknown key; {parent} knows: {known}.");
            }
        }

        public string? Scalar(YamlNode node, string at) => node switch
        {
            _ when IsNull(node) => null,
            YamlScalarNode scalar => scalar.Value,
            _ => Fail<string>(node, at, "must be a single value."),
        };

        public bool? Bool(YamlNode node, string at) => Scalar(node, at) switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            var other => Fail<bool?>(node, at, $"'{other}' is not true or false."),
        };

        /// <summary>A file name; relative to the web configuration file's directory, as exporter-toolkit reads it.</summary>
        public string? Path(YamlNode node, string at) =>
            Scalar(node, at) is { Length: > 0 } path ? System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, PathExpansion.Expand(path))) : null;

        public string? ReadText(YamlNode node, string at, string path)
        {
            try
            {
                return System.IO.File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail<string>(node, at, $"cannot read '{path}' ({Cause(e)}).");
            }
        }
    }
}
