using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Upstreams.Posture;

/// <summary>apt's configuration read as apt resolves it, over fixture trees of /etc/apt.</summary>
public sealed class AptConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-aptconf-").FullName;

    private static string FixtureEtcApt => Path.Join(HostParsersTests.HostRoot, "etc", "apt");

    [Fact]
    public void TheFixtureTreeIsReadInLexicalOrderTheLaterValueWinning()
    {
        // 10periodic (nested form) turns both off, 20auto-upgrades (Debian's, flat form) turns them on again, and
        // 99off.dpkg-old, which would turn one off, is not a file apt reads.
        var values = AptConfig.Read(FixtureEtcApt);

        values["apt::periodic::update-package-lists"].Should().Be("1");
        values["apt::periodic::unattended-upgrade"].Should().Be("1", "20auto-upgrades is read after 10periodic, and 99off.dpkg-old not at all");
        values["apt::periodic::autocleaninterval"].Should().Be("7", "a nested value no later file sets stays");
        AptConfig.IsOn(values, "APT::Periodic::Unattended-Upgrade").Should().BeTrue();
        AptConfig.Parts(Path.Join(FixtureEtcApt, "apt.conf.d")).Select(Path.GetFileName)
            .Should().Equal("10periodic", "20auto-upgrades", "50unattended-upgrades");
    }

    [Fact]
    public void BothFormsCommentsAndCaseAreApts()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        AptConfig.Parse("""
            // a comment; with a semicolon
            APT::Periodic::Update-Package-Lists "1"; # a comment after a value
            apt { periodic { unattended-upgrade "2"; }; };
            /* APT::Periodic::Enable "0";
               a block comment over lines */
            APT::Periodic { Download-Upgradeable-Packages 1; };
            DPkg::Post-Invoke { "/usr/bin/true"; "/bin/echo // not a comment"; };
            Acquire::http::Proxy "http://proxy:3142/";
            """, values);

        values.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["apt::periodic::update-package-lists"] = "1",
            ["apt::periodic::unattended-upgrade"] = "2",
            ["apt::periodic::download-upgradeable-packages"] = "1",
            ["acquire::http::proxy"] = "http://proxy:3142/",
        }, "keys without case, the nested form flattened, list items and comments skipped, '//' inside quotes kept");
        AptConfig.IsOn(values, "APT::Periodic::Enable", @default: true).Should().BeTrue("the only Enable is inside a comment");
    }

    [Fact]
    public void AptConfReadAfterThePartsWinsAndClearRemovesAKey()
    {
        var etc = Directory.CreateDirectory(Path.Join(_dir, "apt")).FullName;
        var parts = Directory.CreateDirectory(Path.Join(etc, "apt.conf.d")).FullName;
        File.WriteAllText(Path.Join(parts, "20auto-upgrades"), "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n");
        File.WriteAllText(Path.Join(parts, "99local.conf"), "#clear APT::Periodic::Update-Package-Lists;\n");
        File.WriteAllText(Path.Join(parts, "backup~"), "APT::Periodic::Unattended-Upgrade \"7\";\n");
        File.WriteAllText(Path.Join(etc, "apt.conf"), "APT::Periodic::Unattended-Upgrade \"0\";\n");

        var values = AptConfig.Read(etc);

        values.Should().NotContainKey("apt::periodic::update-package-lists", "#clear in a later part removed it");
        values["apt::periodic::unattended-upgrade"].Should().Be("0", "apt.conf is read after apt.conf.d, and a name with ~ is skipped");
        AptConfig.IsOn(values, "APT::Periodic::Unattended-Upgrade").Should().BeFalse();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
