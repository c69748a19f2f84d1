using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;

namespace NodeHelper.Tests.Configuration;

/// <summary>Settings are validated at start: every problem named by its key, never a silent default.</summary>
public sealed class SettingsTests
{
    private static ExporterSettings Load(params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        return ExporterSettings.Load(configuration);
    }

    private static IReadOnlyList<string> Problems(params string[] args)
    {
        var act = () => Load(args);
        return act.Should().Throw<SettingsException>().Which.Problems;
    }

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var settings = Load();

        settings.Urls.Should().Be("http://127.0.0.1:9338");
        settings.Bitcoind.Url.Should().Be(new Uri("http://127.0.0.1:8332/"));
        settings.Bitcoind.CookieFile.Should().Be("~/.bitcoin/.cookie");
        settings.Bitcoind.UsesCookie.Should().BeTrue();
        settings.Bitcoind.TimeoutSeconds.Should().Be(8);
        settings.Bitcoind.FeeTargets.Should().Equal(1, 2, 3, 6, 12, 24, 144);
        settings.Scrape.DefaultTimeoutSeconds.Should().Be(10);
        settings.Scrape.TimeoutOffsetSeconds.Should().Be(0.5);
    }

    [Fact]
    public void ValuesComeFromTheCommandLine()
    {
        var settings = Load("--Bitcoind:Url=http://10.0.0.5:8332", "--Bitcoind:TimeoutSeconds=2.5", "--Bitcoind:FeeTargets=144, 6,1", "--bitcoind:enabled=false");

        settings.Bitcoind.Url.Should().Be(new Uri("http://10.0.0.5:8332"));
        settings.Bitcoind.TimeoutSeconds.Should().Be(2.5);
        settings.Bitcoind.FeeTargets.Should().Equal(1, 6, 144);
        settings.Bitcoind.Enabled.Should().BeFalse("keys are case-insensitive, as everywhere in ASP.NET Core configuration");
    }

    [Fact]
    public void FeeTargetsAlsoReadAsAJsonArray()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bitcoind:FeeTargets:0"] = "2", ["Bitcoind:FeeTargets:1"] = "12" })
            .Build();

        var settings = ExporterSettings.Load(configuration);

        settings.Bitcoind.FeeTargets.Should().Equal(2, 12);
    }

    [Theory]
    [InlineData("--Bitcoind:Urll=http://x", "Bitcoind:Urll: unknown setting. Bitcoind knows: Enabled, Url, CookieFile, User, Password, PasswordFile, TimeoutSeconds, FeeTargets.")]
    [InlineData("--Bitcoin:Url=http://x", "Bitcoin:Url: unknown setting. Known sections: urls, Web, Scrape, Bitcoind, *Logging; see --help.")]
    [InlineData("--Bitcoind:TimeoutSeconds=abc", "Bitcoind:TimeoutSeconds: 'abc' is not a number of seconds.")]
    [InlineData("--Bitcoind:TimeoutSeconds=0", "Bitcoind:TimeoutSeconds: 0 is out of range; use 0.1 to 300 seconds.")]
    [InlineData("--Bitcoind:FeeTargets=1,0", "Bitcoind:FeeTargets: '0' is not a whole number from 1 to 1008.")]
    [InlineData("--Bitcoind:FeeTargets=2,x", "Bitcoind:FeeTargets: 'x' is not a whole number from 1 to 1008.")]
    [InlineData("--Bitcoind:Enabled=yes", "Bitcoind:Enabled: 'yes' is not true or false.")]
    [InlineData("--Bitcoind:Url=ftp://host", "Bitcoind:Url: is not an absolute http:// or https:// URL.")]
    [InlineData("--Scrape:TimeoutOffsetSeconds=-1", "Scrape:TimeoutOffsetSeconds: -1 is out of range; use 0 to 10 seconds.")]
    [InlineData("--Bitcoind:User=monitor", "Bitcoind:User: is set, but neither Bitcoind:Password nor Bitcoind:PasswordFile is.")]
    [InlineData("--Bitcoind:Password=x", "Bitcoind:User: is empty, but a password is set; set the user too, or remove the password to use the cookie file.")]
    [InlineData("--Bitcoind:PasswordFile=/nonexistent/pw", "Bitcoind:PasswordFile: '/nonexistent/pw' does not exist or cannot be read.")]
    [InlineData("--Report:Schedule=7am", "Report:Schedule: '7am' is not a time of day as HH:mm (for example 07:00).")]
    [InlineData("--Report:Schedule=07:00", "Report:Schedule: needs Report:To, Report:From and Report:Smtp:Host to mail the report.")]
    [InlineData("--Report:To=nobody", "Report:To: 'nobody' is not a mail address.")]
    [InlineData("--Report:ProbeJob=nodehelper", "Report:ProbeJob: is the same job as Report:Job ('nodehelper'): /probe is scraped under a job of its own (nodehelper_probe in prometheus/probe.yml).")]
    [InlineData("--Report:Job=", "Report:Job: is empty; the report needs the job Prometheus scrapes NodeHelper's /metrics under (nodehelper in the shipped prometheus.yml).")]
    [InlineData("--Report:Smtp:Security=ssl", "Report:Smtp:Security: 'ssl' is not auto, starttls, tls or none.")]
    [InlineData("--Report:Smtp:Retry=1", "Report:Smtp:Retry: unknown setting. Report knows: PrometheusUrl, Job, ProbeJob, Schedule, To, From, Smtp:Host, *")]
    [InlineData("--Kestrel:Endpoints:Http:Url=http://0.0.0.0:9338", "Kestrel:Endpoints:Http:Url: unknown setting. Known sections: *")]
    [InlineData("--environment=Development", "environment: unknown setting. Known sections: *")]
    [InlineData("--Report:PrometheusUrl=http://admin:pw@prometheus:9090/", "Report:PrometheusUrl: must not contain a user name or password*")]
    [InlineData("--Logging:LogLevel:Default=Loud", "Logging:LogLevel:Default: 'Loud' is not a log level; use one of Trace, Debug, Information, Warning, Error, Critical, None.")]
    [InlineData("--Logging:Console:LogLevel:Default=verbose", "Logging:Console:LogLevel:Default: 'verbose' is not a log level*")]
    [InlineData("--Logging:Console:FormatterName=json", "Logging:Console:FormatterName: unknown setting. Logging knows LogLevel:<category> and Console:LogLevel:<category>.")]
    [InlineData("--urls=https://127.0.0.1:9338", "urls: 'https://127.0.0.1:9338' is not written http://: for TLS, give Web:ConfigFile a file with tls_server_config (every address then serves TLS), or put a reverse proxy in front.")]
    [InlineData("--urls=notaurl", "urls: 'notaurl' is not an address such as http://127.0.0.1:9338.")]
    [InlineData("--urls=http://127.0.0.1:9338/nodehelper", "urls: 'http://127.0.0.1:9338/nodehelper' has a path (/nodehelper); NodeHelper serves at the root of its address.")]
    [InlineData("--urls=http://127.0.0.1:9338;ftp://x:1", "urls: 'ftp://x:1' is not written http://*")]
    [InlineData("--urls= ; ", "urls: is empty*")]
    [InlineData("--urls=http://127.0.0.1:93a8", "urls: 'http://127.0.0.1:93a8' has no valid port ('93a8'), such as http://127.0.0.1:9338.")]
    [InlineData("--urls=http://127.0.0.1:99999999999", "urls: 'http://127.0.0.1:99999999999' has no valid port*")]
    [InlineData("--urls=http://127.0.0.1:70000", "urls: 'http://127.0.0.1:70000' has no valid port*")]
    [InlineData("--urls=http://127.0.0.1", "urls: 'http://127.0.0.1' has no port; write one, such as http://127.0.0.1:9338.")]
    [InlineData("--urls=http://[::1", "urls: 'http://[::1' has no port*")]
    [InlineData("--urls=http://unix:", "urls: 'http://unix:' names no socket*")]
    [InlineData("--urls=http://node.example:9338", "urls: 'http://node.example:9338' has a host name (node.example): Kestrel would listen on every interface for it.*")]
    [InlineData("--Logging:LogLevel:Default=9", "Logging:LogLevel:Default: '9' is not a log level*")]
    [InlineData("--Lnd:Url=http://10.0.0.7:8080/", "Lnd:Url: may be http:// only for a loopback host (LND's no-rest-tls), not '10.0.0.7': the macaroon would cross the network in clear.")]
    [InlineData("--Lnd:ChannelBackupCopy=~/.lnd/data/chain/bitcoin/mainnet/channel.backup", "Lnd:ChannelBackupCopy: is Lnd:ChannelBackupFile itself*")]
    [InlineData("--Lnd:TimeoutSeconds=0", "Lnd:TimeoutSeconds: 0 is out of range; use 0.1 to 300 seconds.")]
    [InlineData("--Lnd:Macaroon=abcd", "Lnd:Macaroon: unknown setting. Lnd knows: Url, Enabled, MacaroonFile, TlsCertFile, TimeoutSeconds, ChannelBackupFile, ChannelBackupCopy, PerChannel.")]
    public void AWrongSettingIsNamedByItsKey(string argument, string problem)
    {
        Problems(argument).Should().ContainMatch(problem);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9338")]
    [InlineData("http://[::]:9338")]
    [InlineData("http://localhost:9338")]
    [InlineData("http://*:9338")]
    [InlineData("http://127.0.0.1:9338; http://[::1]:9338")]
    [InlineData("HTTP://127.0.0.1:9338/")]
    [InlineData("http://unix:/run/nodehelper/nodehelper.sock")]
    public void AddressesKestrelListensOnAreAccepted(string urls)
    {
        Load($"--urls={urls}", "--Logging:LogLevel:Default=debug", "--Logging:LogLevel:Microsoft.AspNetCore=2", "--Logging:Console:LogLevel:Default=")
            .Urls.Should().Be(string.Join(';', urls.Split(';', StringSplitOptions.TrimEntries)), "Kestrel is given the addresses trimmed: it does not trim them itself");
    }

    [Fact]
    public void ASettingsFileThatIsNotJsonIsNamedNotAStackTrace()
    {
        var directory = Directory.CreateTempSubdirectory("nodehelper-settings-");
        try
        {
            File.WriteAllText(Path.Join(directory.FullName, "appsettings.json"), "{ \"Bitcoind\": { \"Url\": \"http://x\" ");

            var act = () => SettingsSources.Build([], directory.FullName);

            act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle()
                .Which.Should().Match("appsettings.json: Failed to load configuration from file '*appsettings.json'. Could not parse the JSON file.*LineNumber*");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        Problems("--Bitcoind:TimeoutSeconds=x", "--Bitcoind:Typo=1", "--Scrape:DefaultTimeoutSeconds=0").Should().HaveCount(3);
    }

    [Fact]
    public void CredentialsInTheUrlAreRefusedWithoutEchoingThem()
    {
        var problems = Problems("--Bitcoind:Url=http://monitor:hunter2-secret@127.0.0.1:8332/");

        problems.Should().ContainSingle().Which.Should().Be(
            "Bitcoind:Url: must not contain a user name or password; use the section's User and PasswordFile settings.");
        string.Join('\n', problems).Should().NotContain("hunter2");
    }

    [Fact]
    public void APasswordIsNeverEchoedEvenWhenItIsTheProblem()
    {
        var problems = Problems("--Bitcoind:Password=hunter2-secret", "--Bitcoind:PasswordFile=/nonexistent");

        string.Join('\n', problems).Should().NotContain("hunter2");
    }

    [Fact]
    public void TheReportsMailServerMayGoUnverifiedOnlyOnThisMachine()
    {
        Problems("--Report:Smtp:Host=smtp.example.org", "--Report:Smtp:TlsVerify=false")
            .Should().Contain("Report:Smtp:TlsVerify: may be false only for a loopback mail server, not 'smtp.example.org'.");
        Load("--Report:Smtp:Host=127.0.0.1", "--Report:Smtp:TlsVerify=false").Report.SmtpTlsVerify.Should().BeFalse();
    }

    [Fact]
    public void EveryOptionsPropertyIsADeclaredSetting()
    {
        // Guards the single declaration: a property added to an options class but not read would be silently unsettable.
        var catalog = ExporterSettings.DescribeAll().Select(s => s.Key).ToHashSet();
        (Type Type, string Section)[] sections = [(typeof(BitcoindOptions), BitcoindOptions.Section), (typeof(ScrapeOptions), ScrapeOptions.Section)];
        foreach (var (type, section) in sections)
        {
            var settable = type.GetProperties().Where(p => p.SetMethod is not null).Select(p => $"{section}:{p.Name}");
            catalog.Should().Contain(settable);
        }
    }
}
