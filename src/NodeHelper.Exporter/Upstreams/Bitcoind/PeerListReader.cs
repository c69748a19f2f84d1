using System.Text.Json;
using static NodeHelper.Exporter.Upstreams.Bitcoind.ResultTokens;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// Reads getpeerinfo's list by hand, in one pass: the seven fields the collector uses, and every other field of a
/// peer (some forty, two of them objects of per-message byte counts) skipped. It is most of a mainnet answer (about
/// 1.5 KiB a peer); the serialiser read it at twice the time and five times the allocations (make bench
/// ARGS="--phases --peers 125"). An item that is JSON null is kept as null, which <see cref="PeerInfo.Problem"/> reports.
/// </summary>
internal static class PeerListReader
{
    public static readonly ResultReader Reader = (ref Utf8JsonReader reader) => Read(ref reader);

    public static IReadOnlyList<PeerInfo> Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"the peer list is a JSON {reader.TokenType}, not an array.");
        }

        var peers = new List<PeerInfo>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            peers.Add(reader.TokenType switch
            {
                JsonTokenType.Null => null!,
                JsonTokenType.StartObject => ReadPeer(ref reader),
                _ => throw NotAnObject(reader.TokenType, "the peer list"),
            });
        }

        return peers;
    }

    private static PeerInfo ReadPeer(ref Utf8JsonReader reader)
    {
        long? id = null;
        bool? inbound = null;
        string? network = null, connectionType = null, transport = null;
        double? pingTime = null;
        long? lastBlock = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // Each name is compared once per field read; most of a peer's names are none of these and are skipped.
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = Long(ref reader, "id");
            }
            else if (reader.ValueTextEquals("inbound"u8))
            {
                reader.Read();
                inbound = Bool(ref reader, "inbound");
            }
            else if (reader.ValueTextEquals("network"u8))
            {
                reader.Read();
                network = NullableKnownString(ref reader, "network");
            }
            else if (reader.ValueTextEquals("connection_type"u8))
            {
                reader.Read();
                connectionType = NullableKnownString(ref reader, "connection_type");
            }
            else if (reader.ValueTextEquals("transport_protocol_type"u8))
            {
                reader.Read();
                transport = NullableKnownString(ref reader, "transport_protocol_type");
            }
            else if (reader.ValueTextEquals("pingtime"u8))
            {
                reader.Read();
                pingTime = NullableDouble(ref reader, "pingtime");
            }
            else if (reader.ValueTextEquals("last_block"u8))
            {
                reader.Read();
                lastBlock = NullableLong(ref reader, "last_block");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new PeerInfo(id ?? throw Missing("id"), inbound ?? throw Missing("inbound"), network, connectionType, transport, pingTime, lastBlock);
    }
}
