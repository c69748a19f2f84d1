using System.Text.Json;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Simulators;

namespace NodeHelper.Tests.Upstreams.Lnd;

/// <summary>LND's REST answers as LND encodes them: the real captures, int64 as strings, fields old and new.</summary>
public sealed class LndModelsTests
{
    [Fact]
    public void GetinfoIsReadFromTheCaptureWithItsInt64Strings()
    {
        var info = JsonSerializer.Deserialize(Fixtures.Read("lnd/getinfo.json"), LndJsonContext.Default.LndInfo)!;

        info.Version.Should().Be("0.14.3-beta commit=v0.14.3-beta");
        info.CommitHash.Should().Be("bd0c46b4fcb027af1915bd67a3da70e8ca5c6efe");
        info.BlockHeight.Should().Be(750112);
        info.BestHeaderTimestamp.Should().Be(1660904009, "an int64, sent as the string \"1660904009\"");
        info.Peers.Should().Be(241);
        info.ActiveChannels.Should().Be(3);
        info.InactiveChannels.Should().Be(0);
        info.SyncedToChain.Should().BeTrue();
        info.SyncedToGraph.Should().BeTrue();
        info.Problem().Should().BeNull();
    }

    [Fact]
    public void ChannelsAreReadFromTheCapture()
    {
        var channels = JsonSerializer.Deserialize(Fixtures.Read("lnd/channels.json"), LndJsonContext.Default.LndChannels)!.Channels!;

        channels.Should().HaveCount(3);
        channels[0].ChannelId.Should().Be("1337");
        channels[0].Capacity.Should().Be(50000);
        channels[0].LocalBalance.Should().Be(7331);
        channels[0].RemoteBalance.Should().Be(1337);
        channels[1].ChannelId.Should().Be("811207584397066241", "a uint64 beyond a double's exact range stays text");
        channels.Select(c => c.Problem()).Should().OnlyContain(p => p == null);
    }

    [Fact]
    public void AnAbsurdValueInGoodJsonNamesItsFieldAndAnUnknownFieldIsIgnored()
    {
        var balance = JsonSerializer.Deserialize(
            """{"total_balance": "-5", "confirmed_balance": "0", "wallet_synced": true, "account_balance": {}}""", LndJsonContext.Default.LndWalletBalance)!;

        balance.Problem().Should().Be("total_balance is -5, which cannot be negative");
    }
}
