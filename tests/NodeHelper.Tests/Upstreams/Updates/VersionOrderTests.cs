using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Tests.Upstreams.Updates;

public sealed class VersionOrderTests
{
    [Theory]
    [InlineData("30.0", "29.0.0", 1)]
    [InlineData("29.0", "29.0.0", 0)]
    [InlineData("v29.1", "29.0.0", 1)]
    [InlineData("0.10.10", "0.10.9", 1)] // numbers, not text: 10 > 9
    [InlineData("0.9.10", "0.10.1", -1)]
    [InlineData("0.19.3-beta", "0.19.2-beta", 1)]
    [InlineData("0.19.3-beta", "0.19.3-beta", 0)]
    [InlineData("29.2.knots20251110", "29.1.knots20250903", 1)]
    [InlineData("29.1.knots20251110", "29.1.knots20250903", 1)]
    [InlineData("28.1.knots20250305", "29.1.knots20250903", -1)]
    [InlineData("99.0.0", "31.99.0", 1)]
    public void OrdersTheReleasesOfTheStacksProjects(string a, string b, int expected)
    {
        VersionOrder.Compare(a, b).Should().Be(expected);
        VersionOrder.Compare(b, a).Should().Be(-expected);
    }

    [Theory]
    [InlineData("30.0", true)]
    [InlineData("v0.19.3-beta", true)]
    [InlineData("?", false)] // mempool's backend-info when built without git
    [InlineData("", false)]
    [InlineData("latest", false)]
    [InlineData("30.0\"} 1\nevil 1", false)]
    public void AVersionIsADigitFirstAndNothingThatCouldBreakALabel(string value, bool expected) =>
        VersionOrder.IsVersion(value).Should().Be(expected);

    [Fact]
    public void ABitcoindSaysWhetherItIsCoreOrKnots()
    {
        RunningVersions.Bitcoind("29.0.0", "/Satoshi:29.0.0/").Should().Be(("bitcoin_core", "29.0.0"));
        RunningVersions.Bitcoind("29.2.0", "/Satoshi:29.2.0/Knots:20251110/").Should().Be(("bitcoin_knots", "29.2.knots20251110"));
    }

    [Fact]
    public void AnElectrumServerSaysWhichItIs()
    {
        RunningVersions.Electrum("Fulcrum 2.1.1").Should().Be(("fulcrum", "2.1.1"));
        RunningVersions.Electrum("electrs/0.10.5").Should().Be(("electrs", "0.10.5"));
        RunningVersions.Electrum("garbage").Should().BeNull();
    }
}
