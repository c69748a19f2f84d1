using System.Text.Json;
using System.Text.Json.Serialization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using static NodeHelper.Core.Upstreams.FieldCheck;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

// The fields of bitcoind's answers that the collector reads, named exactly as bitcoind names them. Peers and chain
// tips, most of a mainnet answer, are read by hand (PeerListReader, ChainTipListReader); the rest by the serialiser.
// Fields that older versions lack are nullable: an absent field means an absent series, never a 0.
// Amounts are decimal so that BTC values convert to satoshis exactly.
// Each record's Problem() says what in a well-formed answer is absurd for its field, or null: the parser then
// leaves that method's part out (its bitcoind_rpc_call_success is 0) instead of exporting it or failing the rest.

internal sealed record BlockchainInfo(
    [property: JsonPropertyName("chain")] string Chain,
    [property: JsonPropertyName("blocks")] long Blocks,
    [property: JsonPropertyName("headers")] long Headers,
    [property: JsonPropertyName("bestblockhash")] string BestBlockHash,
    [property: JsonPropertyName("difficulty")] double Difficulty,
    [property: JsonPropertyName("mediantime")] long MedianTime,
    [property: JsonPropertyName("verificationprogress")] double VerificationProgress,
    [property: JsonPropertyName("initialblockdownload")] bool InitialBlockDownload,
    [property: JsonPropertyName("size_on_disk")] long SizeOnDisk,
    [property: JsonPropertyName("pruned")] bool Pruned,
    [property: JsonPropertyName("warnings"), JsonConverter(typeof(WarningCountConverter))] int Warnings,
    [property: JsonPropertyName("time")] long? Time = null,
    [property: JsonPropertyName("pruneheight")] long? PruneHeight = null,
    [property: JsonPropertyName("automatic_pruning")] bool? AutomaticPruning = null,
    [property: JsonPropertyName("prune_target_size")] long? PruneTargetSize = null)
{
    public string? Problem() => First(
        Chain.Length == 0 ? "chain is empty" : null,
        NotNegative(Blocks, "blocks"),
        NotNegative(Headers, "headers"),
        NotNegative(Difficulty, "difficulty"),
        NotNegative(MedianTime, "mediantime"),
        Ratio(VerificationProgress, "verificationprogress"),
        NotNegative(SizeOnDisk, "size_on_disk"),
        NotNegative(Time, "time"),
        NotNegative(PruneHeight, "pruneheight"),
        NotNegative(PruneTargetSize, "prune_target_size"));
}

internal sealed record NetworkInfo(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("subversion")] string Subversion,
    [property: JsonPropertyName("protocolversion")] int ProtocolVersion,
    [property: JsonPropertyName("timeoffset")] long TimeOffset,
    [property: JsonPropertyName("networkactive")] bool NetworkActive,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("networks")] IReadOnlyList<NetworkReachability> Networks,
    [property: JsonPropertyName("relayfee")] decimal RelayFee,
    [property: JsonPropertyName("connections_in")] int? ConnectionsIn = null,
    [property: JsonPropertyName("connections_out")] int? ConnectionsOut = null)
{
    public string? Problem()
    {
        if (NoNulls(Networks, "networks") is { } nulls)
        {
            return nulls;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in Networks)
        {
            // A network listed twice would be two series of one label set: Prometheus silently drops one.
            if (!names.Add(LabelValue.Clip(network.Name)))
            {
                return $"networks lists {UpstreamException.Clip(network.Name, 40)} twice";
            }
        }

        return First(
            Networks.Count > LabelValue.MaxDistinct ? $"networks lists {Networks.Count} networks" : null,
            NotNegative(Connections, "connections"),
            NotNegative(ConnectionsIn, "connections_in"),
            NotNegative(ConnectionsOut, "connections_out"),
            Btc(RelayFee, "relayfee"));
    }
}

internal sealed record NetworkReachability(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("limited")] bool Limited,
    [property: JsonPropertyName("reachable")] bool Reachable);

internal sealed record MempoolInfo(
    [property: JsonPropertyName("loaded")] bool Loaded,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("usage")] long Usage,
    [property: JsonPropertyName("maxmempool")] long MaxMempool,
    [property: JsonPropertyName("mempoolminfee")] decimal MempoolMinFee,
    [property: JsonPropertyName("minrelaytxfee")] decimal MinRelayTxFee,
    [property: JsonPropertyName("total_fee")] decimal? TotalFee = null,
    [property: JsonPropertyName("incrementalrelayfee")] decimal? IncrementalRelayFee = null,
    [property: JsonPropertyName("unbroadcastcount")] long? UnbroadcastCount = null)
{
    public string? Problem() => First(
        NotNegative(Size, "size"),
        NotNegative(Bytes, "bytes"),
        NotNegative(Usage, "usage"),
        NotNegative(MaxMempool, "maxmempool"),
        Btc(MempoolMinFee, "mempoolminfee"),
        Btc(MinRelayTxFee, "minrelaytxfee"),
        Btc(TotalFee, "total_fee"),
        Btc(IncrementalRelayFee, "incrementalrelayfee"),
        NotNegative(UnbroadcastCount, "unbroadcastcount"));
}

/// <summary>A peer of getpeerinfo, read by <see cref="PeerListReader"/>.</summary>
internal sealed record PeerInfo(
    long Id,
    bool Inbound,
    string? Network = null,
    string? ConnectionType = null,
    string? TransportProtocolType = null,
    double? PingTime = null,
    long? LastBlock = null)
{
    /// <summary>An empty list is a node without peers, a state like any other.</summary>
    public static string? Problem(IReadOnlyList<PeerInfo> peers)
    {
        if (NoNulls(peers, "the peer list") is { } nulls)
        {
            return nulls;
        }

        foreach (var peer in peers)
        {
            if (First(NotNegative(peer.PingTime, "pingtime"), NotNegative(peer.LastBlock, "last_block")) is { } problem)
            {
                return $"peer {peer.Id}: {problem}";
            }
        }

        return null;
    }
}

internal sealed record NetTotals(
    [property: JsonPropertyName("totalbytesrecv")] long TotalBytesReceived,
    [property: JsonPropertyName("totalbytessent")] long TotalBytesSent)
{
    public string? Problem() => First(NotNegative(TotalBytesReceived, "totalbytesrecv"), NotNegative(TotalBytesSent, "totalbytessent"));
}

internal sealed record RpcInfo(
    [property: JsonPropertyName("active_commands")] IReadOnlyList<ActiveCommand> ActiveCommands)
{
    public string? Problem() =>
        NoNulls(ActiveCommands, "active_commands") ?? ActiveCommands.Select(c => NotNegative(c.DurationMicroseconds, "active_commands[].duration")).FirstOrDefault(p => p is not null);
}

internal sealed record ActiveCommand(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("duration")] long DurationMicroseconds);

/// <summary>A tip of getchaintips, read by <see cref="ChainTipListReader"/>. Its hash is not read: hundreds of tips would be hundreds of 64-character strings a scrape, for nothing.</summary>
internal sealed record ChainTip(long Height, long BranchLength, string Status)
{
    public static string? Problem(IReadOnlyList<ChainTip> tips) =>
        NoNulls(tips, "the tip list") ?? tips.Select(t => First(NotNegative(t.Height, "height"), NotNegative(t.BranchLength, "branchlen"))).FirstOrDefault(p => p is not null);
}

internal sealed record IndexStatus(
    [property: JsonPropertyName("synced")] bool Synced,
    [property: JsonPropertyName("best_block_height")] long BestBlockHeight)
{
    /// <summary>Index names become label values: at most <see cref="LabelValue.MaxDistinct"/>, and distinct once clipped.</summary>
    public static string? Problem(IReadOnlyDictionary<string, IndexStatus> indexes)
    {
        if (indexes.Count > LabelValue.MaxDistinct)
        {
            return $"it lists {indexes.Count} indexes";
        }

        if (NoNulls(indexes.Values, "an index") is { } nulls)
        {
            return nulls;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, status) in indexes)
        {
            if (!names.Add(LabelValue.Clip(name)))
            {
                return $"two index names are the same in their first {LabelValue.MaxLength} characters";
            }

            if (NotNegative(status.BestBlockHeight, $"{UpstreamException.Clip(name, 40)}.best_block_height") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}

internal sealed record ChainTxStats(
    [property: JsonPropertyName("txcount")] long TxCount,
    [property: JsonPropertyName("txrate")] double? TxRate = null)
{
    public string? Problem() => First(NotNegative(TxCount, "txcount"), NotNegative(TxRate, "txrate"));
}

internal sealed record MiningInfo(
    [property: JsonPropertyName("networkhashps")] double NetworkHashPerSecond)
{
    public string? Problem() => NotNegative(NetworkHashPerSecond, "networkhashps");
}

internal sealed record FeeEstimate(
    [property: JsonPropertyName("blocks")] int Blocks,
    [property: JsonPropertyName("feerate")] decimal? FeeRate = null,
    [property: JsonPropertyName("errors")] IReadOnlyList<string>? Errors = null)
{
    public string? Problem() => First(Btc(FeeRate, "feerate"), NotNegative(Blocks, "blocks"));
}

internal sealed record BlockStats(
    [property: JsonPropertyName("blockhash")] string BlockHash,
    [property: JsonPropertyName("height")] long Height,
    [property: JsonPropertyName("txs")] long Transactions,
    [property: JsonPropertyName("total_size")] long TotalSize,
    [property: JsonPropertyName("total_weight")] long TotalWeight,
    [property: JsonPropertyName("totalfee")] long TotalFee,
    [property: JsonPropertyName("subsidy")] long Subsidy,
    [property: JsonPropertyName("feerate_percentiles")] IReadOnlyList<double> FeeRatePercentiles)
{
    public string? Problem() => First(
        NotNegative(Height, "height"),
        NotNegative(Transactions, "txs"),
        NotNegative(TotalSize, "total_size"),
        NotNegative(TotalWeight, "total_weight"),
        NotNegative(TotalFee, "totalfee"),
        NotNegative(Subsidy, "subsidy"),
        FeeRatePercentiles.Select(p => NotNegative(p, "feerate_percentiles[]")).FirstOrDefault(p => p is not null));
}

/// <summary>Source-generated serialisation: no reflection, so the exporter can be published NativeAOT.</summary>
[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BlockchainInfo))]
[JsonSerializable(typeof(NetworkInfo))]
[JsonSerializable(typeof(MempoolInfo))]
[JsonSerializable(typeof(NetTotals))]
[JsonSerializable(typeof(RpcInfo))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, IndexStatus>))]
[JsonSerializable(typeof(ChainTxStats))]
[JsonSerializable(typeof(MiningInfo))]
[JsonSerializable(typeof(FeeEstimate))]
[JsonSerializable(typeof(BlockStats))]
internal sealed partial class BitcoindJsonContext : JsonSerializerContext;
