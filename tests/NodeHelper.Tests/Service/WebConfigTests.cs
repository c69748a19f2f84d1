using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>
/// The exporter's own front door (Web:ConfigFile, exporter-toolkit's format) over real sockets: Debian's real
/// Prometheus scrapes it over TLS with basic auth, promtool accepts the files, the health check and the posture
/// collector work with it on.
/// </summary>
public sealed class WebConfigTests : IDisposable
{
    private static readonly string[] Quiet = ["--Bitcoind:Enabled=false", "--Services:Enabled=false"];

    private readonly WebConfigFiles _files = new();

    [Fact]
    public async Task PrometheusScrapesOverTlsWithBasicAuthAndAWrongPasswordNoPasswordOrPlainHttpIsRefused()
    {
        var password = WebConfigFiles.RandomPassword();
        var config = _files.WriteTlsAndUsers(("prometheus", WebConfigFiles.Hash(password)));
        await using var exporter = await ExporterUnderTest.StartAsync([$"--web.config.file={config}", .. Quiet]);
        var target = $"127.0.0.1:{exporter.BaseUrl.Port.ToString(CultureInfo.InvariantCulture)}";

        var directory = Directory.CreateTempSubdirectory("nodehelper-webconfig-prometheus-").FullName;
        File.Copy(_files.CertFile, Path.Join(directory, "nodehelper-ca.crt"));
        File.WriteAllText(Path.Join(directory, "password"), password + "\n");
        File.WriteAllText(Path.Join(directory, "wrong-password"), password + "x\n");
        var tls = $"    scheme: https\n    tls_config:\n      ca_file: {directory}/nodehelper-ca.crt\n      server_name: localhost\n";
        File.WriteAllText(Path.Join(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: 3s
              scrape_timeout: 3s
            scrape_configs:
              - job_name: nodehelper
            {tls}    basic_auth:
                  username: prometheus
                  password_file: {directory}/password
                static_configs: [{"{"} targets: ["{target}"] {"}"}]
              - job_name: wrong_password
            {tls}    basic_auth:
                  username: prometheus
                  password_file: {directory}/wrong-password
                static_configs: [{"{"} targets: ["{target}"] {"}"}]
              - job_name: no_password
            {tls}    static_configs: [{"{"} targets: ["{target}"] {"}"}]
              - job_name: plain_http
                basic_auth:
                  username: prometheus
                  password_file: {directory}/password
                static_configs: [{"{"} targets: ["{target}"] {"}"}]

            """);
        await using var prometheus = await RealServers.StartPrometheusAsync(directory);
        using var api = new HttpClient { BaseAddress = prometheus.Url };

        var targets = new Dictionary<string, (string Health, string Error)>();
        await Eventually.TrueAsync("Prometheus has scraped all four jobs", TimeSpan.FromSeconds(60), async () =>
        {
            using var answer = JsonDocument.Parse(await api.GetStringAsync("api/v1/targets"));
            targets = answer.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToDictionary(
                t => t.GetProperty("labels").GetProperty("job").GetString()!,
                t => (t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString()!));
            return targets.Count == 4 && targets.Values.All(t => t.Health != "unknown") && targets["nodehelper"].Health == "up";
        });

        targets["nodehelper"].Should().Be(("up", ""), prometheus.Output);
        targets["wrong_password"].Health.Should().Be("down");
        targets["wrong_password"].Error.Should().Contain("401");
        targets["no_password"].Health.Should().Be("down");
        targets["no_password"].Error.Should().Contain("401");
        targets["plain_http"].Health.Should().Be("down", "plain http to a TLS port gets no answer");
        using var query = JsonDocument.Parse(await api.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString("nodehelper_build_info{job=\"nodehelper\"}")));
        query.RootElement.GetProperty("data").GetProperty("result").GetArrayLength().Should().Be(1, "the series scraped over TLS with basic auth is in Prometheus");
    }

    [Fact]
    public async Task ARefusalIs401WithTheChallengeAndNoBodyOnEveryEndpointButHealthy()
    {
        var password = WebConfigFiles.RandomPassword();
        var config = _files.WriteTlsAndUsers(("alice", WebConfigFiles.Hash(password)));
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        using var http = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl);

        foreach (var path in new[] { "", "metrics", "metrics?collect[]=host", "nothing-here" })
        {
            foreach (var credentials in new[] { null, WebConfigFiles.Basic("alice", password + "x"), WebConfigFiles.Basic("mallory", password), WebConfigFiles.Basic("alice", "") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = credentials } };
                using var refused = await http.SendAsync(request);
                refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"/{path} with {credentials?.ToString() ?? "no credentials"}");
                refused.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Basic");
                (await refused.Content.ReadAsStringAsync()).Should().BeEmpty();
            }
        }

        using var right = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = WebConfigFiles.Basic("alice", password) } };
        using var scrape = await http.SendAsync(right);
        scrape.StatusCode.Should().Be(HttpStatusCode.OK);
        (await scrape.Content.ReadAsStringAsync()).Should().Contain("nodehelper_build_info");

        // Once the right password is remembered, a wrong one is still refused.
        using var again = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = WebConfigFiles.Basic("alice", password + "x") } };
        (await http.SendAsync(again)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await http.GetStringAsync("-/healthy")).Should().Be("NodeHelper is healthy.\n", "the liveness check needs no password (README)");
        exporter.Logs.Lines.Should().NotContain(l => l.Contains(password, StringComparison.Ordinal) || l.Contains("$2a$", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainHttpToTheTlsPortGetsNoAnswer()
    {
        var config = _files.WriteTlsAndUsers();
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var act = () => plain.GetAsync(new Uri($"http://127.0.0.1:{exporter.BaseUrl.Port.ToString(CultureInfo.InvariantCulture)}/-/healthy"));

        await act.Should().ThrowAsync<HttpRequestException>();
        using var tls = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl);
        (await tls.GetStringAsync("-/healthy")).Should().Be("NodeHelper is healthy.\n", "TLS without users needs no password");
    }

    [Theory]
    [InlineData("$2y$")]
    [InlineData("$2a$")]
    [InlineData("$2b$")]
    public async Task HashesOfEveryBcryptVersionPrefixLetIn(string prefix)
    {
        // Made by glibc's libxcrypt (Python's crypt.crypt("secret", prefix + "10$abcdefghijklmnopqrstuu")), not by
        // BCrypt.Net: htpasswd -B writes $2y$, other tools $2a$ or $2b$; the hash is the same for all three.
        var hash = prefix + "10$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u";
        var config = _files.WriteTlsAndUsers(("alice", hash));
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        using var http = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl);

        using var right = new HttpRequestMessage(HttpMethod.Get, "") { Headers = { Authorization = WebConfigFiles.Basic("alice", "secret") } };
        (await http.SendAsync(right)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "") { Headers = { Authorization = WebConfigFiles.Basic("alice", "secret ") } };
        (await http.SendAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ARenewedCertificateIsServedFromTheNextConnectionWithoutARestart()
    {
        var config = _files.WriteTlsAndUsers();
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        var first = _files.Certificate;
        (await PresentedAsync(exporter.BaseUrl.Port, first)).Should().Equal(first.RawData);

        // A renewal writes the key first, then the certificate; a handshake in between keeps the old pair.
        var renewed = _files.WriteCertificate("nodehelper.crt.new", "nodehelper.key");
        (await PresentedAsync(exporter.BaseUrl.Port, first, renewed)).Should().Equal(first.RawData, "the new key does not match the old certificate: the old pair stays");
        File.Move(Path.Join(_files.Directory, "nodehelper.crt.new"), _files.CertFile, overwrite: true);

        (await PresentedAsync(exporter.BaseUrl.Port, first, renewed)).Should().Equal(renewed.RawData);
        exporter.Logs.Lines.Should().Contain(l => l.Contains("read again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequireAndVerifyClientCertLetsInOnlyClientsSignedByClientCaFile()
    {
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=NodeHelper test CA", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(Path.Join(_files.Directory, "clients-ca.crt"), ca.ExportCertificatePem());
        _files.Write("tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients-ca.crt\n");
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={_files.File}", .. Quiet]);

        using var signed = ClientCertificate(ca);
        using var stranger = ClientCertificate(null);
        using var withSigned = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl, signed);
        (await withSigned.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var client in new[] { stranger, null })
        {
            using var http = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl, client);
            var act = () => http.GetAsync("metrics");
            await act.Should().ThrowAsync<HttpRequestException>(client is null ? "no client certificate" : "a certificate client_ca_file did not sign");
        }
    }

    [Fact]
    public async Task AClientIssuedByAnIntermediateItPresentsIsLetInWithOnlyTheRootInClientCaFile()
    {
        using var root = Authority("CN=NodeHelper test root", null);
        using var intermediate = Authority("CN=NodeHelper test intermediate", root);
        File.WriteAllText(Path.Join(_files.Directory, "clients-ca.crt"), root.ExportCertificatePem());
        _files.Write("tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients-ca.crt\n");
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={_files.File}", .. Quiet]);

        using var client = ClientCertificate(intermediate);
        using var withChain = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl, client, [intermediate]);
        (await withChain.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.OK, "the client sent the intermediate, and client_ca_file holds its root");

        using var withoutChain = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl, client);
        var act = () => withoutChain.GetAsync("metrics");
        await act.Should().ThrowAsync<HttpRequestException>("without the intermediate the chain does not reach client_ca_file, and nothing is fetched to complete it");
    }

    [Theory]
    [InlineData("RequireAndVerifyClientCert", false)]
    [InlineData("VerifyClientCertIfGiven", false)]
    [InlineData("RequireAnyClientCert", true)]
    public async Task AClientCertificatesIssuerAndOcspAddressesAreNeverFetched(string clientAuthType, bool accepted)
    {
        // The addresses a certificate names are the client's to choose: fetching them would let anyone who can open a
        // connection make the exporter send requests where they like.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}/";
            using var unknownIssuer = Authority("CN=Somebody else's CA", null);
            using var trusted = Authority("CN=NodeHelper test root", null);
            File.WriteAllText(Path.Join(_files.Directory, "clients-ca.crt"), trusted.ExportCertificatePem());
            var ca = clientAuthType == "RequireAnyClientCert" ? "" : "  client_ca_file: clients-ca.crt\n";
            _files.Write($"tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n  client_auth_type: {clientAuthType}\n{ca}");
            await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={_files.File}", .. Quiet]);

            using var client = ClientCertificate(unknownIssuer, url + "issuer.crt", url + "ocsp");
            using var http = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl, client);
            if (accepted)
            {
                (await http.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.OK, "RequireAnyClientCert takes any certificate");
            }
            else
            {
                var act = () => http.GetAsync("metrics");
                await act.Should().ThrowAsync<HttpRequestException>("the certificate's issuer is not in client_ca_file");
            }

            // The handshake, and any chain building in it, is over: a fetch would have connected by now.
            listener.Pending().Should().BeFalse("the exporter must not fetch the URLs a client's certificate names");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tls12OffersOnlyEcdheWithAeadByDefaultAndCipherSuitesChoosesTheSuites()
    {
        ExternalProcess.Require("openssl", "Debian's openssl package");
        // An RSA certificate: TLS_RSA_WITH_AES_128_CBC_SHA (no forward secrecy, CBC, SHA-1) needs one.
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
            File.WriteAllText(_files.CertFile, certificate.ExportCertificatePem() + "\n");
            File.WriteAllText(_files.KeyFile, rsa.ExportPkcs8PrivateKeyPem() + "\n");
        }

        var config = _files.WriteTlsAndUsers();
        await using (var byDefault = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]))
        {
            (await OpensslAsync(byDefault.BaseUrl.Port, "-tls1_2", "-cipher", "AES128-SHA")).Should().BeNull("CBC without forward secrecy is not offered by default");
            (await OpensslAsync(byDefault.BaseUrl.Port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA")).Should().BeNull("nor CBC with it");
            (await OpensslAsync(byDefault.BaseUrl.Port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")).Should().Be("ECDHE-RSA-AES128-GCM-SHA256");
            (await OpensslAsync(byDefault.BaseUrl.Port, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305")).Should().Be("ECDHE-RSA-CHACHA20-POLY1305");
        }

        _files.Write(File.ReadAllText(config) + "  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n");
        await using var chosen = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        (await OpensslAsync(chosen.BaseUrl.Port, "-tls1_2", "-cipher", "AES128-SHA")).Should().Be("AES128-SHA", "cipher_suites lists it");
        (await OpensslAsync(chosen.BaseUrl.Port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")).Should().BeNull("cipher_suites does not list it");
        (await OpensslAsync(chosen.BaseUrl.Port, "-tls1_3")).Should().BeOneOf(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"], "TLS 1.3's suites are not cipher_suites' to choose, as in Go");
    }

    /// <summary>The cipher suite <c>openssl s_client</c> with <paramref name="options"/> negotiated with the exporter, or null when the handshake failed.</summary>
    private static async Task<string?> OpensslAsync(int port, params string[] options)
    {
        var result = await ExternalProcess.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-servername", "localhost", .. options], input: "");
        var match = System.Text.RegularExpressions.Regex.Match(result.StandardOutput, @"Cipher is (\S+)");
        return result.ExitCode == 0 && match.Success && match.Groups[1].Value != "(NONE)" ? match.Groups[1].Value : null;
    }

    [Fact]
    public async Task TheHealthCheckAsksOverTlsPinningTheConfiguredCertificate()
    {
        var config = _files.WriteTlsAndUsers(("alice", WebConfigFiles.Hash(WebConfigFiles.RandomPassword())));
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        var urls = $"--urls=http://127.0.0.1:{exporter.BaseUrl.Port.ToString(CultureInfo.InvariantCulture)}";

        var healthy = await ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "healthcheck", urls, $"--web.config.file={config}"]);
        healthy.ExitCode.Should().Be(0, healthy.StandardError);
        healthy.StandardOutput.Should().Contain("https://127.0.0.1:");

        // Another certificate in another file: the exporter's is not the pinned one.
        using var other = new WebConfigFiles();
        var elsewhere = other.WriteTlsAndUsers();
        var impostor = await ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "healthcheck", urls, $"--web.config.file={elsewhere}"]);
        impostor.ExitCode.Should().Be(1, "the certificate presented is not the configured one");
    }

    [Fact]
    public async Task PostureFlagsAWorldReadableTlsKeyAndWebConfigFile()
    {
        var password = WebConfigFiles.RandomPassword();
        var config = _files.WriteTlsAndUsers(("alice", WebConfigFiles.Hash(password)));
        File.SetUnixFileMode(_files.Directory, (UnixFileMode)0b111_101_101); // 0755: others may pass
        File.SetUnixFileMode(_files.KeyFile, (UnixFileMode)0b110_100_100); // 0644
        File.SetUnixFileMode(config, (UnixFileMode)0b110_100_000); // 0640
        await using var exporter = await ExporterUnderTest.StartAsync([$"--Web:ConfigFile={config}", .. Quiet]);
        using var http = WebConfigFiles.PinnedClient(_files.Certificate, exporter.BaseUrl);
        http.DefaultRequestHeaders.Authorization = WebConfigFiles.Basic("alice", password);

        var metrics = Exposition.Parse(await http.GetStringAsync("metrics?collect[]=posture"));

        metrics.Value("nodehelper_secret_file_world_readable", ("component", "nodehelper"), ("file", _files.KeyFile)).Should().Be(1);
        metrics.Value("nodehelper_secret_file_world_readable", ("component", "nodehelper"), ("file", config)).Should().Be(0);
    }

    [Fact]
    public async Task PromtoolAcceptsTheShippedExampleAndTheTestsFile()
    {
        var promtool = ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus package");
        var example = Path.Join(_files.Directory, "web-config.example.yml");
        File.Copy(Repository.PathOf("packaging", "web-config.example.yml"), example);
        var tests = _files.WriteTlsAndUsers(("prometheus", WebConfigFiles.Hash("x")));

        foreach (var file in new[] { example, tests })
        {
            var check = await ExternalProcess.RunAsync(promtool, ["check", "web-config", file]);
            check.ExitCode.Should().Be(0, check.StandardOutput + check.StandardError);
            var ours = await ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "--check-config", $"--web.config.file={file}"]);
            ours.ExitCode.Should().Be(0, ours.StandardError);
        }
    }

    /// <summary>The certificate the exporter presents on a new connection, one of <paramref name="known"/> (any other fails the handshake).</summary>
    private static async Task<byte[]> PresentedAsync(int port, params System.Security.Cryptography.X509Certificates.X509Certificate2[] known)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false,
            (_, presented, _, _) => presented is not null && known.Any(k => k.RawData.AsSpan().SequenceEqual(presented.GetRawCertData())));
        await tls.AuthenticateAsClientAsync("localhost");
        return tls.RemoteCertificate!.GetRawCertData();
    }

    /// <summary>A CA certificate with its key, signed by <paramref name="issuer"/>, or self-signed (a root) when null.</summary>
    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Authority(string subject, System.Security.Cryptography.X509Certificates.X509Certificate2? issuer)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subject, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var made = issuer is null
            ? request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2))
            : System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.CopyWithPrivateKey(
                request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), new DateTimeOffset(issuer.NotAfter), System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)), key);
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate signed by <paramref name="issuer"/>, or self-signed when null; with an Authority Information Access extension naming <paramref name="caIssuersUrl"/> and <paramref name="ocspUrl"/> when given.</summary>
    private static System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate(
        System.Security.Cryptography.X509Certificates.X509Certificate2? issuer, string? caIssuersUrl = null, string? ocspUrl = null)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=prometheus", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        if (caIssuersUrl is not null || ocspUrl is not null)
        {
            request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509AuthorityInformationAccessExtension(
                ocspUrl is null ? null : [ocspUrl], caIssuersUrl is null ? null : [caIssuersUrl]));
        }

        using var made = issuer is null
            ? request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1))
            : System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.CopyWithPrivateKey(
                request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]), key);
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    public void Dispose() => _files.Dispose();
}
