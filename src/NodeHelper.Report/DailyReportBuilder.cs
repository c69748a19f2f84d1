using NodeHelper.Report.Prometheus;

namespace NodeHelper.Report;

/// <summary>
/// Asks Prometheus about the last 24 hours of every NodeHelper instance of the job and turns the answers into a
/// <see cref="HealthReport"/>: availability per component, the chain, peers, mempool and fees, disks, restarts,
/// every alert that fired, and the charts. When Prometheus cannot be asked, the report says so: that silence is
/// exactly what the operator must hear about.
/// </summary>
internal sealed class DailyReportBuilder(PrometheusApiClient prometheus, ReportOptions options)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static readonly TimeSpan AlertStep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ChartStep = TimeSpan.FromMinutes(10);

    public async Task<HealthReport> BuildAsync(DateTimeOffset to, CancellationToken cancellationToken)
    {
        var from = to - Window;
        IReadOnlyList<string> instances;
        try
        {
            var seen = await prometheus.QueryAsync($"count by (instance) (count_over_time(up{{job=\"{Escape(options.Job)}\"}}[24h]))", to, cancellationToken);
            instances = [.. seen.Select(s => s.Label("instance")).Where(i => i.Length > 0).Order(StringComparer.Ordinal)];
        }
        catch (PrometheusException e)
        {
            return Unreachable(from, to, e.Message);
        }

        var nodes = new List<NodeSection>();
        var findings = new List<Finding>();
        foreach (var instance in instances)
        {
            var node = new NodeQueries(prometheus, options.Job, instance, named: instances.Count > 1, to, cancellationToken);
            try
            {
                nodes.Add(await node.BuildAsync(findings));
            }
            catch (PrometheusException e)
            {
                return Unreachable(from, to, e.Message);
            }
        }

        if (instances.Count == 0)
        {
            findings.Add(new Finding(Tone.Bad,
                $"Prometheus at {prometheus.BaseUrl} has no scrape of job \"{options.Job}\" in the last 24 hours: it is not watching NodeHelper, or the job has another name (Report:Job)."));
        }

        var ordered = findings.OrderByDescending(f => f.Tone).ToList();
        return new HealthReport(from, to, options.Job, prometheus.BaseUrl, nodes, ordered, HealthReport.Judge(nodes, ordered));
    }

    private HealthReport Unreachable(DateTimeOffset from, DateTimeOffset to, string problem) =>
        new(from, to, options.Job, prometheus.BaseUrl, [],
            [new Finding(Tone.Bad, $"The report could not be made: {problem} If Prometheus itself is down, nothing watches this node and no alert can fire: look at it first.")],
            Verdict.CannotTell);

    internal static string Escape(string labelValue) => labelValue.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>The queries about one instance, at the end of the window.</summary>
    /// <param name="named">Whether findings name the instance: only when the report covers several.</param>
    private sealed class NodeQueries(PrometheusApiClient prometheus, string job, string instance, bool named, DateTimeOffset to, CancellationToken cancellationToken)
    {
        private readonly string _sel = $"job=\"{Escape(job)}\", instance=\"{Escape(instance)}\"";

        private TimeSpan? _watched;

        public async Task<NodeSection> BuildAsync(List<Finding> findings)
        {
            var components = new List<ComponentSection>();
            await AddAsync(components, findings, NodeHelperAsync());
            await AddAsync(components, findings, BitcoindAsync(findings));
            await AddAsync(components, findings, ElectrumAsync());
            await AddAsync(components, findings, MempoolAsync());
            await AddAsync(components, findings, FrontendAsync());
            await AddAsync(components, findings, MariaDbAsync());
            await AddAsync(components, findings, HostAsync(findings));
            await AddAsync(components, findings, ServicesAsync(findings));
            var alerts = await AlertsAsync();
            foreach (var alert in alerts.Where(a => a.Severity is "critical" or "warning"))
            {
                var tone = alert.Severity == "critical" ? Tone.Bad : Tone.Attention;
                var when = alert.StillFiring ? $"since {Formats.Time(alert.Start)}, still firing" : $"at {Formats.Time(alert.Start)} for {Formats.Duration(alert.Duration)}";
                findings.Add(new Finding(tone, $"{Prefix()}{alert.Alert}{(alert.Detail.Length > 0 ? $" ({alert.Detail})" : "")} fired {when}."));
            }

            return new NodeSection(instance, components, alerts, await ChartsAsync());
        }

        private string Prefix() => named ? $"{instance}: " : "";

        private async Task AddAsync(List<ComponentSection> components, List<Finding> findings, Task<ComponentSection?> section)
        {
            if (await section is not { } component)
            {
                return;
            }

            components.Add(component);
            if (component.Availability is { } availability && availability < 1)
            {
                // The share of the time Prometheus watched, which is less than the day on a node watched since this morning.
                var down = TimeSpan.FromSeconds((1 - availability) * (await WatchedAsync()).TotalSeconds);
                findings.Add(new Finding(availability < 0.99 ? Tone.Bad : Tone.Attention,
                    $"{Prefix()}{component.Title} was unavailable for about {Formats.Duration(down)} ({Formats.Percent(availability)} available)."));
            }
        }

        private async Task<ComponentSection?> NodeHelperAsync()
        {
            var up = await ScalarAsync($"avg_over_time(up{{{_sel}}}[24h])");
            var version = await LabelAsync("nodehelper_build_info", "version");
            var failing = await QueryAsync($"last_over_time(nodehelper_scrape_collector_success{{{_sel}}}[10m]) == 0");
            List<Fact> facts =
            [
                new("Version", version ?? "unknown"),
                new("Collectors failing now", failing.Count == 0 ? "none" : string.Join(", ", failing.Select(f => f.Label("collector"))), failing.Count == 0 ? Tone.Good : Tone.Attention),
            ];
            var watched = await WatchedAsync();
            if (watched < Window - TimeSpan.FromMinutes(30))
            {
                facts.Add(new("Watched", $"the last {Formats.Duration(watched)} only: Prometheus has nothing older", Tone.Attention));
            }

            return new ComponentSection("NodeHelper", up, facts);
        }

        /// <summary>
        /// How much of the window Prometheus has scrapes of this instance for: from its first scrape in the window
        /// (to the minute) to the end. A whole day, except on the first day or after Prometheus lost its data.
        /// </summary>
        private async Task<TimeSpan> WatchedAsync()
        {
            if (_watched is null)
            {
                var first = await ScalarAsync($"min_over_time(timestamp(up{{{_sel}}})[24h:1m])");
                _watched = first is { } seconds ? Clamp(to - DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))) : Window;
            }

            return _watched.Value;

            static TimeSpan Clamp(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span > Window ? Window : span;
        }

        private async Task<ComponentSection?> BitcoindAsync(List<Finding> findings)
        {
            var availability = await ScalarAsync($"avg_over_time(bitcoind_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await LabelAsync("bitcoind_build_info", "subversion") is { } version)
            {
                facts.Add(new("Version", version));
            }

            var height = await ScalarAsync($"last_over_time(bitcoind_blocks{{{_sel}}}[24h])");
            var age = await ScalarAsync($"time() - last_over_time(bitcoind_best_block_timestamp_seconds{{{_sel}}}[24h])");
            if (height is { } h)
            {
                facts.Add(new("Tip", $"block {Formats.Count(h)}{(age is { } a ? $", {Formats.Seconds(a)} old" : "")}",
                    age is > 5400 ? Tone.Bad : age is > 3600 ? Tone.Attention : Tone.Good));
            }

            if (await ScalarAsync($"max_over_time(bitcoind_blocks{{{_sel}}}[24h]) - min_over_time(bitcoind_blocks{{{_sel}}}[24h])") is { } seen)
            {
                facts.Add(new("Blocks seen", Formats.Count(seen)));
            }

            if (await ScalarAsync($"max_over_time((time() - bitcoind_best_block_timestamp_seconds{{{_sel}}})[24h:1m])") is { } longest)
            {
                facts.Add(new("Longest wait for a block", Formats.Seconds(longest), longest > 5400 ? Tone.Attention : Tone.Neutral));
            }

            var connections = await ByLabelAsync($"last_over_time(bitcoind_connections{{{_sel}}}[10m])", "direction");
            if (connections.Count > 0)
            {
                var inbound = connections.GetValueOrDefault("inbound");
                var outbound = connections.GetValueOrDefault("outbound");
                var fewest = await ScalarAsync($"min_over_time(sum by (instance) (bitcoind_connections{{{_sel}}})[24h:5m])");
                facts.Add(new("Peers", $"{Formats.Count(inbound + outbound)} now ({Formats.Count(outbound)} outbound, {Formats.Count(inbound)} inbound){(fewest is { } f ? $", fewest {Formats.Count(f)}" : "")}",
                    fewest is 0 ? Tone.Bad : outbound < 4 ? Tone.Attention : Tone.Good));
            }

            var transactions = await ScalarAsync($"last_over_time(bitcoind_mempool_transactions{{{_sel}}}[10m])");
            var vsize = await ScalarAsync($"last_over_time(bitcoind_mempool_vsize_bytes{{{_sel}}}[10m])");
            var fullest = await ScalarAsync($"max_over_time((bitcoind_mempool_usage_bytes{{{_sel}}} / bitcoind_mempool_max_bytes{{{_sel}}})[24h:5m])");
            if (transactions is { } tx)
            {
                facts.Add(new("Mempool", $"{Formats.Plural(tx, "transaction", "transactions")}{(vsize is { } v ? $", {Formats.Bytes(v)}" : "")}{(fullest is { } full ? $"; at most {Formats.Percent(full)} full" : "")}",
                    fullest is > 0.9 ? Tone.Attention : Tone.Neutral));
            }

            var fees = await ByLabelAsync($"last_over_time(bitcoind_fee_estimate_sat_per_vbyte{{{_sel}, target=~\"1|6|144\"}}[10m])", "target");
            if (fees.Count > 0)
            {
                var parts = new[] { ("1", "next block"), ("6", "1 hour"), ("144", "1 day") }
                    .Where(t => fees.ContainsKey(t.Item1)).Select(t => $"{t.Item2} {Formats.FeeRate(fees[t.Item1])}");
                facts.Add(new("Fee estimates now", string.Join(", ", parts)));
            }

            var restarts = await ScalarAsync($"resets(bitcoind_uptime_seconds{{{_sel}}}[24h])") ?? 0;
            facts.Add(new("Restarts", restarts == 0 ? "none" : Formats.Count(restarts), restarts == 0 ? Tone.Good : Tone.Attention));
            if (restarts > 0)
            {
                findings.Add(new Finding(Tone.Attention, $"{Prefix()}bitcoind restarted {Formats.Plural(restarts, "time", "times")}."));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_warnings{{{_sel}}}[10m])") is > 0 and var warnings)
            {
                facts.Add(new("Warnings", Formats.Count(warnings), Tone.Attention));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_initial_block_download{{{_sel}}}[10m])") is 1
                && await ScalarAsync($"last_over_time(bitcoind_verification_progress_ratio{{{_sel}}}[10m])") is { } progress)
            {
                facts.Add(new("Initial block download", $"{Formats.Percent(progress)} verified", Tone.Attention));
            }

            return new ComponentSection("bitcoind", availability, facts);
        }

        private async Task<ComponentSection?> ElectrumAsync()
        {
            var availability = await ScalarAsync($"avg_over_time(electrum_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await LabelAsync("electrum_server_info", "server_version") is { } server)
            {
                facts.Add(new("Server", server));
            }

            await AddLagAsync(facts, "electrum_tip_height");
            if (await ScalarAsync($"avg_over_time(electrum_probe_duration_seconds{{{_sel}}}[24h])") is { } probe)
            {
                facts.Add(new("Probe time", $"{Formats.Seconds(probe)} on average", probe > 2 ? Tone.Attention : Tone.Good));
            }

            return new ComponentSection("Electrum server", availability, facts);
        }

        private async Task<ComponentSection?> MempoolAsync()
        {
            var availability = await ScalarAsync($"avg_over_time(mempool_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await LabelAsync("mempool_build_info", "version") is { } version)
            {
                facts.Add(new("Version", version));
            }

            if (await ScalarAsync($"avg_over_time(mempool_synced{{{_sel}}}[24h])") is { } synced)
            {
                facts.Add(new("Mempool in sync", $"{Formats.Percent(synced)} of the time", synced < 1 ? Tone.Attention : Tone.Good));
            }

            await AddLagAsync(facts, "mempool_tip_height");
            var fees = await ByLabelAsync($"last_over_time(mempool_recommended_fee_sat_per_vbyte{{{_sel}}}[10m])", "target");
            if (fees.Count > 0)
            {
                var parts = new[] { ("fastest", "fastest"), ("hour", "1 hour"), ("economy", "economy") }
                    .Where(t => fees.ContainsKey(t.Item1)).Select(t => $"{t.Item2} {Formats.FeeRate(fees[t.Item1])}");
                facts.Add(new("Recommended fees now", string.Join(", ", parts)));
            }

            return new ComponentSection("mempool backend", availability, facts);
        }

        private async Task<ComponentSection?> FrontendAsync()
        {
            var availability = await ScalarAsync($"avg_over_time(mempool_frontend_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await ScalarAsync($"last_over_time(mempool_frontend_http_status_code{{{_sel}}}[10m])") is { } status)
            {
                facts.Add(new("HTTP status now", Formats.Count(status), status >= 400 ? Tone.Bad : Tone.Good));
            }

            if (await ScalarAsync($"(last_over_time(mempool_frontend_tls_certificate_expiry_timestamp_seconds{{{_sel}}}[24h]) - time()) / 86400") is { } days)
            {
                facts.Add(new("TLS certificate", days < 0 ? "expired" : $"expires in {Formats.Count(Math.Floor(days))} days",
                    days < 3 ? Tone.Bad : days < 14 ? Tone.Attention : Tone.Good));
            }

            return new ComponentSection("mempool web site", availability, facts);
        }

        private async Task<ComponentSection?> MariaDbAsync()
        {
            var availability = await ScalarAsync($"avg_over_time(mariadb_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await LabelAsync("mariadb_build_info", "version") is { } version)
            {
                facts.Add(new("Version", version));
            }

            var restarts = await ScalarAsync($"resets(mariadb_uptime_seconds{{{_sel}}}[24h])") ?? 0;
            facts.Add(new("Restarts", restarts == 0 ? "none" : Formats.Count(restarts), restarts == 0 ? Tone.Good : Tone.Attention));
            if (await ScalarAsync($"max_over_time((mariadb_connections{{{_sel}}} / mariadb_max_connections{{{_sel}}})[24h:5m])") is { } busiest)
            {
                facts.Add(new("Most connections in use", Formats.Percent(busiest), busiest > 0.8 ? Tone.Attention : Tone.Good));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_blocks{{{_sel}}}[10m]) - on (instance, job) last_over_time(mariadb_mempool_indexed_block_height{{{_sel}}}[10m])") is { } behind)
            {
                facts.Add(new("mempool database behind bitcoind", Formats.Plural(behind, "block", "blocks"), behind > 2 ? Tone.Attention : Tone.Good));
            }

            if (await ScalarAsync($"time() - last_over_time(mariadb_mempool_newest_statistics_timestamp_seconds{{{_sel}}}[10m])") is { } statistics)
            {
                facts.Add(new("Newest mempool statistics", $"{Formats.Seconds(statistics)} old", statistics > 600 ? Tone.Attention : Tone.Good));
            }

            return new ComponentSection("MariaDB", availability, facts);
        }

        private async Task<ComponentSection?> HostAsync(List<Finding> findings)
        {
            var sizes = await QueryAsync($"last_over_time(nodehelper_filesystem_size_bytes{{{_sel}}}[10m])");
            var memory = await ScalarAsync($"min_over_time((nodehelper_memory_available_bytes{{{_sel}}} / nodehelper_memory_total_bytes{{{_sel}}})[24h:5m])");
            if (sizes.Count == 0 && memory is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            var avail = (await QueryAsync($"last_over_time(nodehelper_filesystem_avail_bytes{{{_sel}}}[10m])")).ToDictionary(s => s.Label("component"), s => s.Value);
            var slopes = (await QueryAsync($"deriv(nodehelper_filesystem_avail_bytes{{{_sel}}}[24h])")).ToDictionary(s => s.Label("component"), s => s.Value);
            foreach (var size in sizes.OrderBy(s => s.Label("component"), StringComparer.Ordinal))
            {
                var component = size.Label("component");
                if (!avail.TryGetValue(component, out var free) || size.Value <= 0)
                {
                    continue;
                }

                var ratio = free / size.Value;
                var text = $"{Formats.Bytes(free)} free of {Formats.Bytes(size.Value)} ({Formats.Percent(ratio)})";
                var tone = ratio < 0.12 ? Tone.Bad : ratio < 0.2 ? Tone.Attention : Tone.Good;
                if (slopes.TryGetValue(component, out var slope) && slope < 0)
                {
                    var days = free / -slope / 86400;
                    text += days < 3650 ? $", full in {Formats.Plural(Math.Floor(days), "day", "days")} at today's rate" : ", filling very slowly";
                    if (days < 30)
                    {
                        var dayTone = days < 7 ? Tone.Bad : Tone.Attention;
                        tone = (Tone)Math.Max((int)tone, (int)dayTone);
                        findings.Add(new Finding(dayTone, $"{Prefix()}the disk of {component} will be full in about {Formats.Plural(Math.Floor(days), "day", "days")} at today's rate."));
                    }
                }
                else
                {
                    text += ", not filling";
                }

                facts.Add(new($"Disk of {component} ({size.Label("path")})", text, tone));
            }

            var busy = await ScalarAsync(
                $"1 - sum(rate(nodehelper_cpu_seconds_total{{{_sel}, mode=\"idle\"}}[24h])) / sum(rate(nodehelper_cpu_seconds_total{{{_sel}}}[24h]))");
            if (busy is { } cpu)
            {
                facts.Add(new("CPU busy", $"{Formats.Percent(cpu)} on average", cpu > 0.8 ? Tone.Attention : Tone.Neutral));
            }

            if (memory is { } lowest)
            {
                facts.Add(new("Memory available", $"at least {Formats.Percent(lowest)}", lowest < 0.1 ? Tone.Attention : Tone.Good));
            }

            if (await ScalarAsync($"max(max_over_time(nodehelper_temperature_celsius{{{_sel}}}[24h]))") is { } hottest)
            {
                facts.Add(new("Hottest", $"{Formats.Number(hottest)} °C", hottest > 80 ? Tone.Attention : Tone.Good));
            }

            var flags = await ByLabelAsync($"max by (flag) (max_over_time(nodehelper_rpi_throttle_flag{{{_sel}, when=\"now\"}}[24h]))", "flag");
            if (flags.Count > 0)
            {
                var seen = flags.Where(f => f.Value > 0).Select(f => f.Key.Replace('_', ' ')).ToList();
                facts.Add(new("Raspberry Pi power", seen.Count == 0 ? "no under-voltage, no throttling" : $"seen: {string.Join(", ", seen)}",
                    seen.Count == 0 ? Tone.Good : Tone.Attention));
            }

            return new ComponentSection("Host", null, facts);
        }

        private async Task<ComponentSection?> ServicesAsync(List<Finding> findings)
        {
            var active = await QueryAsync($"last_over_time(nodehelper_service_active{{{_sel}}}[10m])");
            if (active.Count == 0)
            {
                return null;
            }

            var facts = new List<Fact>();
            var states = (await QueryAsync($"last_over_time(nodehelper_service_state{{{_sel}}}[10m]) == 1"))
                .GroupBy(s => s.Label("unit")).ToDictionary(g => g.Key, g => g.First().Label("state"));
            var failed = states.Where(s => s.Value == "failed").Select(s => s.Key).ToHashSet();
            var restarts = (await QueryAsync($"increase(nodehelper_service_restarts_total{{{_sel}}}[24h])"))
                .ToDictionary(s => s.Label("unit"), s => Math.Round(s.Value));
            foreach (var unit in active.OrderBy(s => s.Label("unit"), StringComparer.Ordinal))
            {
                var name = unit.Label("unit");
                var restarted = restarts.GetValueOrDefault(name);
                var state = states.GetValueOrDefault(name) ?? (unit.Value == 1 ? "active" : "not active");
                var text = restarted > 0 ? $"{state}, restarted {Formats.Plural(restarted, "time", "times")} after failing" : state;
                facts.Add(new(name, text, failed.Contains(name) ? Tone.Bad : restarted > 0 ? Tone.Attention : unit.Value == 1 ? Tone.Good : Tone.Neutral));
                if (restarted > 0)
                {
                    findings.Add(new Finding(Tone.Attention, $"{Prefix()}systemd restarted {name} {Formats.Plural(restarted, "time", "times")} after it failed."));
                }

                if (failed.Contains(name))
                {
                    findings.Add(new Finding(Tone.Bad, $"{Prefix()}{name} is in the failed state."));
                }
            }

            return new ComponentSection("Services", null, facts);
        }

        /// <summary>Every alert that fired, from Prometheus's ALERTS series sampled once a minute.</summary>
        private async Task<IReadOnlyList<AlertEpisode>> AlertsAsync()
        {
            var series = await prometheus.QueryRangeAsync(
                $"ALERTS{{{_sel}, alertstate=\"firing\", alertname!=\"NodeHelperWatchdog\"}}", to - Window, to, AlertStep, cancellationToken);
            var episodes = new List<AlertEpisode>();
            foreach (var alert in series)
            {
                var detail = string.Join(", ", alert.Labels
                    .Where(l => l.Key is not ("__name__" or "alertname" or "alertstate" or "severity" or "scope" or "job" or "instance"))
                    .OrderBy(l => l.Key, StringComparer.Ordinal)
                    .Select(l => $"{l.Key} {l.Value}"));
                // ALERTS is 1 while firing; anything else (a NaN ending a backfilled series) is not firing.
                var firing = alert.Points.Where(p => p.Value == 1).ToList();
                if (firing.Count == 0)
                {
                    continue;
                }

                var start = firing[0].Time;
                var last = start;
                foreach (var (time, _) in firing.Skip(1))
                {
                    if (time - last > AlertStep)
                    {
                        episodes.Add(Episode(alert, detail, start, last));
                        start = time;
                    }

                    last = time;
                }

                episodes.Add(Episode(alert, detail, start, last));
            }

            return [.. episodes.OrderBy(e => e.Start)];
        }

        private AlertEpisode Episode(PromSeries alert, string detail, DateTimeOffset start, DateTimeOffset last) =>
            new(alert.Label("alertname"), alert.Label("severity"), detail, start, last + AlertStep, StillFiring: last >= to - AlertStep);

        private async Task<IReadOnlyList<ReportChart>> ChartsAsync()
        {
            var charts = new List<ReportChart>();
            await AddChartAsync(charts, "tip-age", "Age of bitcoind's tip", $"(time() - bitcoind_best_block_timestamp_seconds{{{_sel}}}) / 60", _ => "tip",
                v => $"{Formats.Number(v)} min", min: 0);
            await AddChartAsync(charts, "peers", "Peers", $"sum by (direction) (bitcoind_connections{{{_sel}}})", s => s.Label("direction"),
                Formats.Count, min: 0);
            await AddChartAsync(charts, "mempool", "Mempool size", $"bitcoind_mempool_vsize_bytes{{{_sel}}}", _ => "virtual size", Formats.Bytes, min: 0);
            await AddChartAsync(charts, "disk", "Disk free", $"nodehelper_filesystem_avail_bytes{{{_sel}}} / nodehelper_filesystem_size_bytes{{{_sel}}}",
                s => s.Label("component"), Formats.Percent, min: 0, max: 1);
            return charts;
        }

        private async Task AddChartAsync(List<ReportChart> charts, string id, string title, string query, Func<PromSeries, string> name,
            Func<double, string> format, double? min = null, double? max = null)
        {
            var series = await prometheus.QueryRangeAsync(query, to - Window, to, ChartStep, cancellationToken);
            if (series.Count > 0)
            {
                charts.Add(new ReportChart(id, title, [.. series.Select(s => new ChartSeries(name(s), WithGaps(s.Points)))], format, min, max));
            }
        }

        /// <summary>The day on a regular grid, NaN where Prometheus had nothing: the chart shows the gap.</summary>
        private List<(DateTimeOffset, double)> WithGaps(IReadOnlyList<(DateTimeOffset Time, double Value)> points)
        {
            var byTime = points.ToDictionary(p => p.Time.ToUnixTimeSeconds(), p => p.Value);
            var grid = new List<(DateTimeOffset, double)>();
            for (var time = to - Window; time <= to; time += ChartStep)
            {
                grid.Add((time, byTime.TryGetValue(time.ToUnixTimeSeconds(), out var value) ? value : double.NaN));
            }

            return grid;
        }

        /// <summary>
        /// How far a follower's tip is behind bitcoind's. Only while bitcoind answers: its last tip before it stopped is
        /// no yardstick. A follower a block ahead is a scrape that caught a new block half-way: it counts as none.
        /// </summary>
        private async Task AddLagAsync(List<Fact> facts, string tip)
        {
            var most = await ScalarAsync($"max_over_time(clamp_min(bitcoind_blocks{{{_sel}}} - on (instance, job) {tip}{{{_sel}}}, 0)[24h:5m])");
            var today = most is { } m ? $", at most {Formats.Count(m)} today" : "";
            if (await ScalarAsync($"last_over_time(bitcoind_up{{{_sel}}}[10m])") is not 1)
            {
                facts.Add(new("Behind bitcoind", $"unknown now: bitcoind is not answering{today}", Tone.Attention));
                return;
            }

            var lag = await ScalarAsync($"clamp_min(last_over_time(bitcoind_blocks{{{_sel}}}[10m]) - on (instance, job) last_over_time({tip}{{{_sel}}}[10m]), 0)");
            if (lag is { } now)
            {
                facts.Add(new("Behind bitcoind", $"{Formats.Plural(now, "block", "blocks")} now{today}", now > 2 ? Tone.Attention : Tone.Good));
            }
        }

        private Task<IReadOnlyList<PromSeries>> QueryAsync(string query) => prometheus.QueryAsync(query, to, cancellationToken);

        private async Task<double?> ScalarAsync(string query)
        {
            var result = await QueryAsync(query);
            return result.Count > 0 && double.IsFinite(result[0].Value) ? result[0].Value : null;
        }

        private async Task<Dictionary<string, double>> ByLabelAsync(string query, string label) =>
            (await QueryAsync(query)).Where(s => double.IsFinite(s.Value)).GroupBy(s => s.Label(label)).ToDictionary(g => g.Key, g => g.First().Value);

        private async Task<string?> LabelAsync(string metric, string label)
        {
            // "?" is what a mempool backend built without its git details says for its version.
            var result = await QueryAsync($"last_over_time({metric}{{{_sel}}}[24h])");
            return result.Count > 0 && result[0].Label(label) is { Length: > 0 } value && value != "?" ? value : null;
        }
    }
}
