using System.Text.Json.Serialization;
using static NodeHelper.Core.Upstreams.FieldCheck;

namespace NodeHelper.Exporter.Upstreams.Lnd;

// The fields of LND's REST answers (lnrpc/lightning.swagger.json, lnrpc/stateservice.swagger.json) that the collector
// reads, named as LND's protojson names them. int64/uint64 arrive as JSON strings ("50000"), int32/uint32 as numbers,
// enums as their names; a field an older LND does not send is its default, one a newer LND adds is ignored.
// Problem() says what in a well-formed answer is absurd for its field, or null.

/// <summary>GET /v1/state (no macaroon): the wallet's state, e.g. LOCKED, RPC_ACTIVE, SERVER_ACTIVE.</summary>
internal sealed record LndGetStateResponse([property: JsonPropertyName("state")] string State = "")
{
    public string? Problem() => State.Length == 0 ? "state is empty" : null;
}

/// <summary>GET /v1/getinfo.</summary>
internal sealed record LndInfo(
    [property: JsonPropertyName("version")] string Version = "",
    [property: JsonPropertyName("commit_hash")] string CommitHash = "",
    [property: JsonPropertyName("num_pending_channels")] long PendingChannels = 0,
    [property: JsonPropertyName("num_active_channels")] long ActiveChannels = 0,
    [property: JsonPropertyName("num_inactive_channels")] long InactiveChannels = 0,
    [property: JsonPropertyName("num_peers")] long Peers = 0,
    [property: JsonPropertyName("block_height")] long BlockHeight = 0,
    [property: JsonPropertyName("best_header_timestamp")] long BestHeaderTimestamp = 0,
    [property: JsonPropertyName("synced_to_chain")] bool SyncedToChain = false,
    [property: JsonPropertyName("synced_to_graph")] bool SyncedToGraph = false)
{
    public string? Problem() => First(
        NotNegative(PendingChannels, "num_pending_channels"),
        NotNegative(ActiveChannels, "num_active_channels"),
        NotNegative(InactiveChannels, "num_inactive_channels"),
        NotNegative(Peers, "num_peers"),
        NotNegative(BlockHeight, "block_height"),
        NotNegative(BestHeaderTimestamp, "best_header_timestamp"));
}

/// <summary>An amount as lnrpc.Amount: sat and msat, both uint64 strings.</summary>
internal sealed record LndAmount([property: JsonPropertyName("sat")] long Sat = 0, [property: JsonPropertyName("msat")] long Msat = 0)
{
    public string? Problem(string field) => First(NotNegative(Sat, field + ".sat"), NotNegative(Msat, field + ".msat"));
}

/// <summary>GET /v1/balance/channels.</summary>
internal sealed record LndChannelBalance(
    [property: JsonPropertyName("local_balance")] LndAmount? Local = null,
    [property: JsonPropertyName("remote_balance")] LndAmount? Remote = null,
    [property: JsonPropertyName("unsettled_local_balance")] LndAmount? UnsettledLocal = null,
    [property: JsonPropertyName("unsettled_remote_balance")] LndAmount? UnsettledRemote = null,
    [property: JsonPropertyName("pending_open_local_balance")] LndAmount? PendingOpenLocal = null,
    [property: JsonPropertyName("pending_open_remote_balance")] LndAmount? PendingOpenRemote = null)
{
    public string? Problem() => First(
        Local?.Problem("local_balance"), Remote?.Problem("remote_balance"), UnsettledLocal?.Problem("unsettled_local_balance"),
        UnsettledRemote?.Problem("unsettled_remote_balance"), PendingOpenLocal?.Problem("pending_open_local_balance"),
        PendingOpenRemote?.Problem("pending_open_remote_balance"));
}

/// <summary>GET /v1/balance/blockchain, in satoshis.</summary>
internal sealed record LndWalletBalance(
    [property: JsonPropertyName("total_balance")] long Total = 0,
    [property: JsonPropertyName("confirmed_balance")] long Confirmed = 0,
    [property: JsonPropertyName("unconfirmed_balance")] long Unconfirmed = 0,
    [property: JsonPropertyName("locked_balance")] long Locked = 0,
    [property: JsonPropertyName("reserved_balance_anchor_chan")] long AnchorReserve = 0)
{
    public string? Problem() => First(
        NotNegative(Total, "total_balance"), NotNegative(Confirmed, "confirmed_balance"), NotNegative(Unconfirmed, "unconfirmed_balance"),
        NotNegative(Locked, "locked_balance"), NotNegative(AnchorReserve, "reserved_balance_anchor_chan"));
}

/// <summary>An HTLC of a channel (GET /v1/channels): expiration_height is a uint32 number.</summary>
internal sealed record LndHtlc(
    [property: JsonPropertyName("incoming")] bool Incoming = false,
    [property: JsonPropertyName("amount")] long Amount = 0,
    [property: JsonPropertyName("expiration_height")] long ExpirationHeight = 0)
{
    public string? Problem() => First(NotNegative(Amount, "pending_htlcs.amount"), NotNegative(ExpirationHeight, "pending_htlcs.expiration_height"));
}

/// <summary>An open channel (GET /v1/channels). chan_id is a uint64 string: kept as text, it is a label.</summary>
internal sealed record LndChannel(
    [property: JsonPropertyName("chan_id")] string ChannelId = "",
    [property: JsonPropertyName("active")] bool Active = false,
    [property: JsonPropertyName("capacity")] long Capacity = 0,
    [property: JsonPropertyName("local_balance")] long LocalBalance = 0,
    [property: JsonPropertyName("remote_balance")] long RemoteBalance = 0,
    [property: JsonPropertyName("unsettled_balance")] long UnsettledBalance = 0,
    [property: JsonPropertyName("pending_htlcs")] IReadOnlyList<LndHtlc>? PendingHtlcs = null)
{
    public string? Problem() => First(
        NotNegative(Capacity, "capacity"), NotNegative(LocalBalance, "local_balance"), NotNegative(RemoteBalance, "remote_balance"),
        NotNegative(UnsettledBalance, "unsettled_balance"), PendingHtlcs?.Select(h => h.Problem()).FirstOrDefault(p => p is not null));
}

internal sealed record LndChannels([property: JsonPropertyName("channels")] IReadOnlyList<LndChannel>? Channels = null)
{
    public string? Problem() => Channels?.Select(c => c.Problem()).FirstOrDefault(p => p is not null);
}

/// <summary>An HTLC of a force-closed channel waiting to be swept: blocks_til_maturity is an int32 number (negative once matured).</summary>
internal sealed record LndPendingHtlc(
    [property: JsonPropertyName("incoming")] bool Incoming = false,
    [property: JsonPropertyName("amount")] long Amount = 0,
    [property: JsonPropertyName("maturity_height")] long MaturityHeight = 0,
    [property: JsonPropertyName("blocks_til_maturity")] long BlocksTilMaturity = 0)
{
    public string? Problem() => NotNegative(Amount, "pending_htlcs.amount");
}

internal sealed record LndForceClosing(
    [property: JsonPropertyName("limbo_balance")] long LimboBalance = 0,
    [property: JsonPropertyName("maturity_height")] long MaturityHeight = 0,
    [property: JsonPropertyName("blocks_til_maturity")] long BlocksTilMaturity = 0,
    [property: JsonPropertyName("pending_htlcs")] IReadOnlyList<LndPendingHtlc>? PendingHtlcs = null)
{
    public string? Problem() => First(NotNegative(LimboBalance, "limbo_balance"), PendingHtlcs?.Select(h => h.Problem()).FirstOrDefault(p => p is not null));
}

internal sealed record LndWaitingClose([property: JsonPropertyName("limbo_balance")] long LimboBalance = 0)
{
    public string? Problem() => NotNegative(LimboBalance, "limbo_balance");
}

/// <summary>GET /v1/channels/pending. Only the lists' lengths matter for opening and closing (deprecated) channels.</summary>
internal sealed record LndPendingChannels(
    [property: JsonPropertyName("total_limbo_balance")] long TotalLimboBalance = 0,
    [property: JsonPropertyName("pending_open_channels")] IReadOnlyList<System.Text.Json.JsonElement>? PendingOpen = null,
    [property: JsonPropertyName("pending_closing_channels")] IReadOnlyList<System.Text.Json.JsonElement>? PendingClosing = null,
    [property: JsonPropertyName("pending_force_closing_channels")] IReadOnlyList<LndForceClosing>? ForceClosing = null,
    [property: JsonPropertyName("waiting_close_channels")] IReadOnlyList<LndWaitingClose>? WaitingClose = null)
{
    public string? Problem() => First(
        NotNegative(TotalLimboBalance, "total_limbo_balance"),
        ForceClosing?.Select(c => c.Problem()).FirstOrDefault(p => p is not null),
        WaitingClose?.Select(c => c.Problem()).FirstOrDefault(p => p is not null));
}

/// <summary>GET /v1/graph/info.</summary>
internal sealed record LndGraphInfo(
    [property: JsonPropertyName("num_nodes")] long Nodes = 0,
    [property: JsonPropertyName("num_channels")] long Channels = 0,
    [property: JsonPropertyName("total_network_capacity")] long Capacity = 0)
{
    public string? Problem() => First(NotNegative(Nodes, "num_nodes"), NotNegative(Channels, "num_channels"), NotNegative(Capacity, "total_network_capacity"));
}

/// <summary>GET /v1/fees: the routing fees earned, in satoshis.</summary>
internal sealed record LndFeeReport(
    [property: JsonPropertyName("day_fee_sum")] long Day = 0,
    [property: JsonPropertyName("week_fee_sum")] long Week = 0,
    [property: JsonPropertyName("month_fee_sum")] long Month = 0)
{
    public string? Problem() => First(NotNegative(Day, "day_fee_sum"), NotNegative(Week, "week_fee_sum"), NotNegative(Month, "month_fee_sum"));
}

/// <summary>GET /v1/peers: only counted.</summary>
internal sealed record LndPeers([property: JsonPropertyName("peers")] IReadOnlyList<System.Text.Json.JsonElement>? Peers = null);

/// <summary>LND's REST error: grpc-gateway's {"code", "message", "details"} (code 2 Unknown, 14 Unavailable, ...).</summary>
internal sealed record LndError([property: JsonPropertyName("code")] int Code = 0, [property: JsonPropertyName("message")] string Message = "");

// Strings are read as numbers (protojson's int64), and an unknown field is skipped.
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(LndGetStateResponse))]
[JsonSerializable(typeof(LndInfo))]
[JsonSerializable(typeof(LndChannelBalance))]
[JsonSerializable(typeof(LndWalletBalance))]
[JsonSerializable(typeof(LndChannels))]
[JsonSerializable(typeof(LndPendingChannels))]
[JsonSerializable(typeof(LndGraphInfo))]
[JsonSerializable(typeof(LndFeeReport))]
[JsonSerializable(typeof(LndPeers))]
[JsonSerializable(typeof(LndError))]
internal sealed partial class LndJsonContext : JsonSerializerContext;
