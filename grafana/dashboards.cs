// Generates grafana/dashboards/*.json: `make dashboards` (or `dotnet run grafana/dashboards.cs`).
// The dashboards are written here, as code, for the reasons the monitoring mixins write theirs in jsonnet: every
// panel gets the same datasource, variables, units and layout rules, and a change is reviewed as a diff of intent.
// The JSON files are committed too, so Grafana users need nothing but them; a test checks they are this output.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

var output = args.Length > 0 ? args[0] : Path.Join(Path.GetDirectoryName(ThisFile())!, "dashboards");
Directory.CreateDirectory(output);
foreach (var board in new[] { Boards.Fleet(), Boards.Overview(), Boards.Bitcoind(), Boards.Services(), Boards.Lightning(), Boards.Host() })
{
    var path = Path.Join(output, board.Uid + ".json");
    File.WriteAllText(path, board.ToJson());
    Console.WriteLine($"wrote {path}");
}

static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

/// <summary>
/// The dashboards' thresholds, read from the alert rules (prometheus/rules/): a threshold lives in one place, the rule
/// that alerts on it, and a panel colours a value orange where a warning fires and red where a critical one does. A
/// rule whose expression does not have the one comparison with a number that a panel needs stops the generator.
/// </summary>
internal static class Rules
{
    private static readonly Lazy<List<(string Alert, string Severity, string Expr)>> All = new(Read);

    /// <summary>Orange (or red, for a critical alert) above the alert's "> n": from just above n, as the alert fires.</summary>
    public static (string, double?)[] Above(string alert) =>
        [("green", null), (Colour(alert), Math.BitIncrement(Number(alert, ">")))];

    /// <summary>For an alert with a warning and a critical "< n" (a disk's free ratio, a certificate's time left): red, orange, green.</summary>
    public static (string, double?)[] Below(string alert) =>
        [("red", null), ("orange", Number(alert, "<", "critical")), ("green", Number(alert, "<", "warning"))];

    /// <summary>Red (or orange, for a warning) up to the alert's "&lt;= n", green above it: a count of blocks left.</summary>
    public static (string, double?)[] AtMost(string alert) =>
        [(Colour(alert), null), ("green", Math.BitIncrement(Number(alert, "<=")))];

    /// <summary>Green within ±n of an alert on abs(x) > n, orange beyond.</summary>
    public static (string, double?)[] Within(string alert)
    {
        var n = Number(alert, ">");
        return [(Colour(alert), null), ("green", -n), (Colour(alert), Math.BitIncrement(n))];
    }

    public static (string, double?)[] DiskFree() => Below("NodeHelperFilesystemAlmostFull");

    /// <summary>The same thresholds for the share used: orange and red where the free ratio falls below the alerts' numbers.</summary>
    public static (string, double?)[] DiskFull() =>
        [("green", null), ("orange", 1 - Number("NodeHelperFilesystemAlmostFull", "<", "warning")), ("red", 1 - Number("NodeHelperFilesystemAlmostFull", "<", "critical"))];

    /// <summary>Days until full: orange within NodeHelperFilesystemFillingUp's horizon (predict_linear's 24 * 3600 seconds).</summary>
    public static (string, double?)[] DaysUntilFull()
    {
        var expr = Find("NodeHelperFilesystemFillingUp", null).Expr;
        var horizon = System.Text.RegularExpressions.Regex.Match(expr, @"predict_linear\([^,]+,\s*([0-9.\s*]+)\)");
        if (!horizon.Success)
        {
            throw new InvalidOperationException("NodeHelperFilesystemFillingUp has no predict_linear(..., seconds) to take the horizon from.");
        }

        return [("orange", null), ("green", Evaluate(horizon.Groups[1].Value) / 86400)];
    }

    private static string Colour(string alert) => Find(alert, null).Severity == "critical" ? "red" : "orange";

    /// <summary>The number the alert's expression compares with <paramref name="op"/>: exactly one such comparison.</summary>
    private static double Number(string alert, string op, string? severity = null)
    {
        var expr = Find(alert, severity).Expr;
        var found = System.Text.RegularExpressions.Regex.Matches(expr, $@"(?<![<>=!])\{op}(?!=)\s*([0-9][0-9.]*(?:\s*\*\s*[0-9][0-9.]*)*)");
        return found.Count == 1
            ? Evaluate(found[0].Groups[1].Value)
            : throw new InvalidOperationException($"{alert} ({severity ?? "any"}) has {found.Count} comparisons '{op} number' in its expression, not one.");
    }

    /// <summary>A product of numbers, as rules write durations: 14 * 86400.</summary>
    private static double Evaluate(string product) =>
        product.Split('*').Select(f => double.Parse(f.Trim(), System.Globalization.CultureInfo.InvariantCulture)).Aggregate(1.0, (a, b) => a * b);

    private static (string Alert, string Severity, string Expr) Find(string alert, string? severity)
    {
        var rules = All.Value.Where(r => r.Alert == alert && (severity is null || r.Severity == severity)).ToList();
        return rules.Count == 1 ? rules[0] : throw new InvalidOperationException($"prometheus/rules/ has {rules.Count} alerts {alert} ({severity ?? "any severity"}), not one.");
    }

    /// <summary>Each alert's name, severity and expression, read from the rule files' YAML as they are written (one key per line).</summary>
    private static List<(string Alert, string Severity, string Expr)> Read()
    {
        var rules = new List<(string, string, string)>();
        var directory = Path.Join(Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()))!, "prometheus", "rules");
        foreach (var file in Directory.GetFiles(directory, "*.yml").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (System.Text.RegularExpressions.Regex.Match(lines[i], @"^\s*- alert: (\S+)") is not { Success: true } alert)
                {
                    continue;
                }

                var expr = new System.Text.StringBuilder();
                var severity = "";
                for (var j = i + 1; j < lines.Length && !lines[j].TrimStart().StartsWith("- alert:", StringComparison.Ordinal); j++)
                {
                    var line = lines[j].Trim();
                    if (line.StartsWith("expr:", StringComparison.Ordinal))
                    {
                        var rest = line["expr:".Length..].Trim();
                        if (rest is "|" or ">")
                        {
                            for (var k = j + 1; k < lines.Length && lines[k].Trim().Length > 0 && !lines[k].Trim().StartsWith("for:", StringComparison.Ordinal); k++)
                            {
                                expr.Append(' ').Append(lines[k].Trim());
                            }
                        }
                        else
                        {
                            expr.Append(rest);
                        }
                    }
                    else if (line.StartsWith("severity:", StringComparison.Ordinal))
                    {
                        severity = line["severity:".Length..].Trim();
                    }
                }

                rules.Add((alert.Groups[1].Value, severity, expr.ToString()));
            }
        }

        return rules;
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}

/// <summary>
/// The six dashboards. Every query selects the chosen jobs and instances with <see cref="Q.S"/>, and every aggregation
/// keeps each node's labels (<c>without</c> the item's own label, or <c>by</c> the node's): one Prometheus may watch many
/// nodes, beside their NodeHelper (job nodehelper) or probed (job nodehelper_probe, whose modules differ by label).
/// The per-node dashboards repeat each row for every node chosen; the fleet dashboard shows them all side by side.
/// </summary>
internal static class Boards
{
    private static readonly string[] UpDown = ["0", "Down", "red", "1", "Up", "green"];
    private static readonly string[] YesNo = ["0", "No", "green", "1", "Yes", "orange"];
    private static readonly string[] SyncedMap = ["0", "Not synced", "red", "1", "Synced", "green"];
    private static readonly string[] WalletMap = ["0", "Unlocked", "green", "1", "Locked", "red"];
    private static readonly string[] OkFailing = ["0", "Failing", "red", "1", "OK", "green"];

    /// <summary>
    /// For a number no shipped rule judges (yet): shown in the text colour, neither green nor red. The LND rules are not
    /// part of this branch; once they are, their thresholds belong here through <see cref="Rules"/>, as elsewhere.
    /// </summary>
    internal static readonly (string, double?)[] Neutral = [("text", null)];

    /// <summary>
    /// Every node one Prometheus watches, one row each: those beside their NodeHelper (job nodehelper, instance the
    /// exporter's address) and those probed (job nodehelper_probe, instance the node's name). Each column aggregates
    /// by the node's labels only, so a probed node's modules meet in one row.
    /// </summary>
    public static Board Fleet()
    {
        var b = new Board("nodehelper-fleet", "NodeHelper / Fleet",
            "Every node this Prometheus watches, one row each: is it read, is bitcoind up and at the tip, its peers and mempool, how far its indexers lag, LND, its fullest disk and its alerts. A node's row opens its overview.",
            fleet: true);

        b.Row("Every node");
        b.Table("Nodes", ["instance", "node", "job"], w: 24, h: 10, noValue: "not watched", columns:
        [
            new($"min by ({Q.Node}) ({Q.S("up")})", "NodeHelper", "none", ["0", "Down", "red", "1", "Up", "green"]),
            new(Q.PerNode("min", Q.S("bitcoind_up")), "bitcoind", "none", UpDown),
            new(Q.PerNode("max", Q.S("bitcoind_blocks")), "tip height", "none"),
            new(Q.PerNode("max", $"{Q.S("bitcoind_headers")} - {Q.S("bitcoind_blocks")}"), "behind headers", "none", Thresholds: Rules.Above("NodeHelperBitcoindBlocksBehindHeaders")),
            new(Q.PerNode("sum", Q.S("bitcoind_connections")), "peers", "none"),
            new(Q.PerNode("max", Q.S("bitcoind_mempool_usage_bytes")), "mempool", "decbytes"),
            new(Q.PerNode("max", Q.Lag("electrum_tip_height")), "Electrum behind", "none", Thresholds: Rules.Above("NodeHelperElectrumBehind")),
            new(Q.PerNode("max", Q.Lag("mempool_tip_height")), "mempool behind", "none", Thresholds: Rules.Within("NodeHelperMempoolTipMismatch")),
            new(Q.PerNode("min", Q.S("lnd_up")), "LND", "none", UpDown),
            new(Q.PerNode("max", Q.S("lnd_channels", "state=\"active\"")), "channels active", "none"),
            new(Q.FullestDisk, "fullest disk", "percentunit", Thresholds: Rules.DiskFull()),
            new(Q.AlertCount("severity=~\"critical|warning\""), "alerts firing", "none", Thresholds: [("green", null), ("red", 1)]),
        ], description: "One row per node: job nodehelper for a node with NodeHelper beside it (instance its address), nodehelper_probe for a probed one (instance its name). An empty cell is a component not watched there. Click a node's instance for its overview.",
            link: ("Overview of ${__value.raw}", "/d/nodehelper-overview/nodehelper-overview?var-datasource=${datasource}&var-job=${__data.fields.job}&var-instance=${__value.raw}&${__url_time_range}"));

        b.Row("Side by side");
        b.Timeseries("Tip height", "none", w: 8, decimals: 0, targets: [new(Q.PerNode("max", Q.S("bitcoind_blocks")), "{{instance}}")]);
        b.Timeseries("Blocks behind headers", "none", w: 8, decimals: 0, targets:
            [new(Q.PerNode("max", $"{Q.S("bitcoind_headers")} - {Q.S("bitcoind_blocks")}"), "{{instance}}")],
            thresholds: Rules.Above("NodeHelperBitcoindBlocksBehindHeaders"));
        b.Timeseries("Peers", "none", w: 8, decimals: 0, targets: [new(Q.PerNode("sum", Q.S("bitcoind_connections")), "{{instance}}")]);
        b.Timeseries("Mempool memory", "decbytes", w: 8, targets: [new(Q.PerNode("max", Q.S("bitcoind_mempool_usage_bytes")), "{{instance}}")]);
        b.Timeseries("Electrum server behind bitcoind", "none", w: 8, decimals: 0, targets:
            [new(Q.PerNode("max", Q.Lag("electrum_tip_height")), "{{instance}}")], thresholds: Rules.Above("NodeHelperElectrumBehind"));
        b.Timeseries("mempool backend behind bitcoind", "none", w: 8, decimals: 0, targets:
            [new(Q.PerNode("max", Q.Lag("mempool_tip_height")), "{{instance}}")]);
        b.Timeseries("LND channels active", "none", w: 8, decimals: 0, targets:
            [new(Q.PerNode("max", Q.S("lnd_channels", "state=\"active\"")), "{{instance}}")]);
        b.Timeseries("Fullest disk", "percentunit", w: 8, min: 0, max: 1, targets: [new(Q.FullestDisk, "{{instance}}")]);
        b.Timeseries("Alerts firing", "none", w: 8, decimals: 0, targets: [new(Q.AlertCount("severity=~\"critical|warning\""), "{{instance}}")]);
        b.Timeseries("NodeHelper's scrape time", "s", w: 24, h: 6, targets:
            [new(Q.PerNode("max", Q.S("nodehelper_scrape_collector_duration_seconds")), "{{instance}}")],
            description: "The slowest collector of each node's last scrape or probe.");
        return b;
    }

    public static Board Overview()
    {
        var b = new Board("nodehelper-overview", "NodeHelper / Overview",
            "Is my node healthy? Every component of the stack on one screen: up, in sync, connected, with room on its disks.");

        b.Row("Is every component up?");
        b.Stat("bitcoind", Q.S("bitcoind_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("Electrum server", Q.S("electrum_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("mempool backend", Q.S("mempool_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("mempool web site", Q.S("mempool_frontend_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("MariaDB", Q.S("mariadb_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("LND", Q.S("lnd_up"), "none", w: 3, mappings: UpDown, noValue: "not watched",
            description: "LND answers while its wallet is locked: Up here, Locked in the Lightning row below.");
        b.Stat("NodeHelper collectors", $"min without (collector, module) ({Q.S("nodehelper_scrape_collector_success")})", "none", w: 2,
            mappings: ["0", "Failing", "red", "1", "All reading", "green"],
            description: "1 when every enabled collector read its upstream in the last scrape.");
        b.Stat("Alerts firing", Q.AlertCount("severity=~\"critical|warning\""), "none", w: 2,
            thresholds: [("green", null), ("red", 1)],
            description: "Critical and warning alerts firing for this node now (the NodeHelper alert rules must be loaded in Prometheus).");
        b.Stat("Services failed", Q.CountPerNode($"{Q.S("nodehelper_service_state", "state=\"failed\"")} == 1", Q.S("nodehelper_service_state")), "none", w: 2,
            thresholds: [("green", null), ("red", 1)], description: "systemd units of the stack in the failed state.");

        b.Row("Is it in sync?");
        b.Stat("Tip heights", "", "none", w: 8, h: 5, decimals: 0, textMode: "value_and_name", targets:
        [
            new(Q.S("bitcoind_blocks"), "bitcoind"),
            new(Q.S("electrum_tip_height"), "Electrum"),
            new(Q.S("mempool_tip_height"), "mempool"),
            new(Q.S("mariadb_mempool_indexed_block_height"), "mempool database"),
            new(Q.S("lnd_block_height"), "LND"),
        ], description: "The newest block each component has processed.");
        b.Stat("Tip age", $"time() - {Q.S("bitcoind_best_block_timestamp_seconds")}", "s", w: 4, h: 5,
            thresholds: Rules.Above("NodeHelperBitcoindTipStale"),
            description: "Since the best block's timestamp (miners' clocks, so a few minutes either way). Orange where NodeHelperBitcoindTipStale fires on mainnet.");
        b.Stat("Verification progress", Q.S("bitcoind_verification_progress_ratio"), "percentunit", w: 4, h: 5, decimals: 2,
            // A cue, not an alert: no rule judges verification progress (initial sync is a state, not a fault).
            thresholds: [("orange", null), ("green", 0.9999)]);
        b.Timeseries("Lag behind bitcoind", "none", w: 8, h: 5, decimals: 0, targets:
        [
            new(Q.Lag("electrum_tip_height"), "Electrum"),
            new(Q.Lag("mempool_tip_height"), "mempool"),
            new(Q.Lag("mariadb_mempool_indexed_block_height"), "mempool database"),
            new(Q.LndLag, "LND"),
            new($"{Q.S("bitcoind_headers")} - {Q.S("bitcoind_blocks")}", "headers not yet validated"),
        ], description: "Blocks each component is behind bitcoind's validated tip. More than 2 for 15 minutes is an alert.");

        b.Row("Lightning");
        b.Stat("LND wallet", Q.S("lnd_wallet_locked"), "none", w: 4, mappings: WalletMap, noValue: "no answer from LND",
            description: "A locked wallet (after a restart of LND) answers nothing else: no payment, no HTLC claimed, until `lncli unlock`.");
        b.Stat("LND synced to chain", Q.S("lnd_synced_to_chain"), "none", w: 4, mappings: SyncedMap, noValue: "unknown");
        b.Stat("Channels active", Q.S("lnd_channels", "state=\"active\""), "none", w: 4, decimals: 0, thresholds: Neutral, noValue: "unknown");
        b.Stat("Channels inactive", Q.S("lnd_channels", "state=\"inactive\""), "none", w: 4, decimals: 0, thresholds: Neutral, noValue: "unknown",
            description: "Open channels whose peer is not connected: they cannot route.");
        b.Stat("Channels closing", $"sum without (state) ({Q.S("lnd_channels", "state=~\"pending_close|force_closing|waiting_close\"")})", "none", w: 4, decimals: 0,
            thresholds: Neutral, noValue: "unknown");
        b.Stat("Lightning alerts firing", Q.AlertCount("scope=\"lnd\""), "none", w: 4,
            thresholds: [("green", null), ("red", 1)], description: "Alerts of scope lnd firing for this node now.");

        b.Row("Network and mempool");
        b.Timeseries("Peers", "none", w: 6, decimals: 0, stack: true, targets:
            [new(Q.S("bitcoind_connections"), "{{direction}}")]);
        b.Timeseries("Mempool", "decbytes", w: 6, targets:
        [
            new(Q.S("bitcoind_mempool_usage_bytes"), "memory used"),
            new(Q.S("bitcoind_mempool_max_bytes"), "limit (-maxmempool)"),
        ]);
        b.Timeseries("Fee levels", Q.SatPerVbyte, w: 6, targets:
        [
            new(Q.S("mempool_recommended_fee_sat_per_vbyte"), "mempool {{target}}"),
            new(Q.S("bitcoind_mempool_min_fee_sat_per_vbyte"), "bitcoind minimum"),
        ]);
        b.Timeseries("Mempool transactions", "none", w: 6, decimals: 0, targets:
            [new(Q.S("bitcoind_mempool_transactions"), "transactions")]);

        b.Row("Disks and host");
        b.BarGauge("Disk free", $"{Q.S("nodehelper_filesystem_avail_bytes")} / {Q.S("nodehelper_filesystem_size_bytes")}", "percentunit",
            legend: "{{component}}", w: 6, min: 0, max: 1, thresholds: Rules.DiskFree());
        b.BarGauge("Days until full", Q.DaysUntilFull, "d", legend: "{{component}}", w: 6, min: 0, max: 365, decimals: 0,
            thresholds: Rules.DaysUntilFull(),
            description: "At the rate of the last 6 hours; 3650 means not filling. Orange within the horizon of NodeHelperFilesystemFillingUp (node-mixin's forecast).");
        b.Timeseries("CPU busy", "percentunit", w: 4, min: 0, max: 1, targets: [new(Q.CpuBusy, "busy")]);
        b.Timeseries("Memory available", "percentunit", w: 4, min: 0, max: 1, targets:
            [new($"{Q.S("nodehelper_memory_available_bytes")} / {Q.S("nodehelper_memory_total_bytes")}", "available")]);
        b.Stat("Service restarts, 24 h", $"sum without (unit) ({Q.Increase("nodehelper_service_restarts_total", "24h")})", "none", w: 4, decimals: 0,
            // A cue, not an alert: any restart is worth a look; NodeHelperServiceCrashLooping judges a loop.
            thresholds: [("green", null), ("orange", 1)], description: "Times systemd restarted a unit of the stack after a failure (more than 2 in 30 minutes is NodeHelperServiceCrashLooping).");
        return b;
    }

    public static Board Bitcoind()
    {
        var b = new Board("nodehelper-bitcoind", "NodeHelper / bitcoind",
            "bitcoind in detail: chain and sync, peers, traffic, mempool and fees, the latest block, RPC.");

        b.Row("Chain");
        b.Stat("bitcoind", Q.S("bitcoind_up"), "none", w: 3, mappings: UpDown);
        b.Stat("Warming up", Q.S("bitcoind_warming_up"), "none", w: 3, mappings: YesNo);
        b.Stat("Chain", Q.S("bitcoind_chain_info"), "none", w: 3, legend: "{{chain}}", textMode: "name");
        b.Stat("Version", Q.S("bitcoind_build_info"), "none", w: 5, legend: "{{subversion}}", textMode: "name");
        b.Stat("Uptime", Q.S("bitcoind_uptime_seconds"), "s", w: 3);
        b.Stat("Initial block download", Q.S("bitcoind_initial_block_download"), "none", w: 3, mappings: YesNo);
        b.Stat("Size on disk", Q.S("bitcoind_size_on_disk_bytes"), "decbytes", w: 3);
        b.Stat("Pruned", Q.S("bitcoind_pruned"), "none", w: 3, mappings: ["0", "No", "text", "1", "Yes", "text"]);
        b.Timeseries("Blocks and headers", "none", w: 8, decimals: 0, targets:
        [
            new(Q.S("bitcoind_blocks"), "blocks"),
            new(Q.S("bitcoind_headers"), "headers"),
        ]);
        b.Timeseries("Tip age", "s", w: 8, targets:
        [
            new($"time() - {Q.S("bitcoind_best_block_timestamp_seconds")}", "best block"),
            new($"time() - {Q.S("bitcoind_peer_last_block_timestamp_seconds")}", "since a peer last sent a block"),
        ]);
        b.Timeseries("Blocks per hour", "none", w: 8, targets:
            [new(Q.Increase("bitcoind_blocks", "1h"), "blocks")], description: "Six an hour on average on mainnet.");
        b.Stat("Chain tips", Q.S("bitcoind_chain_tips"), "none", w: 8, legend: "{{status}}", textMode: "value_and_name",
            description: "A new valid-fork tip is a block that lost a race: a reorganisation or a stale block.");
        b.Stat("Indexes synced", Q.S("bitcoind_index_synced"), "none", w: 8, legend: "{{index}}", textMode: "value_and_name",
            mappings: SyncedMap, noValue: "no optional index");
        b.Stat("Warnings", Q.S("bitcoind_warnings"), "none", w: 4, thresholds: Rules.Above("NodeHelperBitcoindWarnings"));
        b.Stat("Clock offset", Q.S("bitcoind_time_offset_seconds"), "s", w: 4, thresholds: Rules.Within("NodeHelperBitcoindClockOffset"));

        b.Row("Peers and traffic");
        b.Timeseries("Peers by direction", "none", w: 6, decimals: 0, stack: true, targets: [new(Q.S("bitcoind_connections"), "{{direction}}")]);
        b.Timeseries("Peers by network", "none", w: 6, decimals: 0, stack: true, targets: [new(Q.S("bitcoind_peers"), "{{network}}")]);
        b.Timeseries("Peers by connection type", "none", w: 6, decimals: 0, stack: true, targets:
            [new(Q.S("bitcoind_peers_by_connection_type"), "{{connection_type}}")]);
        b.Timeseries("Peers by transport", "none", w: 6, decimals: 0, stack: true, targets:
            [new(Q.S("bitcoind_peers_by_transport"), "{{transport}}")], description: "v2 is BIP324's encrypted transport.");
        b.Timeseries("Ping", "s", w: 8, targets:
        [
            new(Q.S("bitcoind_peer_ping_median_seconds"), "median"),
            new(Q.S("bitcoind_peer_ping_max_seconds"), "slowest"),
        ]);
        b.Timeseries("Traffic", "Bps", w: 8, targets:
        [
            new(Q.Rate("bitcoind_net_received_bytes_total"), "received"),
            new($"-{Q.Rate("bitcoind_net_sent_bytes_total")}", "sent"),
        ], description: "Sent is drawn below zero.");
        b.Stat("Banned peers", Q.S("bitcoind_banned_peers"), "none", w: 4);
        b.Stat("Network active", Q.S("bitcoind_network_active"), "none", w: 4, mappings: ["0", "Off", "red", "1", "On", "green"]);

        b.Row("Mempool and fees");
        b.Timeseries("Mempool size", "decbytes", w: 8, targets:
        [
            new(Q.S("bitcoind_mempool_vsize_bytes"), "virtual size"),
            new(Q.S("bitcoind_mempool_usage_bytes"), "memory used"),
            new(Q.S("bitcoind_mempool_max_bytes"), "limit"),
        ]);
        b.Timeseries("Mempool transactions", "none", w: 8, decimals: 0, targets:
        [
            new(Q.S("bitcoind_mempool_transactions"), "transactions"),
            new(Q.S("bitcoind_mempool_unbroadcast_transactions"), "not yet broadcast"),
        ]);
        b.Timeseries("Mempool fees", Q.Sat, w: 8, targets: [new(Q.S("bitcoind_mempool_total_fee_sat"), "total fees")]);
        b.Timeseries("Fee estimates", Q.SatPerVbyte, w: 12, targets:
            [new(Q.S("bitcoind_fee_estimate_sat_per_vbyte"), "{{target}} blocks")], description: "estimatesmartfee for each confirmation target.");
        b.Timeseries("Minimum fees", Q.SatPerVbyte, w: 12, targets:
        [
            new(Q.S("bitcoind_mempool_min_fee_sat_per_vbyte"), "mempool minimum"),
            new(Q.S("bitcoind_mempool_min_relay_fee_sat_per_vbyte"), "relay minimum"),
            new(Q.S("bitcoind_mempool_incremental_relay_fee_sat_per_vbyte"), "incremental relay"),
        ], description: "The mempool minimum above the relay minimum means a full mempool, evicting.");

        b.Row("Latest block");
        b.Stat("Height", Q.S("bitcoind_latest_block_height"), "none", w: 4, decimals: 0);
        b.Stat("Transactions", Q.S("bitcoind_latest_block_transactions"), "none", w: 4, decimals: 0);
        b.Stat("Size", Q.S("bitcoind_latest_block_size_bytes"), "decbytes", w: 4);
        b.Stat("Weight", Q.S("bitcoind_latest_block_weight"), "none", w: 4, description: "Out of 4,000,000 weight units.");
        b.Stat("Fees", Q.S("bitcoind_latest_block_fees_sat"), Q.Sat, w: 4);
        b.Stat("Subsidy", Q.S("bitcoind_latest_block_subsidy_sat"), Q.Sat, w: 4);
        b.BarGauge("Fee rate percentiles", Q.S("bitcoind_latest_block_fee_rate_sat_per_vbyte"), Q.SatPerVbyte, legend: "{{percentile}}th", w: 12);
        b.Timeseries("Chain transactions per second", "none", w: 12, targets:
            [new(Q.S("bitcoind_chain_tx_rate"), "transactions/s")], description: "getchaintxstats over its default window of about a month.");

        b.Row("RPC");
        b.Timeseries("RPC commands", "none", w: 8, targets: [new(Q.S("bitcoind_rpc_active_commands"), "other commands running")]);
        b.Timeseries("Longest RPC command", "s", w: 8, targets: [new(Q.S("bitcoind_rpc_longest_command_seconds"), "longest")]);
        b.Stat("RPC methods answering", Q.S("bitcoind_rpc_call_success"), "none", w: 8, legend: "{{method}}", textMode: "name",
            mappings: ["0", "Failing", "red", "1", "OK", "green"], colorMode: "background", description: "Each method of NodeHelper's batch.");
        return b;
    }

    public static Board Services()
    {
        var b = new Board("nodehelper-services", "NodeHelper / Electrum, mempool and MariaDB",
            "The services on top of bitcoind: the Electrum server, the mempool backend and its web site, and MariaDB.");

        b.Row("Electrum server");
        b.Stat("Electrum server", Q.S("electrum_up"), "none", w: 4, mappings: UpDown, noValue: "not watched");
        b.Stat("Server", Q.S("electrum_server_info"), "none", w: 5, legend: "{{server_version}}", textMode: "name");
        b.Stat("Behind bitcoind", Q.Lag("electrum_tip_height"), "none", w: 3, decimals: 0,
            thresholds: Rules.Above("NodeHelperElectrumBehind"));
        b.Timeseries("Probe time", "s", w: 6, targets: [new(Q.S("electrum_probe_duration_seconds"), "connect, version, tip, ping")],
            thresholds: Rules.Above("NodeHelperElectrumSlow"));
        b.Timeseries("Tip", "none", w: 6, decimals: 0, targets:
        [
            new(Q.S("electrum_tip_height"), "Electrum"),
            new(Q.S("bitcoind_blocks"), "bitcoind"),
        ]);

        b.Row("mempool backend");
        b.Stat("mempool backend", Q.S("mempool_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("Mempool in sync", Q.S("mempool_synced"), "none", w: 3, mappings: SyncedMap);
        b.Stat("Version", Q.S("mempool_build_info"), "none", w: 3, legend: "{{version}}", textMode: "name");
        b.Stat("Behind bitcoind", Q.Lag("mempool_tip_height"), "none", w: 3, decimals: 0,
            thresholds: Rules.Within("NodeHelperMempoolTipMismatch"));
        b.Timeseries("Recommended fees", Q.SatPerVbyte, w: 12, targets: [new(Q.S("mempool_recommended_fee_sat_per_vbyte"), "{{target}}")]);
        b.Timeseries("Mempool", "decbytes", w: 8, targets: [new(Q.S("mempool_vsize_bytes"), "virtual size")]);
        b.Timeseries("Incoming", "none", w: 8, targets: [new(Q.S("mempool_incoming_vbytes_per_second"), "vB/s")]);
        b.BarGauge("Loading", Q.S("mempool_loading_progress_ratio"), "percentunit", legend: "{{indicator}}", w: 8, min: 0, max: 1);
        b.Stat("Difficulty adjustment", Q.S("mempool_difficulty_adjustment_progress_ratio"), "percentunit", w: 6, description: "Progress through this period.");
        b.Stat("Estimated change", Q.S("mempool_difficulty_adjustment_estimated_change_ratio"), "percentunit", w: 6, decimals: 2);
        b.Stat("Blocks to the adjustment", Q.S("mempool_difficulty_adjustment_remaining_blocks"), "none", w: 6, decimals: 0);
        b.Stat("Endpoints answering", Q.S("mempool_endpoint_success"), "none", w: 6, legend: "{{endpoint}}", textMode: "name",
            mappings: ["0", "Failing", "red", "1", "OK", "green"], colorMode: "background");

        b.Row("mempool web site");
        b.Stat("Web site", Q.S("mempool_frontend_up"), "none", w: 6, mappings: UpDown, noValue: "not watched");
        b.Stat("HTTP status", Q.S("mempool_frontend_http_status_code"), "none", w: 6, decimals: 0,
            // HTTP's own line between success and error, not an alert threshold (NodeHelperMempoolFrontendDown judges the site).
            thresholds: [("green", null), ("red", 400)]);
        b.Stat("Certificate expires in", $"{Q.S("mempool_frontend_tls_certificate_expiry_timestamp_seconds")} - time()", "s", w: 6,
            thresholds: Rules.Below("NodeHelperMempoolFrontendCertificateExpiring"), noValue: "no TLS");
        b.Timeseries("Response time", "s", w: 6, targets: [new(Q.S("mempool_frontend_duration_seconds"), "front page")]);

        b.Row("MariaDB");
        b.Stat("MariaDB", Q.S("mariadb_up"), "none", w: 3, mappings: UpDown, noValue: "not watched");
        b.Stat("Version", Q.S("mariadb_build_info"), "none", w: 3, legend: "{{version}}", textMode: "name");
        b.Stat("Uptime", Q.S("mariadb_uptime_seconds"), "s", w: 3);
        b.Stat("Database behind bitcoind", Q.Lag("mariadb_mempool_indexed_block_height"), "none", w: 3,
            decimals: 0, thresholds: Rules.Above("NodeHelperMempoolDatabaseBehind"), description: "The newest block in the mempool backend's database.");
        b.Stat("Statistics age", $"time() - {Q.S("mariadb_mempool_newest_statistics_timestamp_seconds")}", "s", w: 3,
            thresholds: Rules.Above("NodeHelperMempoolStatisticsStale"), description: "The backend writes a row a minute.");
        b.Stat("Schema version", Q.S("mariadb_mempool_schema_version"), "none", w: 3, decimals: 0);
        b.Stat("Queries answering", Q.S("mariadb_query_success"), "none", w: 6, legend: "{{query}}", textMode: "name",
            mappings: ["0", "Failing", "red", "1", "OK", "green"], colorMode: "background");
        b.Timeseries("Connections", "none", w: 8, decimals: 0, targets:
        [
            new(Q.S("mariadb_connections"), "open"),
            new(Q.S("mariadb_max_used_connections"), "most at once"),
            new(Q.S("mariadb_max_connections"), "allowed"),
            new(Q.S("mariadb_threads_running"), "running"),
        ]);
        b.Timeseries("Queries", "reqps", w: 8, targets:
        [
            new(Q.Rate("mariadb_queries_total"), "queries"),
            new(Q.Rate("mariadb_slow_queries_total"), "slow queries"),
            new(Q.Rate("mariadb_connections_total"), "connections"),
            new(Q.Rate("mariadb_aborted_connects_total"), "aborted connects"),
            new(Q.Rate("mariadb_aborted_clients_total"), "aborted clients"),
        ]);
        b.Timeseries("InnoDB buffer pool", "decbytes", w: 8, targets:
        [
            new(Q.S("mariadb_innodb_buffer_pool_used_bytes"), "used"),
            new(Q.S("mariadb_innodb_buffer_pool_size_bytes"), "size"),
        ]);
        b.Timeseries("Buffer pool reads from disk", "percentunit", w: 12, targets:
            [new($"{Q.Rate("mariadb_innodb_buffer_pool_disk_reads_total")} / clamp_min({Q.Rate("mariadb_innodb_buffer_pool_read_requests_total")}, 1)", "share of reads")],
            description: "Of all reads, those that had to go to disk: lower is better; a larger buffer pool lowers it.");
        b.BarGauge("Database sizes", Q.S("mariadb_database_size_bytes"), "decbytes", legend: "{{database}}", w: 12);
        return b;
    }

    public static Board Lightning()
    {
        var b = new Board("nodehelper-lightning", "NodeHelper / Lightning (LND)",
            "LND in detail: its wallet, sync and lag behind bitcoind, peers, channels and balances, funds in limbo and the blocks left before force closes mature and HTLCs expire, routing fees, the graph, its TLS certificate and channel backup.");

        b.Row("Is LND up?");
        b.Stat("LND", Q.S("lnd_up"), "none", w: 3, mappings: UpDown, noValue: "not watched",
            description: "1 when LND answered /v1/state and, with the wallet unlocked, getinfo. A locked wallet answers: Up, and Locked beside it.");
        b.Stat("Wallet", Q.S("lnd_wallet_locked"), "none", w: 3, mappings: WalletMap, colorMode: "background", noValue: "no answer from LND",
            description: "Locked after every restart of LND until `lncli unlock`: meanwhile it answers nothing else, routes nothing, claims no HTLC.");
        b.Stat("Wallet state", $"{Q.S("lnd_wallet_state")} == 1", "none", w: 4, legend: "{{state}}", textMode: "name", noValue: "no answer from LND",
            description: "/v1/state: SERVER_ACTIVE is a wallet unlocked and LND fully started.");
        b.Stat("Synced to chain", Q.S("lnd_synced_to_chain"), "none", w: 3, mappings: SyncedMap, noValue: "unknown");
        b.Stat("Synced to graph", Q.S("lnd_synced_to_graph"), "none", w: 3, mappings: SyncedMap, noValue: "unknown");
        b.Stat("Version", Q.S("lnd_build_info"), "none", w: 4, legend: "{{version}}", textMode: "name", noValue: "unknown");
        b.Stat("Lightning alerts firing", Q.AlertCount("scope=\"lnd\""), "none", w: 4,
            thresholds: [("green", null), ("red", 1)],
            description: "Alerts of scope lnd firing for this node now (the NodeHelper alert rules must be loaded in Prometheus).");

        b.Row("Chain and peers");
        b.Stat("Behind bitcoind", Q.LndLag, "suffix: blocks", w: 4, decimals: 0, thresholds: Rules.Above("NodeHelperLndBehindBitcoind"), noValue: "unknown",
            description: "bitcoind's validated tip minus the height LND has processed.");
        b.Stat("Best block's time", $"{Q.S("lnd_best_header_timestamp_seconds")} * 1000", "dateTimeFromNow", w: 4, noValue: "unknown",
            description: "The time in the header of LND's best block (miners' clocks, so a few minutes either way).");
        b.Stat("Peers", Q.S("lnd_peers"), "none", w: 4, decimals: 0, thresholds: Neutral, noValue: "unknown");
        b.Timeseries("Lag behind bitcoind", "none", w: 6, h: 4, decimals: 0, targets: [new(Q.LndLag, "blocks behind")]);
        b.Timeseries("Peers over time", "none", w: 6, h: 4, decimals: 0, targets: [new(Q.S("lnd_peers"), "peers")]);

        b.Row("Channels and balances");
        b.Timeseries("Channels by state", "none", w: 8, decimals: 0, stack: true, targets: [new(Q.S("lnd_channels"), "{{state}}")],
            description: "Open channels active or inactive (the peer is not connected), and channels opening or closing.");
        b.Timeseries("Channel balance", Q.Sat, w: 8, decimals: 0, targets: [new(Q.S("lnd_channel_balance_sat"), "{{balance}}")],
            description: "Across open channels: local is what this node can send, remote what it can receive; unsettled is in HTLCs.");
        b.Timeseries("On-chain balance and anchor reserve", Q.Sat, w: 8, decimals: 0, targets:
        [
            new(Q.S("lnd_wallet_balance_sat"), "{{balance}}"),
            new(Q.S("lnd_wallet_anchor_reserve_sat"), "anchor reserve"),
        ], description: "A confirmed balance below the anchor reserve cannot fee-bump the anchor channels' force closes.");

        b.Row("Closing channels and HTLCs");
        b.Stat("In limbo", Q.S("lnd_limbo_balance_sat"), Q.Sat, w: 6, decimals: 0, thresholds: Neutral, noValue: "unknown",
            description: "Satoshis in closing channels not yet back in the wallet.");
        b.Stat("Force close matures in", Q.S("lnd_force_close_maturity_blocks"), "suffix: blocks", w: 6, decimals: 0, thresholds: Neutral,
            noValue: "none to mature", description: "Blocks until the next output of a confirmed force close still to mature can be swept (about 10 minutes a block): none when every output has matured, or none has a maturity height (a remote close).");
        b.Stat("Nearest HTLC expires in", Q.S("lnd_htlc_expiry_blocks"), "suffix: blocks", w: 6, decimals: 0, thresholds: Rules.AtMost("NodeHelperLndHtlcNearExpiry"),
            noValue: "no HTLC in flight", description: "Blocks until the nearest in-flight HTLC expires, from LND's own height (NodeHelperLndHtlcNearExpiry takes off LND's lag behind bitcoind). Unless it settles, LND takes its channel on chain for it: 10 blocks before the expiry for an incoming HTLC whose preimage it has, at the expiry for an outgoing one.");
        b.Stat("HTLCs in flight", Q.S("lnd_pending_htlcs"), "none", w: 6, decimals: 0, thresholds: Neutral, noValue: "unknown");
        b.Timeseries("Blocks left", "suffix: blocks", w: 12, decimals: 0, targets:
        [
            new(Q.S("lnd_force_close_maturity_blocks"), "force close matures in"),
            new(Q.S("lnd_htlc_expiry_blocks"), "nearest HTLC expires in"),
        ]);
        b.Timeseries("Limbo balance", Q.Sat, w: 12, decimals: 0, targets: [new(Q.S("lnd_limbo_balance_sat"), "in limbo")]);

        b.Row("Routing and graph");
        b.Stat("Routing fees earned", Q.S("lnd_routing_fees_sat"), Q.Sat, w: 8, decimals: 0, legend: "last {{period}}", textMode: "value_and_name",
            thresholds: Neutral, noValue: "unknown", description: "/v1/fees: fees earned forwarding payments over the last day, week and month.");
        b.Stat("Graph nodes", Q.S("lnd_graph_nodes"), "none", w: 4, decimals: 0, thresholds: Neutral, noValue: "unknown");
        b.Stat("Graph channels", Q.S("lnd_graph_channels"), "none", w: 4, decimals: 0, thresholds: Neutral, noValue: "unknown");
        b.Stat("Graph capacity", Q.S("lnd_graph_capacity_sat"), Q.Sat, w: 8, decimals: 0, thresholds: Neutral, noValue: "unknown",
            description: "The channel graph as LND sees it, read every 10 minutes.");

        b.Row("TLS certificate and channel backup");
        b.Stat("TLS certificate expires in", $"{Q.S("lnd_tls_certificate_expiry_timestamp_seconds")} - time()", "s", w: 4,
            thresholds: Rules.Below("NodeHelperLndTlsCertificateExpiring"), noValue: "not read",
            description: "LND's tls.cert (Lnd:TlsCertFile, pinned by NodeHelper): LND makes it for 14 months and renews it only at a restart once expired.");
        b.Stat("channel.backup written", $"{Q.S("lnd_channel_backup_last_modified_timestamp_seconds")} * 1000", "dateTimeFromNow", w: 4, noValue: "missing",
            description: "LND rewrites channel.backup at every start and on every channel open and close.");
        b.Stat("Copy of channel.backup", Q.S("lnd_channel_backup_copy_matches"), "none", w: 4,
            mappings: ["0", "differs or missing", "red", "1", "same", "green"], colorMode: "background", noValue: "no copy watched",
            description: "Lnd:ChannelBackupCopy compared with channel.backup by content, now: a restore from a copy that differs misses whatever changed since, the channels opened since (after a mere restart of LND only the encryption differs: refresh the copy all the same).");
        b.Stat("Copy written", $"{Q.S("lnd_channel_backup_copy_last_modified_timestamp_seconds")} * 1000", "dateTimeFromNow", w: 4, noValue: "no copy",
            description: "The copy is rewritten only when channel.backup changes: its age alone means nothing.");
        b.Stat("LND's files readable", Q.S("lnd_file_read_success"), "none", w: 8, legend: "{{file}}", textMode: "name",
            mappings: OkFailing, colorMode: "background", description: "The files of LND's NodeHelper reads: tls.cert, channel.backup and its copy.");

        b.Row("Per channel (Lnd:PerChannel)");
        b.Table("Channels", ["chan_id"], w: 24, h: 8, noValue: "no per-channel series: Lnd:PerChannel is off", columns:
        [
            new(Q.S("lnd_channel_active"), "active", "none", ["0", "inactive", "red", "1", "active", "green"]),
            new(Q.S("lnd_channel_capacity_sat"), "capacity", Q.Sat),
            new(Q.S("lnd_channel_local_balance_sat"), "local balance", Q.Sat),
            new(Q.S("lnd_channel_remote_balance_sat"), "remote balance", Q.Sat),
            new(Q.S("lnd_channel_pending_htlcs"), "HTLCs in flight", "none"),
        ], description: "Each channel by its short channel id (never by peer): whether it is active, its capacity and balances, its HTLCs.");
        return b;
    }

    public static Board Host()
    {
        var b = new Board("nodehelper-host", "NodeHelper / Host",
            "The machine under the stack: the disks its data lives on, memory, CPU, temperature, power, its systemd units, its security posture, and NodeHelper itself.");

        b.Row("Disks");
        b.BarGauge("Disk free", $"{Q.S("nodehelper_filesystem_avail_bytes")} / {Q.S("nodehelper_filesystem_size_bytes")}", "percentunit",
            legend: "{{component}} ({{path}})", w: 8, min: 0, max: 1, thresholds: Rules.DiskFree());
        b.BarGauge("Days until full", Q.DaysUntilFull, "d", legend: "{{component}}", w: 8, min: 0, max: 365, decimals: 0,
            thresholds: Rules.DaysUntilFull(), description: "At the rate of the last 6 hours; 3650 means not filling.");
        b.BarGauge("Data directory sizes", Q.S("nodehelper_directory_size_bytes"), "decbytes", legend: "{{component}}", w: 8,
            description: "Measured in the background every 15 minutes by default.");
        b.Timeseries("Space available", "decbytes", w: 12, targets:
        [
            new(Q.S("nodehelper_filesystem_avail_bytes"), "{{component}} now"),
            new($"predict_linear({Q.S("nodehelper_filesystem_avail_bytes")}[6h], 7 * 86400)", "{{component}} in a week at this rate"),
        ]);
        b.Stat("Unreadable data directories", $"sum without (component, path) ({Q.S("nodehelper_filesystem_error")})", "none", w: 12,
            thresholds: [("green", null), ("red", 1)], description: "Missing, not mounted, or not readable by NodeHelper's user.");

        b.Row("CPU, memory, temperature");
        b.Timeseries("CPU", "percentunit", w: 8, min: 0, max: 1, stack: true, targets:
            [new($"{Q.Rate("nodehelper_cpu_seconds_total", "mode!=\"idle\"")} / on (instance, job) group_left {Q.S("nodehelper_cpus")}", "{{mode}}")]);
        b.Timeseries("Load", "none", w: 8, targets:
        [
            new(Q.S("nodehelper_load1"), "1 min"),
            new(Q.S("nodehelper_load5"), "5 min"),
            new(Q.S("nodehelper_load15"), "15 min"),
            new(Q.S("nodehelper_cpus"), "CPUs"),
        ]);
        b.Timeseries("Memory", "decbytes", w: 8, targets:
        [
            new(Q.S("nodehelper_memory_available_bytes"), "available"),
            new(Q.S("nodehelper_memory_total_bytes"), "total"),
            new($"{Q.S("nodehelper_swap_total_bytes")} - {Q.S("nodehelper_swap_free_bytes")}", "swap used"),
        ]);
        b.Timeseries("Temperature", "celsius", w: 8, targets: [new(Q.S("nodehelper_temperature_celsius"), "{{zone}} ({{type}})")]);
        b.Stat("Raspberry Pi power and throttling", Q.S("nodehelper_rpi_throttle_flag"), "none", w: 8, legend: "{{flag}} {{when}}",
            textMode: "name", mappings: ["0", "OK", "green", "1", "Yes", "red"], colorMode: "background", noValue: "not a Raspberry Pi");
        b.Stat("Up since", $"{Q.S("nodehelper_boot_time_seconds")} * 1000", "dateTimeFromNow", w: 8);

        b.Row("Services");
        b.StateTimeline("Units", Q.S("nodehelper_service_active"), "{{unit}}", w: 16, mappings: ["0", "inactive", "red", "1", "active", "green"]);
        b.Timeseries("Restarts after failure, per hour", "none", w: 8, targets: [new(Q.Increase("nodehelper_service_restarts_total", "1h"), "{{unit}}")]);

        b.Row("Security posture");
        b.Stat("Stack ports beyond loopback", Q.S("nodehelper_listener_exposed"), "none", w: 12, legend: "{{service}} :{{port}}",
            textMode: "name", mappings: ["0", "loopback", "green", "1", "reachable", "orange"], colorMode: "background",
            description: "Each of the stack's ports that listens, and whether other machines can reach it. bitcoind's P2P is meant to be reachable; its RPC never (a critical alert).");
        b.Stat("Secret files others can read", Q.S("nodehelper_secret_file_world_readable"), "none", w: 12, legend: "{{file}}",
            textMode: "name", mappings: ["0", "private", "green", "1", "world-readable", "red"], colorMode: "background",
            description: "bitcoind's cookie and wallets, NodeHelper's password files: readable by every user of the host or not.");
        b.Stat("SSH passwords", Q.S("nodehelper_ssh_password_authentication_enabled"), "none", w: 6,
            mappings: ["0", "keys only", "green", "1", "accepted", "orange"], colorMode: "background", noValue: "no sshd");
        b.Stat("SSH root login", Q.S("nodehelper_ssh_root_login_permitted"), "none", w: 6,
            mappings: ["0", "no / key only", "green", "1", "permitted", "red"], colorMode: "background", noValue: "no sshd");
        b.Stat("Firewall", Q.S("nodehelper_firewall_enabled"), "none", w: 6, legend: "{{firewall}}",
            mappings: ["0", "off", "red", "1", "on", "green"], colorMode: "background", noValue: "no firewall installed");
        b.Stat("Reboot required", Q.S("nodehelper_reboot_required"), "none", w: 6,
            mappings: ["0", "no", "green", "1", "yes", "orange"], colorMode: "background");
        b.Stat("Pending upgrades", Q.S("nodehelper_apt_upgrades_pending"), "none", w: 6, noValue: "no apt",
            description: "Packages apt would upgrade (apt-get -s dist-upgrade, hourly, in the background), as of its package lists.");
        b.Stat("Pending security upgrades", Q.S("nodehelper_apt_security_upgrades_pending"), "none", w: 6, noValue: "no apt",
            thresholds: [("green", null), ("orange", 1)],
            description: "Of those, offered by a -security suite: published fixes not yet installed (NodeHelperSecurityUpgradesPending after two days).");
        b.Stat("unattended-upgrades", Q.S("nodehelper_unattended_upgrades_enabled"), "none", w: 6,
            mappings: ["0", "off", "orange", "1", "on", "green"], colorMode: "background", noValue: "no apt");
        b.Stat("Package lists age", $"time() - {Q.S("nodehelper_apt_lists_updated_timestamp_seconds")}", "s", w: 6, noValue: "no apt",
            description: "Since apt last refreshed its package lists: the pending counts are only as new as they are (NodeHelperPackageListsStale past 7 days).");
        b.Stat("Newer releases", Q.S("nodehelper_update_available"), "none", w: 12, legend: "{{component}} {{running}} → {{latest}}",
            textMode: "name", mappings: ["0", "current", "green", "1", "update", "blue"], colorMode: "background", noValue: "no version feed",
            description: "Each running component the version feed (Updates:FeedFile) names, and whether it names a newer release. NodeHelper never asks the internet: the feed is a file a job writes.");
        b.Stat("Version feed age", $"time() - {Q.S("nodehelper_update_feed_generated_timestamp_seconds")}", "s", w: 12, noValue: "no version feed",
            description: "How long ago the version feed was made: a feed nobody refreshes cannot tell of new releases (NodeHelperUpdateFeedStale past 14 days).");

        b.Row("Backups");
        b.Stat("Backups", Q.S("nodehelper_backup_exists"), "none", w: 8, legend: "{{item}}", textMode: "name",
            mappings: ["0", "missing", "red", "1", "present", "green"], colorMode: "background", noValue: "no backup watched",
            description: "Each backup Backups:Items names: whether its file exists.");
        b.Stat("Copies equal to their live file", Q.S("nodehelper_backup_copy_matches"), "none", w: 8, legend: "{{item}}", textMode: "name",
            mappings: ["0", "differs", "red", "1", "same", "green"], colorMode: "background", noValue: "no copy watched",
            description: "A copy (CopyOf) compared with its live file by content, now: a channel backup copy that differs cannot restore the channels opened since (NodeHelperBackupCopyDiffers).");
        b.Stat("Backup age", $"time() - ({Q.S("nodehelper_backup_last_success_timestamp_seconds")} or {Q.S("nodehelper_backup_last_modified_timestamp_seconds")})", "s", w: 8,
            legend: "{{item}}", noValue: "no backup watched",
            description: "Since a backup job's last success (a .prom file's *_last_success_timestamp_seconds) or the file's last write. A copy of a live file is only rewritten when that file changes: its age alone means nothing.");

        b.Row("NodeHelper");
        b.Timeseries("Collector time", "s", w: 8, targets: [new(Q.S("nodehelper_scrape_collector_duration_seconds"), "{{collector}}")]);
        b.StateTimeline("Collectors", Q.S("nodehelper_scrape_collector_success"), "{{collector}}", w: 8, mappings: ["0", "failing", "red", "1", "reading", "green"]);
        b.Timeseries("NodeHelper's memory", "decbytes", w: 8, targets:
            [new(Q.S("process_resident_memory_bytes"), "resident memory")],
            description: "What the exporter itself costs the machine.");
        return b;
    }
}

/// <summary>PromQL pieces every dashboard uses the same way.</summary>
internal static class Q
{
    public const string SatPerVbyte = "suffix: sat/vB";
    public const string Sat = "suffix: sat";

    /// <summary>Days until each data directory's filesystem is full at the rate of the last 6 hours, at most 3650 (not filling).</summary>
    public static string DaysUntilFull =>
        $"clamp_max({S("nodehelper_filesystem_avail_bytes")} / clamp_min(-deriv({S("nodehelper_filesystem_avail_bytes")}[6h]), 1) / 86400, 3650)";

    public static string CpuBusy =>
        $"1 - sum without (mode) ({Rate("nodehelper_cpu_seconds_total", "mode=\"idle\"")}) / sum without (mode) ({Rate("nodehelper_cpu_seconds_total")})";

    /// <summary>
    /// <paramref name="aggregation"/> of <paramref name="expr"/> per node: one series for each node, whatever its
    /// modules (a probed node's bitcoind and electrum series differ in module), for the fleet table's single row.
    /// </summary>
    public static string PerNode(string aggregation, string expr) => $"{aggregation} by ({Node}) ({expr})";

    /// <summary>The share used of each node's fullest data directory filesystem.</summary>
    public static string FullestDisk =>
        PerNode("max", $"1 - {S("nodehelper_filesystem_avail_bytes")} / {S("nodehelper_filesystem_size_bytes")}");

    /// <summary>A metric of the chosen jobs and instances (each variable may hold several), with more matchers if given.</summary>
    public static string S(string metric, string matchers = "") =>
        $"{metric}{{job=~\"$job\", instance=~\"$instance\"{(matchers.Length > 0 ? ", " + matchers : "")}}}";

    /// <summary>What every aggregation across a node's series keeps: the node's own labels (a probed node's series differ in module).</summary>
    public const string Node = "job, instance, node";

    /// <summary>
    /// How many series of <paramref name="expr"/> each node has, 0 for a node where <paramref name="present"/> has
    /// series but <paramref name="expr"/> none (count() or vector(0) would add an unlabelled 0 beside every node's count).
    /// </summary>
    public static string CountPerNode(string expr, string present) =>
        $"count by ({Node}) ({expr}) or 0 * group by ({Node}) ({present})";

    /// <summary>Alerts firing for each chosen node, 0 where none is.</summary>
    public static string AlertCount(string matchers) => CountPerNode(Alerts(matchers), S("nodehelper_scrape_collector_success"));

    public static string Rate(string counter, string matchers = "") => $"rate({S(counter, matchers)}[$__rate_interval])";

    public static string Increase(string counter, string window) => $"increase({S(counter)}[{window}])";

    /// <summary>How many blocks LND is behind bitcoind (instance:lnd_block_height:lag_blocks, computed here).</summary>
    public static string LndLag => Lag("lnd_block_height");

    /// <summary>How many blocks a component is behind bitcoind, with the component's labels (under /probe its module).</summary>
    public static string Lag(string height) => $"{S("bitcoind_blocks")} - on (instance, job) group_right {S(height)}";

    /// <summary>The alerts about LND firing for the chosen instance: whatever their names, they carry scope="lnd".</summary>
    public static string LndAlerts => Alerts("scope=\"lnd\"");

    /// <summary>Alerts firing for the chosen jobs and instances (Prometheus's own ALERTS series).</summary>
    public static string Alerts(string matchers) => S("ALERTS", $"alertstate=\"firing\", {matchers}");
}

internal sealed record Target(string Expr, string Legend);

/// <summary>A table column: its query, its header, its unit, and value mappings (value, text, colour triples) or thresholds if any.</summary>
internal sealed record Column(string Expr, string Name, string Unit, string[]? Mappings = null, (string Color, double? Value)[]? Thresholds = null);

/// <summary>
/// One dashboard: panels laid out left to right in rows 24 units wide. A per-node dashboard repeats each row for every
/// node chosen in its instance variable (its first node by default); the fleet dashboard (<paramref name="fleet"/>)
/// does not repeat, and starts with every job and node chosen.
/// </summary>
internal sealed class Board(string uid, string title, string description, bool fleet = false)
{
    private static readonly JsonObject Datasource = new() { ["type"] = "prometheus", ["uid"] = "${datasource}" };

    private readonly JsonArray _panels = [];
    private int _x;
    private int _y;
    private int _rowHeight;
    private int _id;

    public string Uid => uid;

    public void Row(string rowTitle)
    {
        NewLine();
        var row = new JsonObject
        {
            ["type"] = "row", ["title"] = fleet ? rowTitle : $"{rowTitle} · $instance", ["id"] = ++_id, ["collapsed"] = false,
            ["gridPos"] = Grid(0, _y, 24, 1), ["panels"] = new JsonArray(),
        };
        if (!fleet)
        {
            row["repeat"] = "instance";
        }

        _panels.Add((JsonNode)row);
        _y += 1;
    }

    public void Stat(string panelTitle, string expr, string unit, int w, int h = 4, string[]? mappings = null, string? noValue = null,
        string? description = null, (string Color, double? Value)[]? thresholds = null, int? decimals = null, string? legend = null,
        string textMode = "auto", string colorMode = "value", Target[]? targets = null)
    {
        var panel = Panel("stat", panelTitle, description, w, h, targets ?? [new(expr, legend ?? "")], instant: true,
            Defaults(unit, mappings, noValue, thresholds, decimals, null, null, mappings is null ? "thresholds" : null));
        panel["options"] = new JsonObject
        {
            ["reduceOptions"] = new JsonObject { ["calcs"] = new JsonArray("lastNotNull"), ["fields"] = "", ["values"] = false },
            ["colorMode"] = colorMode, ["graphMode"] = "none", ["justifyMode"] = "auto", ["orientation"] = "auto",
            ["textMode"] = textMode, ["wideLayout"] = true, ["showPercentChange"] = false,
        };
        Place(panel, w, h);
    }

    public void BarGauge(string panelTitle, string expr, string unit, int w, int h = 6, string legend = "", double? min = null, double? max = null,
        (string Color, double? Value)[]? thresholds = null, int? decimals = null, string? description = null)
    {
        var panel = Panel("bargauge", panelTitle, description, w, h, [new(expr, legend)], instant: true,
            Defaults(unit, null, null, thresholds ?? [("blue", null)], decimals, min, max, "thresholds"));
        panel["options"] = new JsonObject
        {
            ["reduceOptions"] = new JsonObject { ["calcs"] = new JsonArray("lastNotNull"), ["fields"] = "", ["values"] = false },
            ["displayMode"] = "gradient", ["orientation"] = "horizontal", ["showUnfilled"] = true, ["valueMode"] = "color",
            ["namePlacement"] = "auto", ["sizing"] = "auto", ["minVizHeight"] = 16, ["minVizWidth"] = 8, ["maxVizHeight"] = 300,
        };
        Place(panel, w, h);
    }

    /// <param name="thresholds">Drawn as lines: where an alert on the plotted value fires (from <see cref="Rules"/>).</param>
    public void Timeseries(string panelTitle, string unit, int w, int h = 7, Target[]? targets = null, int? decimals = null,
        double? min = null, double? max = null, bool stack = false, string? description = null, (string Color, double? Value)[]? thresholds = null)
    {
        var defaults = Defaults(unit, null, null, thresholds, decimals, min, max, "palette-classic");
        defaults["custom"] = new JsonObject
        {
            ["drawStyle"] = "line", ["lineWidth"] = 1, ["fillOpacity"] = stack ? 30 : 10, ["showPoints"] = "never",
            ["spanNulls"] = false, ["stacking"] = new JsonObject { ["mode"] = stack ? "normal" : "none", ["group"] = "A" },
        };
        if (thresholds is not null)
        {
            defaults["custom"]!["thresholdsStyle"] = new JsonObject { ["mode"] = "line" };
        }
        var panel = Panel("timeseries", panelTitle, description, w, h, targets ?? [], instant: false, defaults);
        panel["options"] = new JsonObject
        {
            ["legend"] = new JsonObject { ["displayMode"] = "list", ["placement"] = "bottom", ["showLegend"] = true, ["calcs"] = new JsonArray() },
            ["tooltip"] = new JsonObject { ["mode"] = "multi", ["sort"] = "desc" },
        };
        Place(panel, w, h);
    }

    /// <summary>
    /// A table of instant queries joined on their labels: one row per key, the <paramref name="keys"/> first (job and
    /// instance are left out unless among them), then one column per query. With <paramref name="link"/>, each row's
    /// first key opens that URL (Grafana's data link variables: ${__value.raw}, ${__data.fields.job}).
    /// </summary>
    public void Table(string panelTitle, string[] keys, int w, int h, Column[] columns, string? noValue = null, string? description = null,
        (string Title, string Url)? link = null)
    {
        var targets = columns.Select(c => new Target(c.Expr, c.Name)).ToArray();
        var panel = Panel("table", panelTitle, description, w, h, targets, instant: true,
            Defaults("none", null, noValue, Boards.Neutral, 0, null, null, "thresholds"));
        foreach (var query in panel["targets"]!.AsArray())
        {
            query!["format"] = "table";
        }

        var rename = new JsonObject();
        var order = new JsonObject();
        for (var k = 0; k < keys.Length; k++)
        {
            order[keys[k]] = k;
        }

        var overrides = new JsonArray();
        if (link is { } l)
        {
            overrides.Add((JsonNode)new JsonObject
            {
                ["matcher"] = new JsonObject { ["id"] = "byName", ["options"] = keys[0] },
                ["properties"] = new JsonArray(new JsonObject
                {
                    ["id"] = "links", ["value"] = new JsonArray(new JsonObject { ["title"] = l.Title, ["url"] = l.Url, ["targetBlank"] = false }),
                }),
            });
        }

        for (var i = 0; i < columns.Length; i++)
        {
            var value = $"Value #{(char)('A' + i)}";
            rename[value] = columns[i].Name;
            order[value] = keys.Length + i;
            var properties = new JsonArray(new JsonObject { ["id"] = "unit", ["value"] = columns[i].Unit });
            if (columns[i].Mappings is { } mappings)
            {
                properties.Add((JsonNode)new JsonObject { ["id"] = "mappings", ["value"] = Defaults("none", mappings, null, null, null, null, null, null)["mappings"]!.DeepClone() });
            }

            if (columns[i].Thresholds is { } thresholds)
            {
                properties.Add((JsonNode)new JsonObject { ["id"] = "thresholds", ["value"] = Defaults("none", null, null, thresholds, null, null, null, null)["thresholds"]!.DeepClone() });
            }

            if (columns[i].Mappings is not null || columns[i].Thresholds is not null)
            {
                properties.Add((JsonNode)new JsonObject { ["id"] = "custom.cellOptions", ["value"] = new JsonObject { ["type"] = "color-text" } });
            }

            overrides.Add((JsonNode)new JsonObject
            {
                ["matcher"] = new JsonObject { ["id"] = "byName", ["options"] = columns[i].Name },
                ["properties"] = properties,
            });
        }

        panel["fieldConfig"]!["overrides"] = overrides;
        panel["transformations"] = new JsonArray(
            new JsonObject { ["id"] = "merge", ["options"] = new JsonObject() },
            new JsonObject
            {
                ["id"] = "organize",
                ["options"] = new JsonObject
                {
                    ["excludeByName"] = Excluded(keys),
                    ["renameByName"] = rename,
                    ["indexByName"] = order,
                },
            });
        panel["options"] = new JsonObject
        {
            ["showHeader"] = true, ["cellHeight"] = "sm",
            ["footer"] = new JsonObject { ["show"] = false, ["reducer"] = new JsonArray("sum"), ["fields"] = "", ["countRows"] = false },
            ["sortBy"] = new JsonArray(new JsonObject { ["displayName"] = keys[0], ["desc"] = false }),
        };
        Place(panel, w, h);
    }

    /// <summary>The target labels a table leaves out unless they are among its keys.</summary>
    private static readonly string[] TargetLabels = ["job", "instance"];

    private static JsonObject Excluded(string[] keys)
    {
        var excluded = new JsonObject { ["Time"] = true };
        foreach (var label in TargetLabels.Except(keys))
        {
            excluded[label] = true;
        }

        excluded["__name__"] = true;
        return excluded;
    }

    public void StateTimeline(string panelTitle, string expr, string legend, int w, string[] mappings, int h = 7)
    {
        var panel = Panel("state-timeline", panelTitle, null, w, h, [new(expr, legend)], instant: false,
            Defaults("none", mappings, null, null, null, null, null, null));
        panel["options"] = new JsonObject
        {
            ["showValue"] = "never", ["mergeValues"] = true, ["rowHeight"] = 0.9, ["alignValue"] = "left",
            ["legend"] = new JsonObject { ["displayMode"] = "list", ["placement"] = "bottom", ["showLegend"] = false },
            ["tooltip"] = new JsonObject { ["mode"] = "single", ["sort"] = "none" },
        };
        Place(panel, w, h);
    }

    public string ToJson()
    {
        var dashboard = new JsonObject
        {
            ["uid"] = uid,
            ["title"] = title,
            ["description"] = description,
            ["tags"] = new JsonArray("nodehelper", "bitcoin"),
            ["editable"] = true,
            ["graphTooltip"] = 1,
            ["refresh"] = "1m",
            ["schemaVersion"] = 39,
            ["version"] = 1,
            ["time"] = new JsonObject { ["from"] = "now-24h", ["to"] = "now" },
            ["timepicker"] = new JsonObject(),
            ["timezone"] = "browser",
            ["fiscalYearStartMonth"] = 0,
            ["liveNow"] = false,
            ["links"] = new JsonArray(new JsonObject
            {
                ["title"] = "NodeHelper", ["type"] = "dashboards", ["tags"] = new JsonArray("nodehelper"), ["asDropdown"] = false,
                ["includeVars"] = true, ["keepTime"] = true, ["icon"] = "external link", ["targetBlank"] = false, ["tooltip"] = "", ["url"] = "",
            }),
            ["annotations"] = new JsonObject
            {
                ["list"] = new JsonArray(
                    new JsonObject
                    {
                        ["builtIn"] = 1, ["datasource"] = new JsonObject { ["type"] = "grafana", ["uid"] = "-- Grafana --" },
                        ["enable"] = true, ["hide"] = true, ["iconColor"] = "rgba(0, 211, 255, 1)", ["name"] = "Annotations & Alerts",
                        ["type"] = "dashboard",
                    }),
            },
            ["templating"] = new JsonObject
            {
                ["list"] = new JsonArray(
                    new JsonObject
                    {
                        ["name"] = "datasource", ["label"] = "Data source", ["type"] = "datasource", ["query"] = "prometheus",
                        ["hide"] = 0, ["includeAll"] = false, ["multi"] = false, ["options"] = new JsonArray(),
                        ["refresh"] = 1, ["regex"] = "", ["skipUrlSync"] = false,
                    },
                    // nodehelper_scrape_collector_success: /metrics and /probe both answer it (/probe has no exporter self metrics).
                    Variable("job", "Job", "label_values(nodehelper_scrape_collector_success, job)"),
                    Variable("instance", "Node", "label_values(nodehelper_scrape_collector_success{job=~\"$job\"}, instance)")),
            },
            ["panels"] = _panels,
        };
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return dashboard.ToJsonString(options) + "\n";
    }

    /// <summary>A variable of several values or all: Grafana sends the chosen ones as a regular expression, for =~.</summary>
    private JsonObject Variable(string name, string label, string query)
    {
        var variable = new JsonObject
        {
            ["name"] = name, ["label"] = label, ["type"] = "query", ["datasource"] = Datasource.DeepClone(),
            ["query"] = new JsonObject { ["qryType"] = 1, ["query"] = query, ["refId"] = "PrometheusVariableQueryEditor-VariableQuery" },
            ["hide"] = 0, ["includeAll"] = true, ["multi"] = true,
            ["options"] = new JsonArray(), ["refresh"] = 2, ["regex"] = "", ["skipUrlSync"] = false, ["sort"] = 1,
        };
        if (fleet)
        {
            variable["current"] = new JsonObject { ["selected"] = true, ["text"] = new JsonArray("All"), ["value"] = new JsonArray("$__all") };
        }

        return variable;
    }

    private JsonObject Panel(string type, string panelTitle, string? panelDescription, int w, int h, Target[] targets, bool instant, JsonObject defaults)
    {
        var queries = new JsonArray();
        for (var i = 0; i < targets.Length; i++)
        {
            queries.Add((JsonNode)new JsonObject
            {
                ["refId"] = ((char)('A' + i)).ToString(),
                ["datasource"] = Datasource.DeepClone(),
                ["expr"] = targets[i].Expr,
                ["legendFormat"] = targets[i].Legend.Length > 0 ? targets[i].Legend : "__auto",
                ["instant"] = instant,
                ["range"] = !instant,
                ["editorMode"] = "code",
            });
        }

        var panel = new JsonObject
        {
            ["type"] = type, ["title"] = panelTitle, ["id"] = ++_id, ["gridPos"] = Grid(0, 0, w, h), ["datasource"] = Datasource.DeepClone(),
            ["targets"] = queries, ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
        };
        if (panelDescription is not null)
        {
            panel["description"] = panelDescription;
        }

        return panel;
    }

    private static JsonObject Defaults(string unit, string[]? mappings, string? noValue, (string Color, double? Value)[]? thresholds,
        int? decimals, double? min, double? max, string? colorMode)
    {
        var defaults = new JsonObject { ["unit"] = unit };
        if (decimals is { } d)
        {
            defaults["decimals"] = d;
        }

        if (min is { } lo)
        {
            defaults["min"] = lo;
        }

        if (max is { } hi)
        {
            defaults["max"] = hi;
        }

        if (noValue is not null)
        {
            defaults["noValue"] = noValue;
        }

        if (colorMode is not null)
        {
            defaults["color"] = new JsonObject { ["mode"] = colorMode };
        }

        var steps = new JsonArray();
        foreach (var (color, value) in thresholds ?? [("green", null)])
        {
            steps.Add((JsonNode)new JsonObject { ["color"] = color, ["value"] = value });
        }

        defaults["thresholds"] = new JsonObject { ["mode"] = "absolute", ["steps"] = steps };
        var options = new JsonObject();
        for (var i = 0; mappings is not null && i < mappings.Length; i += 3)
        {
            options[mappings[i]] = new JsonObject { ["text"] = mappings[i + 1], ["color"] = mappings[i + 2], ["index"] = i / 3 };
        }

        defaults["mappings"] = mappings is null ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "value", ["options"] = options });
        return defaults;
    }

    private void Place(JsonObject panel, int w, int h)
    {
        if (_x + w > 24)
        {
            NewLine();
        }

        panel["gridPos"] = Grid(_x, _y, w, h);
        _panels.Add((JsonNode)panel);
        _x += w;
        _rowHeight = Math.Max(_rowHeight, h);
    }

    private void NewLine()
    {
        _y += _rowHeight;
        _x = 0;
        _rowHeight = 0;
    }

    private static JsonObject Grid(int x, int y, int w, int h) => new() { ["x"] = x, ["y"] = y, ["w"] = w, ["h"] = h };
}
