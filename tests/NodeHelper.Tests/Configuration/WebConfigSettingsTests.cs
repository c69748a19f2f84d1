using System.Security.Authentication;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Web;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Configuration;

/// <summary>A wrong web configuration file stops the start (exit 2), naming the file and the key, as any wrong setting does.</summary>
public sealed class WebConfigSettingsTests : IDisposable
{
    private const string Tls = "tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n";

    private readonly WebConfigFiles _files = new();

    private static ExporterSettings Load(params string[] args) => ExporterSettings.Load(SettingsSources.Build(args));

    private IReadOnlyList<string> Problems(string yaml)
    {
        var file = _files.Write(yaml);
        var act = () => Load($"--web.config.file={file}");
        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().OnlyContain(p => p.StartsWith($"Web:ConfigFile: {file}: ", StringComparison.Ordinal));
        return problems;
    }

    [Fact]
    public void TheFlagAndTheSettingBothNameTheFileAndItIsRead()
    {
        var hash = WebConfigFiles.Hash("x");
        var file = _files.Write(Tls + "  min_version: TLS13\nhttp_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: sameorigin\n" +
                                WebConfigFiles.Users(("alice", hash)));

        var byFlag = Load($"--web.config.file={file}").Web!;
        var bySetting = Load($"--Web:ConfigFile={file}").Web!;

        bySetting.Should().BeEquivalentTo(byFlag);
        byFlag.Tls.Should().Be(new TlsServerConfig(_files.CertFile, _files.KeyFile, ClientAuth.NoClientCert, null, SslProtocols.Tls13));
        byFlag.Http2.Should().BeFalse();
        byFlag.Headers.Should().Equal(new Dictionary<string, string> { ["X-Frame-Options"] = "sameorigin" });
        byFlag.Users.Should().Equal(new Dictionary<string, string> { ["alice"] = hash });
        Load().Web.Should().BeNull("no file, no front door: plain http as before");
    }

    [Fact]
    public async Task TheEnvironmentVariableNamesItTooAndCheckConfigSaysSo()
    {
        var file = _files.Write(Tls);

        var check = await ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "--check-config"],
            environment: new Dictionary<string, string> { ["NODEHELPER_Web__ConfigFile"] = file });

        check.ExitCode.Should().Be(0, check.StandardError);
        check.StandardOutput.Should().MatchRegex($@"Web:ConfigFile +{System.Text.RegularExpressions.Regex.Escape(file)} +\(NODEHELPER_Web__ConfigFile\)");
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var missing = Path.Join(_files.Directory, "absent.yml");
        var act = () => Load($"--Web:ConfigFile={missing}");

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle().Which.Should()
            .Be($"Web:ConfigFile: {missing}: cannot read it (it does not exist).");
    }

    [Theory]
    [InlineData("basic_auth_user:\n  alice: x\n", "basic_auth_user (line 1): unknown key; the file knows: tls_server_config, http_server_config, basic_auth_users.")]
    [InlineData(Tls + "  cert_fil: x\n", "tls_server_config.cert_fil (line 4): unknown key")]
    [InlineData("http_server_config:\n  headers:\n    Server: nginx\n", "http_server_config.headers.Server (line 3): this header cannot be set")]
    [InlineData("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "'allow' is not one of deny, sameorigin.")]
    [InlineData("http_server_config:\n  http2: maybe\n", "http_server_config.http2 (line 2): 'maybe' is not true or false.")]
    [InlineData(Tls + "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC]\n", "tls_server_config.cipher_suites (line 4): 'TLS_RSA_WITH_AES_128_CBC' is not a cipher suite name Go knows")]
    [InlineData(Tls + "  cipher_suites: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n", "tls_server_config.cipher_suites (line 4): must be a list of cipher suite names.")]
    [InlineData(Tls + "  curve_preferences: [X25519]\n", "tls_server_config.curve_preferences (line 4): cannot be honoured")]
    [InlineData("rate_limit:\n  interval: 1s\n  burst: 5\n", "rate_limit (line 1): is not supported by NodeHelper")]
    [InlineData(Tls + "  min_version: TLS11\n", "tls_server_config.min_version (line 4): TLS11 is not served")]
    [InlineData(Tls + "  min_version: TLS13\n  max_version: TLS12\n", "tls_server_config.min_version (line 4): TLS13 is above max_version TLS12.")]
    [InlineData(Tls + "  client_auth_type: RequireSomething\n", "tls_server_config.client_auth_type (line 4): 'RequireSomething' is not one of")]
    [InlineData(Tls + "  client_auth_type: RequireAndVerifyClientCert\n", "tls_server_config.client_ca_file (line 4): is needed for client_auth_type RequireAndVerifyClientCert")]
    [InlineData(Tls + "  client_ca_file: nodehelper.crt\n", "tls_server_config.client_ca_file (line 4): is set, but client_auth_type is NoClientCert")]
    [InlineData("tls_server_config:\n  cert_file: nodehelper.crt\n", "tls_server_config (line 2): needs both cert_file and key_file.")]
    [InlineData("tls_server_config:\n  cert_file: nodehelper.crt\n  key_file: nodehelper.key\n  key_file: again.key\n", "not YAML (line 4)")]
    [InlineData("basic_auth_users:\n  alice: hunter2\n", "basic_auth_users.alice (line 2): is not a bcrypt hash")]
    [InlineData("basic_auth_users:\n  alice: $1$saltsalt$abcdefghijklmnopqrstu1\n", "basic_auth_users.alice (line 2): is not a bcrypt hash")]
    [InlineData("basic_auth_users:\n  alice: $2y$03$abcdefghijklmnopqrstuuqflPDzB6gcMhKa1rZqKiun2YGL5sa2u\n", "basic_auth_users.alice (line 2): is not a bcrypt hash")]
    [InlineData("basic_auth_users: [alice]\n", "basic_auth_users (line 1): must be a mapping of keys to values.")]
    public void AWrongKeyIsNamedWithItsLine(string yaml, string expected)
    {
        Problems(yaml).Should().Contain(p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void CipherSuitesAreReadByTheirGoNamesAndTls13sSuitesStayOn()
    {
        var web = Load($"--web.config.file={_files.Write(Tls + "  cipher_suites:\n    - TLS_RSA_WITH_AES_128_CBC_SHA\n    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n")}").Web!;

        web.Tls!.CipherSuites.Should().Equal(System.Net.Security.TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        web.Tls.OfferedCipherSuites.Should().BeEquivalentTo([.. TlsServerConfig.Tls13CipherSuites, .. web.Tls.CipherSuites!]);
        var unset = Load($"--web.config.file={_files.Write(Tls + "  cipher_suites: []\n")}").Web!.Tls!;
        unset.CipherSuites.Should().BeNull("an empty list is the default, as in exporter-toolkit");
        unset.OfferedCipherSuites.Should().BeEquivalentTo([.. TlsServerConfig.Tls13CipherSuites, .. TlsServerConfig.DefaultCipherSuites]);
        TlsServerConfig.DefaultCipherSuites.Should().OnlyContain(c => c.ToString().StartsWith("TLS_ECDHE_", StringComparison.Ordinal) && !c.ToString().Contains("CBC", StringComparison.Ordinal));
    }

    [Fact]
    public void APasswordWrittenWhereItsHashBelongsIsNotEchoed()
    {
        Problems("basic_auth_users:\n  alice: hunter2\n").Should().NotContain(p => p.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingCertificateOrAKeyThatIsNotItsOwnIsNamed()
    {
        File.Delete(_files.CertFile);
        Problems(Tls).Should().ContainSingle().Which.Should().Contain($"tls_server_config.cert_file (line 2): cannot read '{_files.CertFile}' (it does not exist).");

        _files.WriteCertificate("nodehelper.crt", "other.key");
        Problems(Tls).Should().ContainSingle().Which.Should().Contain($"tls_server_config.key_file (line 3): '{_files.KeyFile}' is not a PEM private key that matches cert_file");

        File.WriteAllText(_files.CertFile, "not a certificate\n");
        Problems(Tls).Should().ContainSingle().Which.Should().Contain("tls_server_config.cert_file (line 2): '" + _files.CertFile + "' holds no PEM certificate.");
    }

    [Fact]
    public void AnEmptyFileOrEmptySectionsTurnNothingOn()
    {
        var web = Load($"--web.config.file={_files.Write("# nothing yet\n")}").Web!;

        web.Tls.Should().BeNull();
        web.NeedsMiddleware.Should().BeFalse();
        Load($"--web.config.file={_files.Write("tls_server_config:\nbasic_auth_users: {}\n")}").Web!.NeedsMiddleware.Should().BeFalse();
    }

    [Fact]
    public async Task CheckConfigAndTheExporterExitTwoNamingTheKey()
    {
        var file = _files.Write("basic_auth_users:\n  alice: hunter2\n");

        foreach (var args in new[] { new[] { "--check-config", $"--web.config.file={file}" }, [$"--web.config.file={file}", "--Bitcoind:Enabled=false"] })
        {
            var result = await ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, .. args]);
            result.ExitCode.Should().Be(2);
            result.StandardError.Should().Contain($"Web:ConfigFile: {file}: basic_auth_users.alice (line 2): is not a bcrypt hash");
        }
    }

    [Fact]
    public void HttpsInUrlsPointsToTheWebConfigFile()
    {
        var act = () => Load("--urls=https://127.0.0.1:9338");

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle().Which.Should().Contain("Web:ConfigFile").And.Contain("tls_server_config");
    }

    public void Dispose() => _files.Dispose();
}
