using System.Text;
using System.Text.Json;
using NodeHelper.Exporter.Upstreams.Bitcoind;

namespace NodeHelper.Tests.Upstreams.Bitcoind;

/// <summary>
/// Layer 1: the hand-written readers of getpeerinfo and getchaintips are as strict as the serialiser they replace: a
/// field of the wrong kind or a missing required one is a shape error, optional fields may be absent or null, and
/// everything else in an item, however nested, is skipped.
/// </summary>
public sealed class ResultListReaderTests
{
    private static IReadOnlyList<PeerInfo> Peers(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        var peers = PeerListReader.Read(ref reader);
        reader.TokenType.Should().Be(JsonTokenType.EndArray, "the reader is left on the list's last token");
        return peers;
    }

    private static IReadOnlyList<ChainTip> Tips(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return ChainTipListReader.Read(ref reader);
    }

    [Fact]
    public void APeerKeepsItsSevenFieldsAndSkipsTheRest()
    {
        var peers = Peers("""
            [{"addr":"[::1]:8333","id":7,"bytessent_per_msg":{"ping":{"x":[1,[2]]},"tx":5},"inbound":false,"network":"ipv6",
              "connection_type":"block-relay-only","transport_protocol_type":"v2","pingtime":0.25,"last_block":1700000000,"servicesnames":["NETWORK"]},
             {"id":8,"inbound":true,"pingtime":null,"last_block":null,"network":null}]
            """);

        peers.Should().Equal(
            new PeerInfo(7, false, "ipv6", "block-relay-only", "v2", 0.25, 1_700_000_000),
            new PeerInfo(8, true));
    }

    [Fact]
    public void EscapedFieldNamesAreTheSameFields()
    {
        var peers = Peers("""[{"\u0069d":3,"inbo\u0075nd":true,"ping\u0074ime":0.5,"idx":9,"i\u0064x":10}]""");

        peers.Should().Equal(new PeerInfo(3, true, PingTime: 0.5));
    }

    [Fact]
    public void ANullPeerIsKeptForTheProblemCheckToName()
    {
        var peers = Peers("""[{"id":1,"inbound":true},null]""");

        PeerInfo.Problem(peers).Should().Be("the peer list holds a null");
    }

    [Theory]
    [InlineData("""[{"inbound":true}]""", "id is missing*")]
    [InlineData("""[{"id":1}]""", "inbound is missing*")]
    [InlineData("""[{"id":"1","inbound":true}]""", "id is a JSON String*")]
    [InlineData("""[{"id":1.5,"inbound":true}]""", "id is a JSON Number, not a whole number*")]
    [InlineData("""[{"id":1,"inbound":1}]""", "inbound is a JSON Number*")]
    [InlineData("""[{"id":1,"inbound":true,"network":4}]""", "network is a JSON Number*")]
    [InlineData("""[{"id":1,"inbound":true,"pingtime":"fast"}]""", "pingtime is a JSON String*")]
    [InlineData("""[{"id":1,"inbound":true,"last_block":{}}]""", "last_block is a JSON StartObject*")]
    [InlineData("""[5]""", "the peer list holds a JSON Number*")]
    [InlineData("""{"id":1}""", "the peer list is a JSON object, not an array*")]
    public void APeerOfTheWrongShapeIsAShapeError(string json, string message)
    {
        var read = () => Peers(json);

        read.Should().Throw<JsonException>().WithMessage(message);
    }

    [Fact]
    public void ATipKeepsHeightBranchAndStatus()
    {
        Tips("""[{"height":925000,"hash":"00ab","branchlen":0,"status":"active"},{"status":"valid-fork","branchlen":2,"height":5}]""")
            .Should().Equal(new ChainTip(925_000, 0, "active"), new ChainTip(5, 2, "valid-fork"));
    }

    [Theory]
    [InlineData("""[{"height":1,"branchlen":0}]""", "status is missing*")]
    [InlineData("""[{"height":1,"branchlen":0,"status":null}]""", "status is a JSON Null*")]
    [InlineData("""[{"branchlen":0,"status":"active"}]""", "height is missing*")]
    [InlineData("""[{"height":-1e3,"branchlen":0,"status":"active"}]""", "height is a JSON Number, not a whole number*")]
    public void ATipOfTheWrongShapeIsAShapeError(string json, string message)
    {
        var read = () => Tips(json);

        read.Should().Throw<JsonException>().WithMessage(message);
    }
}
