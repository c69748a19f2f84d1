using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Lnd;

/// <summary>The channels of the captured <c>lnd/channels.json</c>, parsed once.</summary>
internal static class CapturedChannels
{
    public static readonly string Raw = Fixtures.Read("lnd/channels.json");

    /// <summary>chan_id, channel_point, remote_pubkey, capacity, local and remote balance, active as captured.</summary>
    public static readonly IReadOnlyList<(string ChanId, string ChannelPoint, string RemotePubkey, long Capacity, long Local, long Remote, bool Active)> All =
        [.. JsonNode.Parse(Raw)!["channels"]!.AsArray().Select(c => (
            c!["chan_id"]!.GetValue<string>(),
            c["channel_point"]!.GetValue<string>(),
            c["remote_pubkey"]!.GetValue<string>(),
            long.Parse(c["capacity"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(c["local_balance"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(c["remote_balance"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            // The capture omits false fields (its first channel has no "active"): absent is false, as in protobuf.
            c["active"]?.GetValue<bool>() ?? false))];

    public static bool IsActive(string chanId) => All.Any(c => c.ChanId == chanId && c.Active);
}
