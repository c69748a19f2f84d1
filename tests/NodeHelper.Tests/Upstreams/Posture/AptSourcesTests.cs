using NodeHelper.Exporter.Upstreams.Posture;

namespace NodeHelper.Tests.Upstreams.Posture;

/// <summary>Whether apt's sources name a security suite: without one (Raspbian's archive) a security count says nothing.</summary>
public sealed class AptSourcesTests
{
    [Theory]
    [InlineData("deb http://deb.debian.org/debian-security bookworm-security main", true)]
    [InlineData("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-security main", true)]
    [InlineData("deb http://security.debian.org/debian-security buster/updates main", true)] // Debian 10's name for the suite
    [InlineData("deb http://security.ubuntu.com/ubuntu jammy-security main restricted", true)]
    [InlineData("deb http://raspbian.raspberrypi.com/raspbian/ bookworm main contrib non-free rpi", false)] // 32-bit Raspberry Pi OS
    [InlineData("deb http://archive.raspberrypi.com/debian/ bookworm main", false)]
    [InlineData("deb-src http://deb.debian.org/debian-security bookworm-security main", false)] // sources, not packages
    [InlineData("# deb http://deb.debian.org/debian-security bookworm-security main", false)]
    public void OneLineSources(string line, bool security) => AptSources.OneLineIsSecurity(line).Should().Be(security, line);

    [Fact]
    public void Deb822Sources()
    {
        var debian = File.ReadAllText(Path.Join(AppContext.BaseDirectory, "Fixtures", "host", "etc", "apt", "sources.list.d", "debian.sources"));

        AptSources.Deb822IsSecurity(debian).Should().BeTrue("Debian 12's installer writes a bookworm-security stanza");
        AptSources.Deb822IsSecurity(debian.Replace("Suites: bookworm-security", "Enabled: no\nSuites: bookworm-security", StringComparison.Ordinal))
            .Should().BeFalse("a disabled stanza is not read");
        AptSources.Deb822IsSecurity("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n  bookworm-security\nComponents: main\n")
            .Should().BeTrue("a continuation line");
        AptSources.Deb822IsSecurity("Types: deb\nURIs: http://raspbian.raspberrypi.com/raspbian/\nSuites: bookworm\nComponents: main contrib non-free rpi\n").Should().BeFalse();
    }
}
