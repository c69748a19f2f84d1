using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// The peers of a public mainnet node, as getpeerinfo lists them: every field of the captured entries
/// (Fixtures/bitcoind/getpeerinfo.json, Bitcoin Core v31), with values as varied as a real node's. Bitcoin Core opens
/// 8 outbound full-relay connections, 2 block-relay-only ones and a few more full-relay ones when its tip looks
/// stale, and accepts the rest inbound: here 10 full-relay and 2 block-relay-only (fewer below 12 peers) and the
/// rest inbound, over IPv4, Tor, IPv6, I2P and CJDNS, v1 and v2 (BIP324) transport, from Core, Knots, btcd, SPV
/// wallets and spy nodes. Addresses are from the documentation ranges (RFC 5737, RFC 3849) or made up.
/// </summary>
public static class MainnetPeers
{
    public const int OutboundFullRelay = 10;

    public const int BlockRelayOnly = 2;

    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    private static readonly (string Subversion, int Version, double Share)[] Clients =
    [
        ("/Satoshi:29.0.0/", 70016, 0.22), ("/Satoshi:28.1.0/", 70016, 0.18), ("/Satoshi:30.0.0/", 70016, 0.12),
        ("/Satoshi:27.1.0/", 70016, 0.10), ("/Satoshi:29.1.0/Knots:20250903/", 70016, 0.09), ("/Satoshi:26.0.0/", 70016, 0.07),
        ("/Satoshi:25.0.0/", 70016, 0.06), ("/Satoshi:24.0.1/", 70016, 0.04), ("/Satoshi:22.0.0/", 70016, 0.03),
        ("/btcd:0.24.2/", 70016, 0.02), ("/bitcoinj:0.16.2/Bitcoin Wallet:9.33/", 70015, 0.03), ("/Satoshi:0.16.3/", 70015, 0.02),
        ("", 70016, 0.02),
    ];

    /// <summary>Inbound peers by network, as a public node that listens on clearnet, Tor and I2P sees them.</summary>
    private static readonly (string Network, double Share)[] InboundNetworks =
        [("ipv4", 0.55), ("onion", 0.28), ("ipv6", 0.11), ("i2p", 0.05), ("cjdns", 0.01)];

    /// <summary>Where Bitcoin Core's outbound connections go: mostly IPv4, some over Tor, IPv6 and I2P.</summary>
    private static readonly string[] OutboundNetworks = ["ipv4", "onion", "ipv4", "ipv6", "ipv4", "i2p", "ipv4", "onion", "ipv4", "ipv6", "ipv4", "onion"];

    /// <summary><paramref name="count"/> peers of a node at <paramref name="height"/> whose clock says <paramref name="now"/>.</summary>
    public static List<SimulatedPeer> Generate(int count, long height, long tipTime, long now, double mempoolMinFeeRate)
    {
        var random = new Random(34_000 + count);
        var blockRelay = count >= 10 ? BlockRelayOnly : 0;
        var fullRelay = Math.Min(count - blockRelay, OutboundFullRelay);
        var specs = new List<(string Type, string Network, long ConnectedAt)>();
        for (var i = 0; i < count; i++)
        {
            var type = i < fullRelay ? "outbound-full-relay" : i < fullRelay + blockRelay ? "block-relay-only" : "inbound";
            var network = type == "inbound" ? Pick(random, InboundNetworks) : OutboundNetworks[i % OutboundNetworks.Length];
            // Outbound connections last days; inbound ones come and go, from seconds to weeks.
            var age = type == "inbound" ? (long)Math.Exp(random.NextDouble() * Math.Log(20 * 86_400)) : random.NextInt64(600, 6 * 86_400);
            specs.Add((type, network, now - age));
        }

        // getpeerinfo lists peers by id, and ids count connections: the oldest connection has the lowest id.
        specs.Sort((a, b) => a.ConnectedAt.CompareTo(b.ConnectedAt));
        var peers = new List<SimulatedPeer>(count);
        long id = random.Next(5, 60);
        var highBandwidthTo = 0;
        foreach (var (type, network, connectedAt) in specs)
        {
            id += random.Next(1, 40);
            var entry = Entry(random, id, type, network, connectedAt, height, tipTime, now, mempoolMinFeeRate, ref highBandwidthTo);
            peers.Add(new SimulatedPeer(
                network,
                type,
                entry["transport_protocol_type"]!.GetValue<string>(),
                entry["pingtime"]?.GetValue<double>() ?? 0,
                entry["last_block"]!.GetValue<long>())
            {
                Entry = JsonDocument.Parse(entry.ToJsonString()).RootElement.Clone(),
            });
        }

        return peers;
    }

    private static JsonObject Entry(Random random, long id, string type, string network, long connectedAt, long height, long tipTime, long now,
        double mempoolMinFeeRate, ref int highBandwidthTo)
    {
        var inbound = type == "inbound";
        var blockRelay = type == "block-relay-only";
        var (subversion, version, _) = inbound ? Pick(random, Clients.Select(c => (c, c.Share)).ToArray()) : Clients[random.Next(0, 7)];
        var spy = subversion.Length == 0 || subversion.StartsWith("/Satoshi:0.", StringComparison.Ordinal);
        var spv = subversion.StartsWith("/bitcoinj", StringComparison.Ordinal);
        var coreMajor = subversion.StartsWith("/Satoshi:", StringComparison.Ordinal)
            ? int.Parse(subversion.AsSpan(9, subversion.IndexOf('.', 9) - 9), CultureInfo.InvariantCulture)
            : 0;
        // BIP324 is on by default since Core 27; a peer offering it (P2P_V2) is reached over v2 when both ends can.
        var offersV2 = coreMajor >= 27 || (coreMajor == 26 && random.NextDouble() < 0.3);
        var v2 = offersV2 && network != "i2p" && random.NextDouble() < 0.92;
        var (services, serviceNames) = spv || spy
            ? ("0000000000000000", Array.Empty<string>())
            : random.NextDouble() < 0.08
                ? ("0000000000000408", ["WITNESS", "NETWORK_LIMITED"])
                : random.NextDouble() < 0.1
                    ? (offersV2 ? "0000000000000c49" : "0000000000000449", offersV2 ? ["NETWORK", "WITNESS", "COMPACT_FILTERS", "NETWORK_LIMITED", "P2P_V2"] : ["NETWORK", "WITNESS", "COMPACT_FILTERS", "NETWORK_LIMITED"])
                    : (offersV2 ? "0000000000000c09" : "0000000000000409", offersV2 ? ["NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"] : ["NETWORK", "WITNESS", "NETWORK_LIMITED"]);

        var seconds = Math.Max(1, now - connectedAt);
        var relaysTransactions = !blockRelay && !spy;
        // Bytes a second each way: full relay carries transactions (hundreds of bytes to kilobytes a second), block
        // relay only blocks and headers, a spy or wallet almost nothing; a few inbound peers download old blocks.
        var downloader = inbound && !spy && !spv && random.NextDouble() < 0.04;
        var sendRate = blockRelay ? random.Next(15, 90) : spy || spv ? random.Next(1, 20) : random.Next(250, 3_000);
        var receiveRate = blockRelay ? random.Next(10, 60) : spy || spv ? random.Next(1, 8) : random.Next(200, 2_500);
        var bytesSentPerMessage = Messages(random, v2, seconds, sendRate * seconds, relaysTransactions, sending: true, downloader);
        var bytesReceivedPerMessage = Messages(random, v2, seconds, receiveRate * seconds, relaysTransactions, sending: false, downloader: false);

        var latency = network switch
        {
            "onion" => 0.25 + (2.2 * random.NextDouble()),
            "i2p" => 0.4 + (3.5 * random.NextDouble()),
            "cjdns" => 0.05 + (0.45 * random.NextDouble()),
            _ => 0.012 + (0.33 * random.NextDouble()),
        };
        var lastBlock = inbound
            ? random.NextDouble() < 0.06 ? tipTime - (600 * random.Next(0, 30)) + 2 : 0
            : random.NextDouble() < 0.6 ? tipTime + random.Next(1, 5) : tipTime - (600 * random.Next(1, 40)) + 1;
        var synced = spy ? -1 : seconds < 30 ? height - 1 : height;
        var entry = new JsonObject
        {
            ["id"] = id,
            ["addr"] = Address(random, network, inbound),
            ["addrbind"] = BindAddress(random, network, inbound),
        };
        if (!inbound && network is "ipv4" or "ipv6")
        {
            entry["addrlocal"] = network == "ipv4" ? "192.0.2.10:8333" : "[2001:db8:1::20]:8333";
        }

        entry["network"] = network;
        entry["services"] = services;
        entry["servicesnames"] = new JsonArray([.. serviceNames.Select(n => (JsonNode)n)]);
        entry["relaytxes"] = relaysTransactions && !spv;
        entry["last_inv_sequence"] = relaysTransactions ? random.Next(1_000, 90_000) : 0;
        entry["inv_to_send"] = relaysTransactions ? random.Next(0, 40) : 0;
        entry["lastsend"] = now - random.Next(0, 30);
        entry["lastrecv"] = now - random.Next(0, 60);
        entry["last_transaction"] = relaysTransactions && (!inbound || random.NextDouble() < 0.5) ? now - random.Next(0, 300) : 0;
        entry["last_block"] = lastBlock;
        entry["bytessent"] = bytesSentPerMessage.Sum(m => m.Value!.GetValue<long>());
        entry["bytesrecv"] = bytesReceivedPerMessage.Sum(m => m.Value!.GetValue<long>());
        entry["conntime"] = connectedAt;
        entry["timeoffset"] = random.Next(-2, 3);
        if (seconds < 20 && random.NextDouble() < 0.5)
        {
            // Connected a moment ago: the first ping is still out.
            entry["pingwait"] = Math.Round(random.NextDouble() * seconds, 6);
        }
        else
        {
            entry["pingtime"] = Math.Round(latency, 6);
            entry["minping"] = Math.Round(latency * (0.45 + (0.55 * random.NextDouble())), 6);
        }

        entry["version"] = version;
        entry["subver"] = subversion;
        entry["inbound"] = inbound;
        var highBandwidth = !inbound && !blockRelay && highBandwidthTo < 3;
        highBandwidthTo += highBandwidth ? 1 : 0;
        entry["bip152_hb_to"] = highBandwidth;
        entry["bip152_hb_from"] = !spy && !spv && random.NextDouble() < 0.02;
        entry["presynced_headers"] = -1;
        entry["synced_headers"] = synced;
        entry["synced_blocks"] = synced;
        entry["inflight"] = downloader ? new JsonArray(height - random.Next(100_000, 800_000)) : new JsonArray();
        entry["addr_relay_enabled"] = !blockRelay && !spv;
        entry["addr_processed"] = blockRelay || spv ? 0 : seconds / random.Next(20, 60);
        entry["addr_rate_limited"] = blockRelay || spv ? 0 : random.NextDouble() < 0.2 ? seconds / random.Next(200, 2_000) : 0;
        entry["permissions"] = inbound && random.NextDouble() < 0.015 ? new JsonArray("noban", "relay") : new JsonArray();
        entry["minfeefilter"] = relaysTransactions ? Math.Round((random.NextDouble() < 0.7 ? mempoolMinFeeRate : 1) / 100_000, 8) : 0;
        entry["bytessent_per_msg"] = bytesSentPerMessage;
        entry["bytesrecv_per_msg"] = bytesReceivedPerMessage;
        entry["connection_type"] = type;
        entry["transport_protocol_type"] = v2 ? "v2" : "v1";
        entry["session_id"] = v2 ? Convert.ToHexStringLower(Bytes(random, 32)) : "";
        return entry;
    }

    /// <summary>
    /// Bytes by message type adding up to <paramref name="total"/>: the handshake and the pings at their real sizes (a
    /// v2 message carries 16 bytes of tag and a short id where v1 has a 24-byte header), the rest spread over the
    /// relay messages by their usual shares.
    /// </summary>
    private static JsonObject Messages(Random random, bool v2, long seconds, long total, bool relaysTransactions, bool sending, bool downloader)
    {
        var small = v2 ? 33 : 24;
        var pings = Math.Max(1, seconds / 120);
        var fixedSizes = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["ping"] = pings * (v2 ? 29 : 32),
            ["pong"] = pings * (v2 ? 29 : 32),
            ["sendaddrv2"] = small,
            ["sendcmpct"] = v2 ? 30 : 33,
            ["sendheaders"] = small,
            ["verack"] = small,
            ["version"] = v2 ? 136 : 126,
            ["wtxidrelay"] = small,
        };
        if (relaysTransactions)
        {
            fixedSizes["feefilter"] = Math.Max(1, seconds / 600) * (v2 ? 29 : 32);
            if (sending)
            {
                fixedSizes["getaddr"] = small;
            }
        }

        (string Type, double Share)[] relay = relaysTransactions
            ? [("inv", 0.34), ("tx", sending ? 0.30 : 0.36), ("getdata", 0.10), ("cmpctblock", 0.08), ("blocktxn", 0.05), ("headers", 0.03), ("addrv2", 0.04), ("getblocktxn", 0.01), ("notfound", 0.005)]
            : [("cmpctblock", 0.55), ("headers", 0.25), ("blocktxn", 0.15), ("getheaders", 0.05)];
        if (downloader)
        {
            relay = [.. relay, ("block", 6.0)];
        }

        var remaining = Math.Max(0, total - fixedSizes.Values.Sum());
        var shares = relay.Sum(r => r.Share);
        var sizes = new SortedDictionary<string, long>(fixedSizes, StringComparer.Ordinal);
        foreach (var (type, share) in relay)
        {
            var bytes = (long)(remaining * share / shares * (0.8 + (0.4 * random.NextDouble())));
            sizes[type] = sizes.GetValueOrDefault(type) + bytes;
        }

        // getpeerinfo leaves out message types never sent or received.
        return new JsonObject(sizes.Where(s => s.Value > 0).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value)));
    }

    private static string Address(Random random, string network, bool inbound)
    {
        var port = inbound ? random.Next(32_768, 61_000) : 8333;
        return network switch
        {
            // Inbound Tor connections arrive from the local Tor daemon.
            "onion" when inbound => $"127.0.0.1:{port}",
            "onion" => $"{Name(random, 56)}.onion:8333",
            "i2p" => $"{Name(random, 52)}.b32.i2p:0",
            "ipv6" => $"[2001:db8:{random.Next(0x100, 0xffff):x}:{random.Next(0, 0xffff):x}::{random.Next(1, 0xffff):x}]:{port}",
            "cjdns" => $"[fc{random.Next(0, 0xff):x2}:{random.Next(0, 0xffff):x}:{random.Next(0, 0xffff):x}::{random.Next(1, 0xffff):x}]:{port}",
            _ => $"{(random.Next(0, 3) switch { 0 => "192.0.2", 1 => "198.51.100", _ => "203.0.113" })}.{random.Next(1, 255)}:{port}",
        };
    }

    private static string BindAddress(Random random, string network, bool inbound) =>
        network switch
        {
            "onion" => inbound ? "127.0.0.1:8334" : $"127.0.0.1:{random.Next(32_768, 61_000)}",
            "i2p" => "nodehelpersimulatedi2pdestinationaddressforthisnode.b32.i2p:0",
            "ipv6" or "cjdns" => inbound ? "[2001:db8:1::20]:8333" : $"[2001:db8:1::20]:{random.Next(32_768, 61_000)}",
            _ => inbound ? "192.168.1.20:8333" : $"192.168.1.20:{random.Next(32_768, 61_000)}",
        };

    private static string Name(Random random, int length) =>
        string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Base32[r.Next(Base32.Length)];
            }
        });

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, (T Value, double Share)[] choices)
    {
        var x = random.NextDouble() * choices.Sum(c => c.Share);
        foreach (var (value, share) in choices)
        {
            x -= share;
            if (x < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }
}
