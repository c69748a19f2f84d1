using System.Text.Json;
using NodeHelper.Exporter.Upstreams.Bitcoind;

namespace NodeHelper.Tests.Upstreams.Bitcoind;

/// <summary>Layer 1: a peer's and a tip's vocabulary are read as shared strings, and anything else exactly as sent.</summary>
public sealed class KnownStringsTests
{
    private static IReadOnlyList<PeerInfo> Peers(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return PeerListReader.Read(ref reader);
    }

    private static IReadOnlyList<ChainTip> Tips(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return ChainTipListReader.Read(ref reader);
    }

    [Fact]
    public void KnownValuesAreTheSharedStringsEscapedOrNot()
    {
        var peers = Peers("""[{"id":1,"inbound":true,"network":"onion","connection_type":"inbound","transport_protocol_type":"v2"},{"id":2,"inbound":false,"network":"\u006fnion","connection_type":"block-relay-only","transport_protocol_type":"v1"}]""");

        peers.Select(p => p.Network).Should().Equal("onion", "onion");
        ReferenceEquals(peers[0].Network, peers[1].Network).Should().BeTrue("two peers on one network share one string");
        ReferenceEquals(peers[1].ConnectionType, BitcoindVocabulary.ConnectionTypes[2]).Should().BeTrue();
        var tips = Tips("""[{"height":5,"hash":"00","branchlen":1,"status":"valid-fork"}]""");
        ReferenceEquals(tips[0].Status, BitcoindVocabulary.TipStatuses[1]).Should().BeTrue();
    }

    [Fact]
    public void OtherValuesAndNullsAreReadAsSent()
    {
        var peers = Peers("""[{"id":1,"inbound":true,"network":"yggdrasil","connection_type":null,"transport_protocol_type":"onion2"}]""");

        peers[0].Network.Should().Be("yggdrasil");
        peers[0].ConnectionType.Should().BeNull();
        peers[0].TransportProtocolType.Should().Be("onion2", "a known word in the wrong field is still that word");
    }

    [Fact]
    public void ANumberWhereAStringBelongsIsAShapeError()
    {
        var read = () => Peers("""[{"id":1,"inbound":true,"network":4}]""");

        read.Should().Throw<JsonException>();
    }
}
