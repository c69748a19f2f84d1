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
    /// <summary>For the batch: a null result is null, as the serialiser read it ("the result is null").</summary>
    public static readonly ResultReader Reader = (ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Read(ref reader);

    public static IReadOnlyList<PeerInfo> Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"the peer list is a JSON {ResultReaders.Kind(reader.TokenType)}, not an array.");
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
            switch (FieldOf(ref reader))
            {
                case Field.Id:
                    reader.Read();
                    id = Long(ref reader, "id");
                    break;
                case Field.Inbound:
                    reader.Read();
                    inbound = Bool(ref reader, "inbound");
                    break;
                case Field.Network:
                    reader.Read();
                    network = NullableKnownString(ref reader, "network");
                    break;
                case Field.ConnectionType:
                    reader.Read();
                    connectionType = NullableKnownString(ref reader, "connection_type");
                    break;
                case Field.Transport:
                    reader.Read();
                    transport = NullableKnownString(ref reader, "transport_protocol_type");
                    break;
                case Field.PingTime:
                    reader.Read();
                    pingTime = NullableDouble(ref reader, "pingtime");
                    break;
                case Field.LastBlock:
                    reader.Read();
                    lastBlock = NullableLong(ref reader, "last_block");
                    break;
                default:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }

        return new PeerInfo(id ?? throw Missing("id"), inbound ?? throw Missing("inbound"), network, connectionType, transport, pingTime, lastBlock);
    }

    private enum Field
    {
        Other,
        Id,
        Inbound,
        Network,
        ConnectionType,
        Transport,
        PingTime,
        LastBlock,
    }

    /// <summary>
    /// Which field the property name on the reader is. A peer has some forty names and most are none of the seven:
    /// the name's length picks the one candidate to compare (escaped names are compared unescaped, one by one).
    /// </summary>
    private static Field FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.ValueTextEquals("id"u8) ? Field.Id
                : reader.ValueTextEquals("inbound"u8) ? Field.Inbound
                : reader.ValueTextEquals("network"u8) ? Field.Network
                : reader.ValueTextEquals("connection_type"u8) ? Field.ConnectionType
                : reader.ValueTextEquals("transport_protocol_type"u8) ? Field.Transport
                : reader.ValueTextEquals("pingtime"u8) ? Field.PingTime
                : reader.ValueTextEquals("last_block"u8) ? Field.LastBlock
                : Field.Other;
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => Field.Id,
            7 when name.SequenceEqual("inbound"u8) => Field.Inbound,
            7 when name.SequenceEqual("network"u8) => Field.Network,
            15 when name.SequenceEqual("connection_type"u8) => Field.ConnectionType,
            23 when name.SequenceEqual("transport_protocol_type"u8) => Field.Transport,
            8 when name.SequenceEqual("pingtime"u8) => Field.PingTime,
            10 when name.SequenceEqual("last_block"u8) => Field.LastBlock,
            _ => Field.Other,
        };
    }
}
