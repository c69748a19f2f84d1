using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Probe;

namespace NodeHelper.Tests.Configuration;

/// <summary>Probe:Modules:&lt;name&gt;: each module read and checked at start, every problem named by its key.</summary>
public sealed class ProbeSettingsTests : IDisposable
{
    private readonly string _passwordFile = Path.GetTempFileName();

    public void Dispose() => File.Delete(_passwordFile);

    private static ExporterSettings Load(params string[] args) => ExporterSettings.Load(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Fact]
    public void EachModuleIsReadWithItsKindTargetsAndCredentials()
    {
        var settings = Load(
            "--Probe:Modules:bitcoind:User=probe", $"--Probe:Modules:bitcoind:PasswordFile={_passwordFile}",
            "--Probe:Modules:bitcoind:Targets=Node-A.lan:8332, 10.0.0.2:8332,[fd00::2]:8332",
            "--Probe:Modules:lnd_vps:Prober=lnd", "--Probe:Modules:lnd_vps:Targets=vps.example.org:8080",
            "--Probe:Modules:lnd_vps:MacaroonFile=/etc/nodehelper/vps.macaroon", "--Probe:Modules:lnd_vps:TlsCertFile=/etc/nodehelper/vps-tls.cert",
            "--Probe:Modules:electrum:Targets=10.0.0.2:50002", "--Probe:Modules:electrum:Tls=true");

        settings.Probe.Modules.Should().HaveCount(3);
        var bitcoind = settings.Probe.Modules["bitcoind"];
        bitcoind.Kind.Should().Be(ProbeKind.Bitcoind, "a module named after a prober is that prober");
        bitcoind.Targets.Should().BeEquivalentTo("node-a.lan:8332", "10.0.0.2:8332", "[fd00::2]:8332");
        settings.Probe.Modules["lnd_vps"].Kind.Should().Be(ProbeKind.Lnd);
        settings.Probe.Modules["electrum"].Tls.Should().BeTrue();
    }

    [Fact]
    public void NoModuleMeansNoProbes() => Load().Probe.Modules.Should().BeEmpty();

    [Theory]
    [InlineData("Probe:Modules:electrum:Targets: is empty: name the host:port of each node this module may probe.", "--Probe:Modules:electrum:Tls=true")]
    [InlineData("Probe:Modules:vps:Prober: 'vps' is not bitcoind, electrum, mempool or lnd.", "--Probe:Modules:vps:Targets=10.0.0.2:8332")]
    [InlineData("Probe:Modules:x:Prober: 'snmp' is not bitcoind, electrum, mempool or lnd.", "--Probe:Modules:x:Prober=snmp", "--Probe:Modules:x:Targets=a:1")]
    [InlineData("Probe:Modules:bitcoind:User: is required for a bitcoind module*", "--Probe:Modules:bitcoind:Targets=10.0.0.2:8332")]
    [InlineData("Probe:Modules:bitcoind:PasswordFile: '/nonexistent/pw' does not exist or cannot be read.", "--Probe:Modules:bitcoind:Targets=10.0.0.2:8332", "--Probe:Modules:bitcoind:User=u", "--Probe:Modules:bitcoind:PasswordFile=/nonexistent/pw")]
    [InlineData("Probe:Modules:mempool:MacaroonFile: does not apply to a mempool module.", "--Probe:Modules:mempool:Targets=10.0.0.2:8999", "--Probe:Modules:mempool:MacaroonFile=/x")]
    [InlineData("Probe:Modules:lnd:TlsCertFile: is required for an lnd module*", "--Probe:Modules:lnd:Targets=10.0.0.2:8080", "--Probe:Modules:lnd:MacaroonFile=/x")]
    [InlineData("Probe:Modules:electrum:Targets: a target has no port*", "--Probe:Modules:electrum:Targets=10.0.0.2")]
    [InlineData("Probe:Modules:electrum:Targets: a target is not host:port: no scheme, path, user or password*", "--Probe:Modules:electrum:Targets=tcp://10.0.0.2:50001")]
    [InlineData("Probe:Modules:electrum:Targets: a target has no port from 1 to 65535.", "--Probe:Modules:electrum:Targets=10.0.0.2:99999")]
    [InlineData("Probe:Modules:electrum:Targets: a target has a host that is neither a DNS name nor an IPv4 address.", "--Probe:Modules:electrum:Targets=a..b:50001")]
    [InlineData("Probe:Modules:lnd-vps: the name must be letters, digits and _*", "--Probe:Modules:lnd-vps:Targets=10.0.0.2:8080")]
    [InlineData("Probe:Modules:electrum:Password: unknown setting.*", "--Probe:Modules:electrum:Password=hunter2")]
    public void AWrongProbeSettingIsNamedByItsKey(string problem, params string[] arguments)
    {
        var load = () => Load(arguments);

        var problems = load.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().ContainMatch(problem);
        problems.Should().NotContain(p => p.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void TheModulesSettingsAreCataloguedOnceWithThePlaceholder()
    {
        ExporterSettings.DescribeAll().Where(s => s.Key.StartsWith("Probe:", StringComparison.Ordinal)).Select(s => s.Key).Should().Equal(
            "Probe:Modules:<name>:Prober", "Probe:Modules:<name>:Targets", "Probe:Modules:<name>:TimeoutSeconds", "Probe:Modules:<name>:User",
            "Probe:Modules:<name>:PasswordFile", "Probe:Modules:<name>:Tls", "Probe:Modules:<name>:MacaroonFile", "Probe:Modules:<name>:TlsCertFile");
        HelpText.Render().Should().Contain("Probe:Modules:<name>:Targets");
    }
}
