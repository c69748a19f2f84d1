using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Exporter.Upstreams.Updates;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// LND over its REST API: the wallet's state (a locked wallet is LND answering, lnd_up 1), sync, peers, channels by
/// state, balances, funds in limbo and the blocks left before force closes mature and HTLCs expire, routing fees,
/// the graph; and from LND's files, the pinned certificate's expiry and channel.backup against its copy, whether
/// LND answers or not. Per-channel series only with Lnd:PerChannel, by channel id, never by peer.
/// </summary>
internal sealed class LndCollector(LndSnapshotSource source, LndLocalFiles files, bool perChannel, ItemLog items, CancellationToken stopping, RunningVersions? versions = null)
    : SnapshotCollector<LndSnapshot>(cancellationToken => FetchAsync(source, files, cancellationToken), stopping)
{
    private static readonly UpGauge UpGauge = new("lnd_up", "Whether LND answered /v1/state and, with the wallet active, /v1/getinfo (1) or not (0). A locked wallet answers: 1.");

    /// <summary>lnrpc.WalletState's values (stateservice.swagger.json), each always present so a change of state never leaves a gap.</summary>
    internal static readonly string[] WalletStates = ["NON_EXISTING", "LOCKED", "UNLOCKED", "RPC_ACTIVE", "SERVER_ACTIVE", "WAITING_TO_START"];

    public override string Name => "lnd";

    public override string Description => "LND: wallet state, sync, channels, balances, limbo, HTLC expiry, fees, graph, TLS certificate, channel backup";

    public override UpGauge Up => UpGauge;

    public override void WriteFailure(MetricSet metrics, UpstreamException failure) => WriteFiles(metrics);

    /// <summary>LND's reading, and its files read meanwhile (bounded: a hung mount does not hold the scrape).</summary>
    private static async Task<LndSnapshot> FetchAsync(LndSnapshotSource source, LndLocalFiles files, CancellationToken cancellationToken)
    {
        var reading = files.RefreshAsync();
        try
        {
            return await source.FetchAsync(cancellationToken);
        }
        finally
        {
            await reading;
        }
    }

    protected override void Write(MetricSet metrics, LndSnapshot snapshot)
    {
        var m = metrics;
        var state = m.Family("lnd_wallet_state", "LND's wallet state (/v1/state): 1 for the current one, 0 for the others.", "state");
        foreach (var known in WalletStates)
        {
            state.WithLabels(known).Set(known == snapshot.WalletState ? 1 : 0);
        }

        if (!WalletStates.Contains(snapshot.WalletState))
        {
            state.WithLabels(LabelValue.Clip(snapshot.WalletState)).Set(1);
        }

        m.Gauge("lnd_wallet_locked", "Whether LND's wallet is locked (/v1/state LOCKED): LND answers nothing else until it is unlocked (lncli unlock).", snapshot.WalletState == "LOCKED" ? 1 : 0);
        if (snapshot.Info is { } info)
        {
            WriteActive(m, snapshot, info);
        }

        WriteFiles(m);
    }

    private void WriteActive(MetricSet m, LndSnapshot snapshot, LndInfo info)
    {
        items.NoteAll(snapshot.EndpointProblems ?? new Dictionary<string, string?>());
        var version = info.Version.Split(' ', 2)[0];
        versions?.Saw("lnd", version);
        m.Family("lnd_build_info", "LND's version and commit (getinfo.version, getinfo.commit_hash).", "version", "commit")
            .WithLabels(LabelValue.Clip(version), LabelValue.Clip(info.CommitHash)).Set(1);
        m.Gauge("lnd_synced_to_chain", "Whether LND is in sync with its chain backend's tip (getinfo.synced_to_chain).", info.SyncedToChain ? 1 : 0);
        m.Gauge("lnd_synced_to_graph", "Whether LND has synced the channel graph from its peers (getinfo.synced_to_graph).", info.SyncedToGraph ? 1 : 0);
        m.Gauge("lnd_block_height", "Height of the tip LND has processed (getinfo.block_height); bitcoind_blocks minus it is LND's lag.", info.BlockHeight);
        m.Gauge("lnd_best_header_timestamp_seconds", "Time in the header of LND's best block, Unix seconds (getinfo.best_header_timestamp).", info.BestHeaderTimestamp);
        m.Gauge("lnd_peers", "Peers LND is connected to (/v1/peers, counted; getinfo.num_peers when that call failed).", snapshot.Peers ?? info.Peers);

        var channels = m.Family("lnd_channels", "LND's channels by state: open and active or inactive (/v1/channels, else getinfo), opening, and closing (/v1/channels/pending).", "state");
        if (snapshot.Channels is { } open)
        {
            var list = open.Channels ?? [];
            channels.WithLabels("active").Set(list.Count(c => c.Active));
            channels.WithLabels("inactive").Set(list.Count(c => !c.Active));
        }
        else
        {
            channels.WithLabels("active").Set(info.ActiveChannels);
            channels.WithLabels("inactive").Set(info.InactiveChannels);
        }

        if (snapshot.Pending is { } pending)
        {
            channels.WithLabels("pending_open").Set(pending.PendingOpen?.Count ?? 0);
            channels.WithLabels("pending_close").Set(pending.PendingClosing?.Count ?? 0);
            channels.WithLabels("force_closing").Set(pending.ForceClosing?.Count ?? 0);
            channels.WithLabels("waiting_close").Set(pending.WaitingClose?.Count ?? 0);
            WritePending(m, pending);
        }

        if (snapshot.ChannelBalance is { } cb)
        {
            var balance = m.Family("lnd_channel_balance_sat", "Balance across open channels, in satoshis (/v1/balance/channels): local and remote, unsettled (in HTLCs), and in channels still opening.", "balance");
            balance.WithLabels("local").Set(cb.Local?.Sat ?? 0);
            balance.WithLabels("remote").Set(cb.Remote?.Sat ?? 0);
            balance.WithLabels("unsettled_local").Set(cb.UnsettledLocal?.Sat ?? 0);
            balance.WithLabels("unsettled_remote").Set(cb.UnsettledRemote?.Sat ?? 0);
            balance.WithLabels("pending_open_local").Set(cb.PendingOpenLocal?.Sat ?? 0);
            balance.WithLabels("pending_open_remote").Set(cb.PendingOpenRemote?.Sat ?? 0);
        }

        if (snapshot.WalletBalance is { } wb)
        {
            var wallet = m.Family("lnd_wallet_balance_sat", "LND's on-chain wallet balance, in satoshis (/v1/balance/blockchain): confirmed, unconfirmed, and locked (leased to a pending transaction).", "balance");
            wallet.WithLabels("confirmed").Set(wb.Confirmed);
            wallet.WithLabels("unconfirmed").Set(wb.Unconfirmed);
            wallet.WithLabels("locked").Set(wb.Locked);
            m.Gauge("lnd_wallet_anchor_reserve_sat", "On-chain satoshis LND keeps to fee-bump its anchor channels' closes (reserved_balance_anchor_chan); a confirmed balance below it cannot.", wb.AnchorReserve);
        }

        if (snapshot.Channels is { } withHtlcs)
        {
            WriteHtlcs(m, withHtlcs, info.BlockHeight);
        }

        if (snapshot.Fees is { } fees)
        {
            var earned = m.Family("lnd_routing_fees_sat", "Routing fees earned over the last day, week and month, in satoshis (/v1/fees day_fee_sum, week_fee_sum, month_fee_sum).", "period");
            earned.WithLabels("day").Set(fees.Day);
            earned.WithLabels("week").Set(fees.Week);
            earned.WithLabels("month").Set(fees.Month);
        }

        if (snapshot.Graph is { } graph)
        {
            m.Gauge("lnd_graph_nodes", "Nodes in LND's view of the channel graph (/v1/graph/info num_nodes, read every 10 minutes).", graph.Nodes);
            m.Gauge("lnd_graph_channels", "Channels in LND's view of the channel graph (/v1/graph/info num_channels).", graph.Channels);
            m.Gauge("lnd_graph_capacity_sat", "Total capacity of the channel graph, in satoshis (/v1/graph/info total_network_capacity).", graph.Capacity);
        }

        if (perChannel && snapshot.Channels?.Channels is { } each)
        {
            WritePerChannel(m, each);
        }

        var endpoints = m.Family("lnd_endpoint_success", "Whether LND answered this call usefully in the scrape (1) or not (0); /v1/getinfo is lnd_up.", "endpoint");
        foreach (var (endpoint, problem) in (snapshot.EndpointProblems ?? new Dictionary<string, string?>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            endpoints.WithLabels(endpoint).Set(problem is null ? 1 : 0);
        }
    }

    private static void WritePending(MetricSet m, LndPendingChannels pending)
    {
        m.Gauge("lnd_limbo_balance_sat", "Satoshis in closing channels not yet back in the wallet (/v1/channels/pending total_limbo_balance).", pending.TotalLimboBalance);

        // Outputs still counting down: a maturity height known (0: not yet, e.g. an HTLC's second stage before its
        // first confirms) and not reached (an output swept keeps its height, its count going negative).
        var maturities = (pending.ForceClosing ?? [])
            .SelectMany(c => (c.PendingHtlcs ?? []).Select(h => (h.MaturityHeight, h.BlocksTilMaturity)).Prepend((c.MaturityHeight, c.BlocksTilMaturity)))
            .Where(x => x.MaturityHeight > 0 && x.BlocksTilMaturity > 0)
            .Select(x => x.BlocksTilMaturity)
            .ToList();
        if (maturities.Count > 0)
        {
            m.Gauge("lnd_force_close_maturity_blocks",
                "Fewest blocks until an output of a force-closed channel (its commitment output or an HTLC) matures and can be swept (blocks_til_maturity), over the outputs not matured yet. Absent when none is counting down.",
                maturities.Min());
        }
    }

    private static void WriteHtlcs(MetricSet m, LndChannels channels, long height)
    {
        var htlcs = (channels.Channels ?? []).SelectMany(c => c.PendingHtlcs ?? []).ToList();
        m.Gauge("lnd_pending_htlcs", "HTLCs in flight across open channels (/v1/channels pending_htlcs).", htlcs.Count);
        if (htlcs.Count > 0)
        {
            m.Gauge("lnd_htlc_expiry_blocks",
                "Blocks until the nearest in-flight HTLC of an open channel expires: its expiration_height minus LND's own getinfo.block_height (fewer when LND lags bitcoind). LND goes on chain for it 10 blocks before expiry if incoming, at expiry if outgoing. Absent without HTLCs.",
                htlcs.Min(h => h.ExpirationHeight) - height);
        }
    }

    private static void WritePerChannel(MetricSet m, IReadOnlyList<LndChannel> channels)
    {
        var active = m.Family("lnd_channel_active", "Whether the channel is active (/v1/channels active), by its short channel id.", "chan_id");
        var capacity = m.Family("lnd_channel_capacity_sat", "The channel's capacity, in satoshis.", "chan_id");
        var local = m.Family("lnd_channel_local_balance_sat", "This node's balance in the channel, in satoshis.", "chan_id");
        var remote = m.Family("lnd_channel_remote_balance_sat", "The peer's balance in the channel, in satoshis.", "chan_id");
        var htlcs = m.Family("lnd_channel_pending_htlcs", "HTLCs in flight in the channel.", "chan_id");
        // By the label as written (clipped): two hostile ids alike in their first characters must not collide.
        foreach (var (channel, id) in channels.Where(c => c.ChannelId.Length > 0).Select(c => (c, LabelValue.Clip(c.ChannelId))).DistinctBy(c => c.Item2))
        {
            active.WithLabels(id).Set(channel.Active ? 1 : 0);
            capacity.WithLabels(id).Set(channel.Capacity);
            local.WithLabels(id).Set(channel.LocalBalance);
            remote.WithLabels(id).Set(channel.RemoteBalance);
            htlcs.WithLabels(id).Set(channel.PendingHtlcs?.Count ?? 0);
        }
    }

    /// <summary>The certificate's expiry and the channel backup, from LND's files: written whether LND answered or not.</summary>
    private void WriteFiles(MetricSet m)
    {
        if (files.Latest() is not { } read)
        {
            return;
        }

        items.NoteAll(read.Problems);
        var success = m.Family("lnd_file_read_success", "Whether NodeHelper could read this file of LND's (1) or not (0): tls.cert, channel.backup, its copy (Lnd:ChannelBackupCopy).", "file");
        foreach (var (file, problem) in read.Problems.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            success.WithLabels(file).Set(problem is null ? 1 : 0);
        }

        if (read.CertificateNotAfter is { } notAfter)
        {
            m.Gauge("lnd_tls_certificate_expiry_timestamp_seconds", "When LND's TLS certificate (the pinned Lnd:TlsCertFile) expires, Unix seconds; minus time() is the time left.", notAfter.ToUnixTimeSeconds());
        }

        if (read.BackupRead)
        {
            m.Gauge("lnd_channel_backup_exists", "Whether LND's channel.backup (Lnd:ChannelBackupFile) exists (1) or not (0).", read.Backup is null ? 0 : 1);
        }

        if (read.Backup is { } backup)
        {
            m.Gauge("lnd_channel_backup_last_modified_timestamp_seconds", "When LND last wrote channel.backup (at every start, and on every channel open and close), Unix seconds.", Seconds(backup));
        }

        if (read.CopyRead)
        {
            m.Gauge("lnd_channel_backup_copy_exists", "Whether the copy of channel.backup (Lnd:ChannelBackupCopy) exists (1) or not (0).", read.Copy is null ? 0 : 1);
        }

        if (read.Copy is { } copy)
        {
            m.Gauge("lnd_channel_backup_copy_last_modified_timestamp_seconds", "When the copy of channel.backup was last written, Unix seconds.", Seconds(copy));
        }

        if (read.CopyMatches is { } matches)
        {
            m.Gauge("lnd_channel_backup_copy_matches", "Whether the copy holds the same bytes as channel.backup now (1) or not, or is missing (0): compared by content, not time.", matches ? 1 : 0);
        }
    }

    private static double Seconds(FileInfo file) => new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds() / 1000.0;
}
