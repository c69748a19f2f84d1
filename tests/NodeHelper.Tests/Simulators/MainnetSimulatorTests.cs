using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NodeHelper.Simulators;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Mainnet;
using NodeHelper.Simulators.Mempool;

namespace NodeHelper.Tests.Simulators;

/// <summary>
/// The mainnet-sized simulators themselves: answers as big and varied as a real node's, every view of the one mempool
/// agreeing (bitcoind, the Electrum server, the mempool backend), a block's stats adding up as Bitcoin Core's do;
/// and the default simulator still the regtest capture, answer for answer.
/// </summary>
public sealed class MainnetSimulatorTests
{
    private static readonly MainnetProfile Profile = new();

    private static async Task<JsonNode> CallAsync(BitcoindSimulator bitcoind, string method, params JsonNode[] parameters)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = bitcoind.CurrentAuthorization();
        var request = new JsonObject { ["jsonrpc"] = "1.0", ["id"] = 1, ["method"] = method, ["params"] = new JsonArray(parameters) };
        using var response = await http.PostAsync(bitcoind.Url, new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["result"]!;
    }

    [Fact]
    public async Task MainnetPeersCarryEveryFieldOfARealEntryWithVariedValues()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = Profile });

        var peers = (await CallAsync(bitcoind, "getpeerinfo")).AsArray().Select(p => p!.AsObject()).ToList();

        peers.Should().HaveCount(125);
        var capturedKeys = JsonNode.Parse(Fixtures.Read("bitcoind/getpeerinfo.json"))!["result"]![0]!.AsObject().Select(p => p.Key)
            .Except(["pingtime", "minping"]).ToList();
        foreach (var peer in peers)
        {
            peer.Select(p => p.Key).Should().Contain(capturedKeys, "a generated peer has every field a real one has");
            peer["bytessent"]!.GetValue<long>().Should().Be(peer["bytessent_per_msg"]!.AsObject().Sum(m => m.Value!.GetValue<long>()));
            peer["bytesrecv"]!.GetValue<long>().Should().Be(peer["bytesrecv_per_msg"]!.AsObject().Sum(m => m.Value!.GetValue<long>()));
            peer["inbound"]!.GetValue<bool>().Should().Be(peer["connection_type"]!.GetValue<string>() == "inbound");
            (peer["session_id"]!.GetValue<string>().Length == 64).Should().Be(peer["transport_protocol_type"]!.GetValue<string>() == "v2");
        }

        peers.Select(p => p["id"]!.GetValue<long>()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        peers.Select(p => p["addr"]!.GetValue<string>()).Distinct().Should().HaveCountGreaterThan(100, "peers come from many addresses");
        peers.Select(p => p["subver"]!.GetValue<string>()).Distinct().Should().HaveCountGreaterThan(6);
        peers.Select(p => p["network"]!.GetValue<string>()).Distinct().Should().BeEquivalentTo(["ipv4", "ipv6", "onion", "i2p", "cjdns"]);
        peers.Where(p => p["connection_type"]!.GetValue<string>() == "block-relay-only").Should().OnlyContain(p => !p["relaytxes"]!.GetValue<bool>());
        var json = (await CallAsync(bitcoind, "getpeerinfo")).ToJsonString();
        (json.Length / 125).Should().BeInRange(1200, 4000, "an entry is one to a few kilobytes, as on a real node");
    }

    [Fact]
    public async Task EveryViewOfTheMempoolAgrees()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = Profile });
        await using var electrum = await ElectrumSimulator.StartAsync(new ElectrumSimulatorOptions { Mainnet = Profile });
        await using var mempool = await MempoolSimulator.StartAsync(new MempoolSimulatorOptions { Mainnet = Profile });
        using var http = new HttpClient();

        var info = await CallAsync(bitcoind, "getmempoolinfo");
        var backend = JsonNode.Parse(await http.GetStringAsync(new Uri(mempool.Url, "mempool")))!;
        var blocks = JsonNode.Parse(await http.GetStringAsync(new Uri(mempool.Url, "fees/mempool-blocks")))!.AsArray();
        var init = JsonNode.Parse(await http.GetStringAsync(new Uri(mempool.Url, "init-data")))!;
        var histogram = (await ElectrumAsync(electrum, "mempool.get_fee_histogram")).AsArray();

        var size = info["size"]!.GetValue<long>();
        var vsize = info["bytes"]!.GetValue<long>();
        size.Should().Be(150_000);
        info["usage"]!.GetValue<long>().Should().BeLessThanOrEqualTo(info["maxmempool"]!.GetValue<long>()).And.BeGreaterThan(vsize, "memory holds more than the virtual sizes");
        (vsize / size).Should().BeInRange(200, 1500, "average virtual sizes of mainnet transactions");
        backend["count"]!.GetValue<long>().Should().Be(size);
        backend["vsize"]!.GetValue<long>().Should().Be(vsize);
        backend["total_fee"]!.GetValue<long>().Should().Be((long)(info["total_fee"]!.GetValue<decimal>() * 100_000_000m));
        init["mempoolInfo"]!["size"]!.GetValue<long>().Should().Be(size);

        blocks.Should().HaveCount(8);
        blocks.Sum(b => b!["nTx"]!.GetValue<long>()).Should().Be(size);
        blocks.Sum(b => b!["blockVSize"]!.GetValue<long>()).Should().Be(vsize);
        blocks.Take(7).Should().OnlyContain(b => b!["blockVSize"]!.GetValue<long>() <= 1_000_000 && b["blockVSize"]!.GetValue<long>() > 990_000);
        blocks.Select(b => b!["medianFee"]!.GetValue<double>()).Should().BeInDescendingOrder();

        histogram.Count.Should().BeGreaterThan(40, "a 300 MB mempool's histogram is long");
        histogram.Sum(b => b![1]!.GetValue<long>()).Should().Be(vsize);
        histogram.Select(b => b![0]!.GetValue<double>()).Should().BeInDescendingOrder();
        histogram[^1]![0]!.GetValue<double>().Should().BeGreaterThanOrEqualTo(info["mempoolminfee"]!.GetValue<double>() * 100_000, "nothing below the minimum fee is left");
        backend["fee_histogram"]!.AsArray().Should().HaveCount(histogram.Count);
    }

    [Fact]
    public async Task TheLatestBlockIsFourMegabytesAndItsStatsAddUp()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = Profile });

        var stats = await CallAsync(bitcoind, "getblockstats", JsonValue.Create(BitcoindResponder.HashAt(925_000)));
        long Field(string name) => stats[name]!.GetValue<long>();

        Field("height").Should().Be(925_000);
        Field("txs").Should().Be(3_500);
        (Field("total_weight") + MainnetBlock.CoinbaseWeight).Should().Be(3_993_000);
        Field("total_size").Should().BeInRange(Field("total_weight") / 4, Field("total_weight"));
        Field("avgfeerate").Should().Be(Field("totalfee") * 4 / Field("total_weight"));
        Field("avgfee").Should().Be(Field("totalfee") / 3_499);
        Field("subsidy").Should().Be(312_500_000);
        Field("swtotal_weight").Should().BeLessThan(Field("total_weight"));
        Field("minfeerate").Should().BeLessThanOrEqualTo(Field("maxfeerate"));
        var (lowest, highest) = (Field("minfeerate"), Field("maxfeerate"));
        stats["feerate_percentiles"]!.AsArray().Select(p => p!.GetValue<long>()).Should().HaveCount(5).And.BeInAscendingOrder()
            .And.OnlyContain(p => p >= lowest && p <= highest);
    }

    [Fact]
    public async Task ChainTipsAreYearsOfStaleBlocksEachWithItsOwnHash()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Mainnet = Profile });

        var tips = (await CallAsync(bitcoind, "getchaintips")).AsArray().Select(t => t!).ToList();

        tips.Should().HaveCount(400);
        tips.Select(t => t["hash"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
        tips.Single(t => t["status"]!.GetValue<string>() == "active")["height"]!.GetValue<long>().Should().Be(925_000);
        tips.Select(t => t["status"]!.GetValue<string>()).Distinct().Should().BeEquivalentTo(["active", "valid-fork", "valid-headers", "headers-only", "invalid"]);
        tips.Where(t => t["status"]!.GetValue<string>() != "active").Should().OnlyContain(t => t["branchlen"]!.GetValue<long>() >= 1 && t["height"]!.GetValue<long>() < 925_000);
        (tips.Max(t => t["height"]!.GetValue<long>()) - tips.Min(t => t["height"]!.GetValue<long>())).Should().BeGreaterThan(100_000, "tips gathered over years");
    }

    [Fact]
    public async Task TheDefaultSimulatorIsStillTheRegtestCapture()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();

        foreach (var method in new[] { "getblockchaininfo", "getnetworkinfo", "getmempoolinfo", "getchaintips", "getmininginfo", "getchaintxstats" })
        {
            var captured = JsonNode.Parse(Fixtures.Read($"bitcoind/{method}.json"))!["result"];
            JsonNode.DeepEquals(await CallAsync(bitcoind, method), captured).Should().BeTrue(method);
        }

        var peers = (await CallAsync(bitcoind, "getpeerinfo")).AsArray();
        var capturedPeers = JsonNode.Parse(Fixtures.Read("bitcoind/getpeerinfo.json"))!["result"]!.AsArray();
        peers.Should().HaveCount(2);
        for (var i = 0; i < 2; i++)
        {
            // synced_blocks follows the state's height; every other field is the capture's.
            var expected = capturedPeers[i]!.DeepClone();
            expected["synced_blocks"] = 150;
            JsonNode.DeepEquals(peers[i], expected).Should().BeTrue($"peer {i}");
        }

        var stats = await CallAsync(bitcoind, "getblockstats", JsonValue.Create(BitcoindResponder.HashAt(150)));
        JsonNode.DeepEquals(stats, JsonNode.Parse(Fixtures.Read("bitcoind/getblockstats.json"))!["result"]).Should().BeTrue();
    }

    private static async Task<JsonNode> ElectrumAsync(ElectrumSimulator electrum, string method)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(electrum.Host, electrum.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"method":"{{method}}","params":[]}""" + "\n"));
        using var reader = new StreamReader(stream);
        return JsonNode.Parse((await reader.ReadLineAsync())!)!["result"]!;
    }
}
