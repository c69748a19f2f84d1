using System.Globalization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Report;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// The figures of each component's card, read from what its collector exported in this reading. No threshold lives
/// here: a figure's tone is set only where the series itself says so (a flag at 1, a wallet locked, a copy that
/// differs); how far is too far is the alert rules' to say, and their alerts colour the card (StatusService).
/// </summary>
internal static class ComponentCards
{
    /// <summary>The title of a collector's card; the collector's own name for one without a card of its own.</summary>
    public static string Title(string collector) => collector switch
    {
        "bitcoind" => "Bitcoin node (bitcoind)",
        "electrum" => "Electrum server",
        "mempool" => "mempool backend",
        "mempool_frontend" => "mempool front end",
        "mariadb" => "MariaDB",
        "lnd" => "Lightning (LND)",
        "host" => "Host",
        "services" => "Services",
        "posture" => "Security posture",
        "updates" => "Updates",
        "backups" => "Backups",
        _ => collector,
    };

    /// <summary>The card's figures; <paramref name="bitcoind"/> is bitcoind's reading, for the lags behind its tip.</summary>
    public static IReadOnlyList<StatusFact> Facts(string collector, MetricReading m, MetricReading bitcoind, DateTimeOffset now)
    {
        var facts = new FactList(now);
        var tip = bitcoind.Value("bitcoind_blocks");
        switch (collector)
        {
            case "bitcoind":
                facts.Text("chain", "Chain", m.Label("bitcoind_chain_info", "chain"));
                facts.Text("version", "Version", m.Label("bitcoind_build_info", "subversion"));
                facts.Count("blocks", "Tip height", m.Value("bitcoind_blocks"));
                facts.Count("headers", "Headers", m.Value("bitcoind_headers"));
                facts.Ratio("verification_progress", "Verified", m.Value("bitcoind_verification_progress_ratio"));
                facts.YesNo("initial_block_download", "Initial block download", m.Value("bitcoind_initial_block_download"), yesTone: "attention");
                facts.Age("best_block_age", "Last block", m.Value("bitcoind_best_block_timestamp_seconds"));
                facts.Count("peers_inbound", "Peers in", m.Value("bitcoind_connections", "direction=inbound"));
                facts.Count("peers_outbound", "Peers out", m.Value("bitcoind_connections", "direction=outbound"));
                facts.Count("mempool_transactions", "Mempool transactions", m.Value("bitcoind_mempool_transactions"));
                facts.Bytes("mempool_usage", "Mempool memory", m.Value("bitcoind_mempool_usage_bytes"), m.Value("bitcoind_mempool_max_bytes"));
                facts.Fee("fee_next_block", "Fee, next block", m.Value("bitcoind_fee_estimate_sat_per_vbyte", "target=2") ?? m.Value("bitcoind_fee_estimate_sat_per_vbyte", "target=1"));
                facts.Fee("fee_six_blocks", "Fee, within an hour", m.Value("bitcoind_fee_estimate_sat_per_vbyte", "target=6"));
                facts.Fee("mempool_min_fee", "Mempool minimum fee", m.Value("bitcoind_mempool_min_fee_sat_per_vbyte"));
                facts.Bytes("size_on_disk", "Blocks on disk", m.Value("bitcoind_size_on_disk_bytes"));
                break;
            case "electrum":
                facts.Text("version", "Server", m.Label("electrum_server_info", "server_version"));
                facts.Count("tip_height", "Tip height", m.Value("electrum_tip_height"));
                facts.Lag("lag_blocks", m.Value("electrum_tip_height"), tip);
                facts.Seconds("probe_duration", "Answered in", m.Value("electrum_probe_duration_seconds"));
                break;
            case "mempool":
                facts.Text("version", "Version", m.Label("mempool_build_info", "version"));
                facts.YesNo("synced", "Synced", m.Value("mempool_synced"), noTone: "attention");
                facts.Count("tip_height", "Tip height", m.Value("mempool_tip_height"));
                facts.Lag("lag_blocks", m.Value("mempool_tip_height"), tip);
                facts.Count("transactions", "Mempool transactions", m.Value("mempool_transactions"));
                facts.Bytes("vsize", "Mempool size", m.Value("mempool_vsize_bytes") is { } v ? v : null);
                facts.Fee("fee_fastest", "Fee, fastest", m.Value("mempool_recommended_fee_sat_per_vbyte", "target=fastest"));
                facts.Fee("fee_hour", "Fee, an hour", m.Value("mempool_recommended_fee_sat_per_vbyte", "target=hour"));
                facts.Fee("fee_economy", "Fee, economy", m.Value("mempool_recommended_fee_sat_per_vbyte", "target=economy"));
                break;
            case "mempool_frontend":
                facts.Count("http_status", "HTTP status", m.Value("mempool_frontend_http_status_code"));
                facts.Seconds("duration", "Answered in", m.Value("mempool_frontend_duration_seconds"));
                facts.Until("tls_expiry", "TLS certificate expires", m.Value("mempool_frontend_tls_certificate_expiry_timestamp_seconds"));
                break;
            case "mariadb":
                facts.Text("version", "Version", m.Label("mariadb_build_info", "version"));
                facts.Count("connections", "Connections", m.Value("mariadb_connections"));
                facts.Count("indexed_height", "mempool database's block", m.Value("mariadb_mempool_indexed_block_height"));
                facts.Lag("lag_blocks", m.Value("mariadb_mempool_indexed_block_height"), tip);
                break;
            case "lnd":
                facts.Text("version", "Version", m.Label("lnd_build_info", "version"));
                facts.Text("wallet", "Wallet", m.Samples("lnd_wallet_state").Where(s => s.Value == 1).Select(s => s.Labels["state"]).FirstOrDefault(),
                    m.Value("lnd_wallet_locked") == 1 ? "bad" : "neutral");
                facts.YesNo("synced_to_chain", "Synced to chain", m.Value("lnd_synced_to_chain"), noTone: "attention");
                facts.YesNo("synced_to_graph", "Synced to graph", m.Value("lnd_synced_to_graph"), noTone: "attention");
                facts.Count("block_height", "Block height", m.Value("lnd_block_height"));
                facts.Lag("lag_blocks", m.Value("lnd_block_height"), tip);
                facts.Count("peers", "Peers", m.Value("lnd_peers"));
                facts.Count("channels_active", "Channels active", m.Value("lnd_channels", "state=active"));
                facts.Count("channels_inactive", "Channels inactive", m.Value("lnd_channels", "state=inactive"));
                facts.Count("channels_pending", "Channels pending",
                    Sum(m.Value("lnd_channels", "state=pending_open"), m.Value("lnd_channels", "state=pending_close"), m.Value("lnd_channels", "state=force_closing"), m.Value("lnd_channels", "state=waiting_close")));
                facts.Sat("channel_local", "In channels (ours)", m.Value("lnd_channel_balance_sat", "balance=local"));
                facts.Sat("channel_remote", "In channels (theirs)", m.Value("lnd_channel_balance_sat", "balance=remote"));
                facts.Sat("wallet_confirmed", "On chain", m.Value("lnd_wallet_balance_sat", "balance=confirmed"));
                facts.Count("pending_htlcs", "HTLCs in flight", m.Value("lnd_pending_htlcs"));
                break;
            case "host":
                foreach (var (labels, avail) in m.Samples("nodehelper_filesystem_avail_bytes").OrderBy(s => s.Labels["component"], StringComparer.Ordinal))
                {
                    var component = labels["component"];
                    var size = m.Value("nodehelper_filesystem_size_bytes", $"component={component}", $"path={labels["path"]}");
                    facts.Disk($"disk_free.{component}", $"Disk of {component}", avail, size);
                }

                facts.Bytes("memory_available", "Memory available", m.Value("nodehelper_memory_available_bytes"), m.Value("nodehelper_memory_total_bytes"));
                var hottest = m.Samples("nodehelper_temperature_celsius").Select(s => s.Value).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
                facts.Number("temperature", "Temperature", double.IsFinite(hottest) ? hottest : null, "celsius", " °C");
                if (m.Has("nodehelper_rpi_throttle_flag"))
                {
                    var current = m.Samples("nodehelper_rpi_throttle_flag").Where(s => s.Labels["when"] == "now" && s.Value == 1).Select(s => s.Labels["flag"]).ToList();
                    var ever = m.Samples("nodehelper_rpi_throttle_flag").Where(s => s.Labels["when"] == "since_boot" && s.Value == 1).Select(s => s.Labels["flag"]).ToList();
                    facts.Text("throttling", "Pi power and throttling",
                        current.Count > 0 ? "now: " + string.Join(", ", current) : ever.Count > 0 ? "since boot: " + string.Join(", ", ever) : "none",
                        current.Count > 0 ? "bad" : ever.Count > 0 ? "attention" : "good");
                }

                break;
            case "services":
                foreach (var (labels, active) in m.Samples("nodehelper_service_active").OrderBy(s => s.Labels["unit"], StringComparer.Ordinal))
                {
                    var unit = labels["unit"];
                    var state = m.Samples("nodehelper_service_state").Where(s => s.Labels["unit"] == unit && s.Value == 1).Select(s => s.Labels["state"]).FirstOrDefault();
                    var restarts = m.Value("nodehelper_service_restarts_total", $"unit={unit}");
                    var text = (state ?? (active == 1 ? "active" : "inactive")) + (restarts is > 0 ? $", {Formats.Plural(restarts.Value, "restart", "restarts")}" : "");
                    facts.Add(new StatusFact($"service.{unit}", unit, active, null, text, active == 1 ? "good" : "bad"));
                }

                break;
            case "posture":
                var exposed = m.Samples("nodehelper_listener_exposed").Where(s => s.Value == 1).Select(s => $"{s.Labels["service"]} ({s.Labels["port"]})").ToList();
                if (m.Has("nodehelper_listener_exposed"))
                {
                    facts.Add(new("exposed_listeners", "Listening beyond loopback", exposed.Count, null, exposed.Count == 0 ? "none" : string.Join(", ", exposed), exposed.Count == 0 ? "good" : "attention"));
                }

                var readable = m.Samples("nodehelper_secret_file_world_readable").Where(s => s.Value == 1).Select(s => $"{s.Labels["component"]} {s.Labels["file"]}").ToList();
                if (m.Has("nodehelper_secret_file_world_readable"))
                {
                    facts.Add(new("world_readable_secrets", "Secrets others can read", readable.Count, null, readable.Count == 0 ? "none" : string.Join(", ", readable), readable.Count == 0 ? "good" : "bad"));
                }

                facts.YesNo("firewall", "Firewall", m.Value("nodehelper_firewall_enabled"), noTone: "attention");
                facts.YesNo("ssh_password_authentication", "SSH password login", m.Value("nodehelper_ssh_password_authentication_enabled"), yesTone: "attention");
                facts.Count("security_upgrades", "Security upgrades pending", m.Value("nodehelper_apt_security_upgrades_pending"));
                facts.YesNo("reboot_required", "Reboot required", m.Value("nodehelper_reboot_required"), yesTone: "attention");
                break;
            case "updates":
                foreach (var (labels, available) in m.Samples("nodehelper_update_available").OrderBy(s => s.Labels["component"], StringComparer.Ordinal))
                {
                    var component = labels["component"];
                    facts.Add(new StatusFact($"update.{component}", component, available, null,
                        available == 1 ? $"{labels["running"]} runs; {labels["latest"]} is out" : $"{labels["running"]}, the latest", available == 1 ? "attention" : "good"));
                }

                break;
            case "backups":
                foreach (var (labels, exists) in m.Samples("nodehelper_backup_exists").OrderBy(s => s.Labels["item"], StringComparer.Ordinal))
                {
                    var item = labels["item"];
                    var modified = m.Value("nodehelper_backup_last_modified_timestamp_seconds", $"item={item}");
                    var matches = m.Value("nodehelper_backup_copy_matches", $"item={item}");
                    var text = exists != 1 ? "missing" : modified is { } t ? $"written {Ago(now, t)}" : "present";
                    if (matches is { } same)
                    {
                        text += same == 1 ? ", its copy matches" : ", its copy differs";
                    }

                    facts.Add(new StatusFact($"backup.{item}", item, exists, null, text, exists != 1 || matches == 0 ? "bad" : "good"));
                }

                break;
        }

        return facts.All;
    }

    public static string Ago(DateTimeOffset now, double unixSeconds)
    {
        if (Time(unixSeconds) is not { } then)
        {
            return "at an impossible time";
        }

        var span = now - then;
        return span < TimeSpan.Zero ? "in the future (the clocks disagree)" : span < TimeSpan.FromMinutes(1) ? "just now" : $"{Formats.Duration(span)} ago";
    }

    /// <summary>A Unix time as a time, null beyond what a clock can say (an absurd upstream value).</summary>
    public static DateTimeOffset? Time(double unixSeconds) =>
        UnixTime.From(unixSeconds);

    private static double? Sum(params double?[] values) => values.Any(v => v is not null) ? values.Sum(v => v ?? 0) : null;

    /// <summary>A card's figures as they are added; a value that is absent (its item failed) is left out, never written as 0.</summary>
    private sealed class FactList(DateTimeOffset now)
    {
        public List<StatusFact> All { get; } = [];

        /// <summary>A raw value that is not finite is no value (JSON has no NaN, and the text says what it is).</summary>
        public void Add(StatusFact fact) => All.Add(fact.Value is { } v && !double.IsFinite(v) ? fact with { Value = null } : fact);

        public void Text(string key, string label, string? text, string tone = "neutral")
        {
            if (!string.IsNullOrEmpty(text))
            {
                All.Add(new(key, label, null, null, text, tone));
            }
        }

        public void Count(string key, string label, double? value)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, null, Formats.Count(v), "neutral"));
            }
        }

        public void Number(string key, string label, double? value, string unit, string suffix)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, unit, Formats.Number(v) + suffix, "neutral"));
            }
        }

        public void Ratio(string key, string label, double? value)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, "ratio", v >= 0.99995 && v < 1 ? "99.99 %" : Formats.Percent(v), "neutral"));
            }
        }

        public void YesNo(string key, string label, double? value, string yesTone = "neutral", string noTone = "neutral")
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, null, v == 1 ? "yes" : "no", v == 1 ? yesTone : noTone));
            }
        }

        public void Bytes(string key, string label, double? value, double? of = null)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, "bytes", of is { } total and > 0 ? $"{Formats.Bytes(v)} of {Formats.Bytes(total)}" : Formats.Bytes(v), "neutral"));
            }
        }

        public void Disk(string key, string label, double free, double? size)
        {
            if (double.IsFinite(free))
            {
                All.Add(new(key, label, free, "bytes",
                    size is { } s and > 0 ? $"{Formats.Bytes(free)} free of {Formats.Bytes(s)} ({Formats.Percent(free / s)})" : $"{Formats.Bytes(free)} free", "neutral"));
            }
        }

        public void Fee(string key, string label, double? value)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, "sat_per_vbyte", Formats.FeeRate(v), "neutral"));
            }
        }

        public void Sat(string key, string label, double? value)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, "sat", Formats.Sat(v), "neutral"));
            }
        }

        public void Seconds(string key, string label, double? value)
        {
            if (value is { } v)
            {
                All.Add(new(key, label, v, "seconds", Formats.Seconds(v), "neutral"));
            }
        }

        public void Age(string key, string label, double? unixSeconds)
        {
            if (unixSeconds is { } t)
            {
                All.Add(new(key, label, t, "timestamp_seconds", Ago(now, t), "neutral"));
            }
        }

        public void Until(string key, string label, double? unixSeconds)
        {
            if (unixSeconds is { } t && Time(t) is { } then)
            {
                var left = then - now;
                All.Add(new(key, label, t, "timestamp_seconds", left <= TimeSpan.Zero ? "expired" : $"in {Formats.Duration(left)}", left <= TimeSpan.Zero ? "bad" : "neutral"));
            }
        }

        /// <summary>Blocks behind bitcoind's tip, only when both were read in this reading.</summary>
        public void Lag(string key, double? height, double? tip)
        {
            if (height is { } h && tip is { } t)
            {
                var lag = t - h;
                All.Add(new(key, "Behind bitcoind", lag, "blocks",
                    lag <= 0 ? (lag == 0 ? "at the tip" : $"{Formats.Plural(-lag, "block", "blocks")} ahead") : Formats.Plural(lag, "block", "blocks"), "neutral"));
            }
        }
    }
}
