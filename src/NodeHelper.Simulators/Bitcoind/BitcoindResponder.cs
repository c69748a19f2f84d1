using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>
/// Answers one JSON-RPC call from the captured responses, with the parts that <see cref="BitcoindState"/> scripts
/// (height, headers, IBD, peers, mempool, fees) written over them. Knows nothing of HTTP.
/// </summary>
public sealed class BitcoindResponder(BitcoindState state)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonNode> CapturedResults = new();

    // Declared after the cache above: static fields initialise in order.
    private static readonly string CapturedBestHash = Captured("getbestblockhash").GetValue<string>();

    public BitcoindState State => state;

    /// <summary>The block hash the simulator reports for a height: the captured one at 150, a stable made-up one elsewhere.</summary>
    public static string HashAt(long height) =>
        height == BitcoindState.CapturedHeight
            ? CapturedBestHash
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"nodehelper-simulated-block-{height}")));

    public (JsonNode? Result, RpcFailure? Error) Answer(string method, JsonArray? parameters)
    {
        if (state.Fault == BitcoindFault.WarmingUp)
        {
            return (null, new RpcFailure(-28, state.WarmupMessage));
        }

        var (result, error) = Compute(method, parameters);
        if (error is null && result is JsonObject fields && state.Overlays.TryGetValue(method, out var overlay))
        {
            foreach (var (name, value) in overlay)
            {
                fields[name] = value?.DeepClone();
            }
        }

        return error is null && state.Rewrites.TryGetValue(method, out var rewrite) ? (rewrite(result), null) : (result, error);
    }

    private (JsonNode? Result, RpcFailure? Error) Compute(string method, JsonArray? parameters) =>
        method switch
        {
            "getblockchaininfo" => (BlockchainInfo(), null),
            "getblockcount" => (JsonValue.Create(state.Blocks), null),
            "getbestblockhash" => (JsonValue.Create(HashAt(state.Blocks)), null),
            "getnetworkinfo" => (NetworkInfo(), null),
            "getpeerinfo" => (PeerInfo(), null),
            "getmempoolinfo" => (MempoolInfo(), null),
            "getnettotals" => (NetTotals(), null),
            "uptime" => (JsonValue.Create(state.UptimeSeconds), null),
            "getchaintips" => (ChainTips(), null),
            "getindexinfo" => (IndexInfo(), null),
            "getmininginfo" => (MiningInfo(), null),
            "estimatesmartfee" => EstimateSmartFee(parameters),
            "getblockstats" => BlockStats(parameters),
            "listbanned" or "getrpcinfo" or "getchaintxstats" or "getdeploymentinfo" or "getmemoryinfo"
                or "getnetworkhashps" or "getblockheader" => (Captured(method), null),
            "getrawmempool" => (Captured("getrawmempool-verbose"), null),
            _ => (null, RpcFailure.MethodNotFound),
        };

    /// <summary>A fresh copy of a captured result (parsed once, copied per answer so state can be written over it).</summary>
    private static JsonNode Captured(string name) =>
        CapturedResults.GetOrAdd(name, n => JsonNode.Parse(Fixtures.Read($"bitcoind/{n}.json"))!["result"]!).DeepClone();

    private JsonNode BlockchainInfo()
    {
        var info = Captured(state.Pruned ? "getblockchaininfo-pruned" : "getblockchaininfo");
        info["chain"] = state.Chain;
        info["blocks"] = state.Blocks;
        info["headers"] = state.Headers;
        info["bestblockhash"] = HashAt(state.Blocks);
        info["time"] = state.BestBlockTime;
        info["mediantime"] = state.BestBlockTime - 1;
        info["verificationprogress"] = state.VerificationProgress;
        info["initialblockdownload"] = state.InitialBlockDownload;
        info["warnings"] = Warnings();
        return info;
    }

    private JsonArray Warnings() => [.. state.Warnings.Select(w => (JsonNode)JsonValue.Create(w))];

    private JsonNode NetworkInfo()
    {
        var info = Captured("getnetworkinfo");
        var inbound = state.Peers.Count(p => p.ConnectionType == "inbound");
        info["connections"] = state.Peers.Count;
        info["connections_in"] = inbound;
        info["connections_out"] = state.Peers.Count - inbound;
        if (state.ReachableNetworks is { } reachable)
        {
            foreach (var network in info["networks"]!.AsArray())
            {
                var on = reachable.Contains(network!["name"]!.GetValue<string>());
                network["reachable"] = on;
                network["limited"] = !on;
            }
        }

        info["warnings"] = Warnings();
        return info;
    }

    private JsonArray PeerInfo()
    {
        var captured = Captured("getpeerinfo").AsArray();
        var peers = new JsonArray();
        for (var i = 0; i < state.Peers.Count; i++)
        {
            var spec = state.Peers[i];
            if (spec.Entry is { } entry)
            {
                // A generated mainnet peer: its own entry, served as it is (a node over the parsed entry, written out as it is, not a copy of its fields per answer).
                peers.Add(JsonObject.Create(entry));
                continue;
            }

            var peer = captured[i % captured.Count]!.DeepClone();
            peer["id"] = i;
            peer["network"] = spec.Network;
            peer["inbound"] = spec.ConnectionType == "inbound";
            peer["connection_type"] = spec.ConnectionType;
            peer["transport_protocol_type"] = spec.Transport;
            peer["pingtime"] = spec.PingSeconds;
            peer["minping"] = spec.PingSeconds;
            peer["last_block"] = spec.LastBlockTime;
            peer["synced_blocks"] = state.Blocks;
            peers.Add(peer);
        }

        return peers;
    }

    private JsonNode MempoolInfo()
    {
        var info = Captured("getmempoolinfo");
        info["size"] = state.MempoolTransactions;
        info["bytes"] = state.MempoolVsizeBytes;
        info["usage"] = state.MempoolUsageBytes;
        info["total_fee"] = state.MempoolTotalFeeBtc;
        info["mempoolminfee"] = state.MempoolMinFeeBtcPerKvb;
        return info;
    }

    private JsonNode NetTotals()
    {
        var totals = Captured("getnettotals");
        totals["totalbytesrecv"] = state.BytesReceived;
        totals["totalbytessent"] = state.BytesSent;
        return totals;
    }

    private JsonArray ChainTips()
    {
        var tips = new JsonArray
        {
            new JsonObject { ["height"] = state.Blocks, ["hash"] = HashAt(state.Blocks), ["branchlen"] = 0, ["status"] = "active" },
        };
        foreach (var (status, branchLength) in state.OtherChainTips)
        {
            var height = state.Blocks - 1;
            tips.Add(new JsonObject
            {
                ["height"] = height,
                ["hash"] = HashAt(-height - branchLength),
                ["branchlen"] = branchLength,
                ["status"] = status,
            });
        }

        foreach (var tip in state.PastChainTips)
        {
            tips.Add(new JsonObject
            {
                ["height"] = tip.Height,
                ["hash"] = HashAt(-(tip.Height * 8) - tip.BranchLength),
                ["branchlen"] = tip.BranchLength,
                ["status"] = tip.Status,
            });
        }

        return tips;
    }

    private JsonObject IndexInfo()
    {
        var info = Captured("getindexinfo").AsObject();
        foreach (var (_, index) in info)
        {
            index!["synced"] = state.IndexesSynced;
            index["best_block_height"] = state.IndexesSynced ? state.Blocks : Math.Max(0, state.Blocks - 10);
        }

        return info;
    }

    private JsonNode MiningInfo()
    {
        var info = Captured("getmininginfo");
        info["blocks"] = state.Blocks;
        info["pooledtx"] = state.MempoolTransactions;
        info["chain"] = state.Chain;
        return info;
    }

    private (JsonNode?, RpcFailure?) EstimateSmartFee(JsonArray? parameters)
    {
        if (parameters is not [JsonValue target, ..] || !target.TryGetValue<int>(out var blocks))
        {
            return (null, new RpcFailure(-3, "Expected type number for conf_target, got " + (parameters?.Count > 0 ? "string" : "null")));
        }

        if (blocks is < 1 or > 1008)
        {
            return (null, new RpcFailure(-8, "Invalid conf_target, must be between 1 and 1008"));
        }

        if (state.FeeRates.TryGetValue(blocks, out var rate))
        {
            return (new JsonObject { ["feerate"] = rate, ["blocks"] = blocks }, null);
        }

        // As captured: too little history gives errors and no feerate at all.
        return (new JsonObject { ["errors"] = new JsonArray("Insufficient data or no feerate found"), ["blocks"] = 1 }, null);
    }

    private (JsonNode?, RpcFailure?) BlockStats(JsonArray? parameters)
    {
        long height;
        if (parameters is [JsonValue hashOrHeight, ..] && hashOrHeight.TryGetValue<string>(out var hash))
        {
            if (hash.Length != 64)
            {
                return (null, new RpcFailure(-8, $"hash_or_height must be of length 64 (not {hash.Length}, for '{hash}')"));
            }

            // Only recent blocks are looked up: the exporter asks for the tip's stats, nothing older.
            height = -1;
            for (var h = state.Blocks; h >= Math.Max(0, state.Blocks - 1000) && height < 0; h--)
            {
                height = HashAt(h) == hash ? h : -1;
            }

            if (height < 0)
            {
                return (null, new RpcFailure(-5, "Block not found"));
            }
        }
        else if (parameters is [JsonValue number, ..] && number.TryGetValue<long>(out height))
        {
            if (height < 0 || height > state.Blocks)
            {
                return (null, new RpcFailure(-8, $"Target block height {height} after current tip {state.Blocks}"));
            }
        }
        else
        {
            return (null, new RpcFailure(-8, "hash_or_height is missing"));
        }

        var stats = Captured("getblockstats");
        stats["height"] = height;
        stats["blockhash"] = HashAt(height);
        return (stats, null);
    }
}
