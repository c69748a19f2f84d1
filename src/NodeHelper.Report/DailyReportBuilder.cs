using NodeHelper.Core.Upstreams;
using NodeHelper.Report.Prometheus;

namespace NodeHelper.Report;

/// <summary>
/// Asks Prometheus about the last 24 hours of every node it watches (each instance of NodeHelper's job, and each node
/// NodeHelper probes, of the /probe job) and turns the answers into a
/// <see cref="HealthReport"/>: availability per component, the chain, peers, mempool and fees, disks, restarts,
/// every alert that fired, and the charts. When Prometheus cannot be asked, the report says so: that silence is
/// exactly what the operator must hear about.
/// <para>
/// The report judges nothing itself. What is wrong is what the shipped rules say is wrong: its findings are the alerts
/// Prometheus evaluated (<c>ALERTS</c>, <c>ALERTS_FOR_STATE</c>), and a fact is coloured by whether its alert fires
/// now. No threshold of the rules is written here a second time, so the report and the mails cannot disagree. A
/// forecast or a "longest" figure needs <see cref="EnoughHistory"/> watched before it is shown at all. One thing it
/// says before any alert: a probed module whose latest probe failed (probe_success 0, or up 0), or a collector of
/// NodeHelper's own node whose latest scrape failed (nodehelper_scrape_collector_success 0), is read by nobody now, a
/// problem rather than a fine day its alert has not caught up with yet.
/// </para>
/// </summary>
internal sealed class DailyReportBuilder(PrometheusApiClient prometheus, ReportOptions options)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>
    /// How much history a trend needs before the report repeats it: six hours, the window the disk-filling rule
    /// (NodeHelperFilesystemFillingUp) takes its trend over. A two-minute slope forecasts nothing.
    /// </summary>
    public static readonly TimeSpan EnoughHistory = TimeSpan.FromHours(6);

    private static readonly TimeSpan AlertStep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ChartStep = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Makes the report. It always returns one: whatever Prometheus answers (several series where one was expected,
    /// gaps, restarts), and even when making it fails unexpectedly, the report that comes back says what happened,
    /// so the heartbeat mail still goes out (<see cref="HealthReport.BuildError"/> keeps the exception for the log).
    /// </summary>
    public async Task<HealthReport> BuildAsync(DateTimeOffset to, CancellationToken cancellationToken)
    {
        try
        {
            return await BuildOrThrowAsync(to, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Unreachable(to - Window, to,
                $"making it failed ({e.GetType().Name}: {UpstreamException.Clip(e.Message, 160)}), which is a bug of NodeHelper's report: its log has the details.") with
            {
                BuildError = e,
            };
        }
    }

    private async Task<HealthReport> BuildOrThrowAsync(DateTimeOffset to, CancellationToken cancellationToken)
    {
        var from = to - Window;
        IReadOnlyList<FoundNode> found;
        try
        {
            found = await FindNodesAsync(to, cancellationToken);
        }
        catch (PrometheusException e)
        {
            return Unreachable(from, to, e.Message + " If Prometheus itself is down, nothing watches this node and no alert can fire: look at it first.");
        }

        var nodes = new List<NodeSection>();
        var findings = new List<Finding>();
        foreach (var node in found)
        {
            var queries = new NodeQueries(prometheus, node, named: found.Count > 1, to, cancellationToken);
            try
            {
                // Each node's findings apart first: its own verdict is the worst of them, and the mail's the worst of all.
                var own = new List<Finding>();
                var section = await queries.BuildAsync(own);
                nodes.Add(section with { Verdict = HealthReport.Judge([section], own) });
                findings.AddRange(own);
            }
            catch (PrometheusException e)
            {
                return Unreachable(from, to, e.Message + " If Prometheus itself is down, nothing watches this node and no alert can fire: look at it first.");
            }
        }

        try
        {
            // The whole probe job's first: not any node's, and every probed node's.
            findings.InsertRange(0, await ProbeJobFindingsAsync(to, cancellationToken));
        }
        catch (PrometheusException e)
        {
            return Unreachable(from, to, e.Message + " If Prometheus itself is down, nothing watches this node and no alert can fire: look at it first.");
        }

        var probing = options.ProbeJob.Length > 0 ? $" nor of job \"{options.ProbeJob}\" (Report:ProbeJob)" : "";
        if (found.Count == 0)
        {
            findings.Add(new Finding(Tone.Bad,
                $"Prometheus at {prometheus.BaseUrl} has no scrape of job \"{options.Job}\"{probing} in the last 24 hours: it is not watching NodeHelper, or the job has another name (Report:Job)."));
        }
        else if (found.All(n => n.Probed))
        {
            // A Prometheus that scrapes only /probe is a way to set it up, not a fault: said, not judged.
            findings.Add(new Finding(Tone.Neutral,
                $"Prometheus at {prometheus.BaseUrl} has no scrape of job \"{options.Job}\" (Report:Job) in the last 24 hours: this report covers only the nodes NodeHelper probes."));
        }

        var ordered = findings.OrderByDescending(f => f.Tone).ToList();
        return new HealthReport(from, to, options.Job, prometheus.BaseUrl, nodes, ordered, HealthReport.Judge(nodes, ordered)) { ProbeJob = options.ProbeJob };
    }

    /// <summary>
    /// Every node Prometheus scraped in the window: each instance of NodeHelper's own job, then each of its /probe job
    /// (whose instance is the node's name, one series per probed module). Named by their <c>node</c> label where they
    /// have one; two of the same name are told apart by their job and instance.
    /// </summary>
    private async Task<IReadOnlyList<FoundNode>> FindNodesAsync(DateTimeOffset to, CancellationToken cancellationToken)
    {
        var found = new List<FoundNode>();
        (string Job, bool Probed)[] jobs = options.ProbeJob.Length > 0 ? [(options.Job, false), (options.ProbeJob, true)] : [(options.Job, false)];
        foreach (var (job, probed) in jobs)
        {
            var seen = await prometheus.QueryAsync($"count by (instance, node) (count_over_time(up{{job=\"{Escape(job)}\"}}[24h]))", to, cancellationToken);
            found.AddRange(seen.GroupBy(s => s.Label("instance")).Where(g => g.Key.Length > 0)
                .Select(g => new FoundNode(g.Select(s => s.Label("node")).Where(n => n.Length > 0).Order(StringComparer.Ordinal).FirstOrDefault() ?? g.Key, job, g.Key, probed))
                .OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Instance, StringComparer.Ordinal));
        }

        var shared = found.GroupBy(n => n.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return [.. found.Select(n => shared.Contains(n.Name) ? n with { Name = $"{n.Name} (job {n.Job}, instance {n.Instance})" } : n)];
    }

    private HealthReport Unreachable(DateTimeOffset from, DateTimeOffset to, string problem) =>
        new(from, to, options.Job, prometheus.BaseUrl, [], [new Finding(Tone.Bad, $"The report could not be made: {problem}")], Verdict.CannotTell);

    /// <summary>The shipped alert that Prometheus cannot scrape NodeHelper: a node's, a probe's (node and module), or a whole /probe job's.</summary>
    private const string TargetDownAlert = "NodeHelperTargetDown";

    /// <summary>The episodes of one ALERTS series sampled once a minute (<see cref="AlertStep"/>), without their detail.</summary>
    private static IEnumerable<AlertEpisode> Episodes(PromSeries alert, DateTimeOffset to)
    {
        // ALERTS is 1 while firing; anything else (a NaN ending a backfilled series) is not firing.
        var firing = alert.Points.Where(p => p.Value == 1).ToList();
        if (firing.Count == 0)
        {
            yield break;
        }

        var start = firing[0].Time;
        var last = start;
        foreach (var (time, _) in firing.Skip(1))
        {
            if (time - last > AlertStep)
            {
                yield return Episode(start, last);
                start = time;
            }

            last = time;
        }

        yield return Episode(start, last);

        AlertEpisode Episode(DateTimeOffset from, DateTimeOffset until) =>
            new(alert.Label("alertname"), alert.Label("severity"), "", from, until + AlertStep, StillFiring: until >= to - AlertStep);
    }

    /// <summary>
    /// The findings of the whole /probe job: its NodeHelperTargetDown without an instance, which the shipped rule fires
    /// instead of one per node and module when no probe of the job answers. No node's alerts hold it (they are a job's
    /// and an instance's), and it means no node of the job was watched.
    /// </summary>
    private async Task<IReadOnlyList<Finding>> ProbeJobFindingsAsync(DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (options.ProbeJob.Length == 0)
        {
            return [];
        }

        var series = await prometheus.QueryRangeAsync(
            $"ALERTS{{alertname=\"{TargetDownAlert}\", alertstate=\"firing\", job=\"{Escape(options.ProbeJob)}\", instance=\"\"}}",
            to - Window, to, AlertStep, cancellationToken);
        var findings = new List<(DateTimeOffset Start, Finding Finding)>();
        foreach (var alert in series)
        {
            var tone = alert.Label("severity") switch { "critical" => Tone.Bad, "warning" => Tone.Attention, _ => Tone.Neutral };
            var by = alert.Label("prober") is { Length: > 0 } prober ? $" (prober {prober})" : "";
            var job = $"No probe of job {options.ProbeJob}{by}";
            foreach (var episode in Episodes(alert, to))
            {
                var before = episode.Start <= to - Window + AlertStep;
                var sentence = (episode.StillFiring, before) switch
                {
                    (true, true) => $"{job} has answered all day (NodeHelperTargetDown firing since before {Formats.Time(episode.Start)}): the NodeHelper that probes is down or unreachable, so no node it probes is watched.",
                    (true, false) => $"{job} has answered since {Formats.Time(episode.Start)} (NodeHelperTargetDown): the NodeHelper that probes is down or unreachable, so no node it probes is watched.",
                    (false, true) => $"{job} answered from before the day began until {Formats.Time(episode.End)} (NodeHelperTargetDown): the NodeHelper that probes was down or unreachable.",
                    (false, false) => $"{job} answered for {Formats.Duration(episode.Duration)} from {Formats.Time(episode.Start)} (NodeHelperTargetDown): the NodeHelper that probes was down or unreachable.",
                };
                findings.Add((episode.Start, new Finding(tone, sentence)));
            }
        }

        return [.. findings.OrderBy(f => f.Start).Select(f => f.Finding)];
    }

    internal static string Escape(string labelValue) => labelValue.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>An alert as Prometheus holds it now: firing, or pending since when.</summary>
    private sealed record AlertNow(string Name, string Severity, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? PendingSince)
    {
        public bool Matches(IReadOnlyDictionary<string, string>? labels) =>
            labels is null || labels.All(l => Labels.TryGetValue(l.Key, out var value) && value == l.Value);
    }

    /// <summary>Why a probed module's latest probe failed: not scraped (up 0), or probe_success 0 with the collector's reasons.</summary>
    /// <param name="Local">A collector of NodeHelper's own node (nodehelper_scrape_collector_success 0), not a probed module.</param>
    private sealed record ProbeFailure(bool Unscraped, string Reasons, bool Local = false)
    {
        /// <summary>How "Probes failing now" names it: "bitcoind (refused)".</summary>
        public string Said(string module) =>
            Unscraped ? $"{module} (not answering the probe scrape)" : Reasons.Length > 0 ? $"{module} ({Reasons})" : module;

        /// <summary>Why its card has no reading now.</summary>
        public string Why(string module) => Local
            ? $"its collector ({module}) fails: nodehelper_scrape_collector_success 0{(Reasons.Length > 0 ? $" ({Reasons})" : "")}"
            : Unscraped
            ? $"Prometheus cannot scrape its probe (module {module}): up 0"
            : $"its probe (module {module}) fails: probe_success 0{(Reasons.Length > 0 ? $" ({Reasons})" : "")}";

        /// <summary>What the data shows, for a finding: "probe_success 0, refused".</summary>
        public string Detail => Local
            ? Reasons.Length > 0 ? $"nodehelper_scrape_collector_success 0, {Reasons}" : "nodehelper_scrape_collector_success 0"
            : Unscraped ? "Prometheus cannot scrape it, up 0" : Reasons.Length > 0 ? $"probe_success 0, {Reasons}" : "probe_success 0";
    }

    /// <summary>A node as the report found it: what it calls it, and the job and instance its series carry.</summary>
    /// <param name="Probed">Found in the /probe job: only the modules probed are watched, no host, services or exporter of its own.</param>
    private sealed record FoundNode(string Name, string Job, string Instance, bool Probed);

    /// <summary>The queries about one node (one job and instance), at the end of the window.</summary>
    /// <param name="named">Whether findings name the node: only when the report covers several.</param>
    private sealed class NodeQueries(PrometheusApiClient prometheus, FoundNode node, bool named, DateTimeOffset to, CancellationToken cancellationToken)
    {
        private const string LndAlertPrefix = "NodeHelperLnd";

        /// <summary>lnd_channels' states of a closing channel, and how the card says them.</summary>
        private static readonly (string State, string Said)[] ClosingStates =
            [("force_closing", "force closing"), ("waiting_close", "waiting for the close to confirm"), ("pending_close", "closing cooperatively")];

        /// <summary>Labels of ALERTS that say nothing about what an alert is about.</summary>
        /// <remarks>
        /// <c>node</c> is the section's title already; <c>prober</c> names the NodeHelper that probes (probe.yml), not
        /// what is wrong. <c>module</c>, the /probe module, is what most alerts' names say (NodeHelperBitcoindDown), but
        /// not <see cref="TargetDownAlert"/>'s: its detail keeps it (<see cref="Detail"/>).
        /// </remarks>
        private static readonly HashSet<string> BookkeepingLabels = ["__name__", "alertname", "alertstate", "severity", "scope", "job", "instance", "node", "module", "prober"];

        private readonly string _sel = $"job=\"{Escape(node.Job)}\", instance=\"{Escape(node.Instance)}\"";

        private TimeSpan? _watched;

        private IReadOnlyList<AlertNow> _firing = [];

        /// <summary>The probed modules (or, on a node of NodeHelper's own job, the collectors) not read now, and why, by module or collector.</summary>
        private IReadOnlyDictionary<string, ProbeFailure> _unread = new Dictionary<string, ProbeFailure>();

        public async Task<NodeSection> BuildAsync(List<Finding> findings)
        {
            var (firing, pending) = await AlertsNowAsync();
            _firing = firing;
            var watched = await WatchedAsync();
            _unread = node.Probed ? await UnreadAsync() : await CollectorsUnreadAsync();

            var components = new List<ComponentSection>();
            await AddAsync(components, findings, node.Probed ? ProbeAsync() : NodeHelperAsync());
            await AddAsync(components, findings, BitcoindAsync(findings));
            await AddAsync(components, findings, ElectrumAsync());
            await AddAsync(components, findings, MempoolAsync());
            await AddAsync(components, findings, FrontendAsync());
            await AddAsync(components, findings, MariaDbAsync());
            await AddAsync(components, findings, LightningAsync());
            await AddAsync(components, findings, HostAsync());
            await AddAsync(components, findings, ServicesAsync(findings));
            await AddAsync(components, findings, SecurityAsync());

            // A module whose probe fails now is read by nobody: a problem of the day's end, whether or not its alert
            // fires yet (NodeHelperElectrumDown waits 5 minutes, NodeHelperCollectorFailing 15). A critical one that
            // fires says so already, below.
            // So is a collector of NodeHelper's own node whose latest scrape failed (nodehelper_scrape_collector_success 0).
            foreach (var (module, failure) in _unread.OrderBy(u => u.Key, StringComparer.Ordinal))
            {
                var alerted = _firing.Where(a => failure.Local ? IsAboutCollector(a, module) : IsAboutProbe(a, module)).ToList();
                if (alerted.Any(a => a.Severity == "critical"))
                {
                    continue;
                }

                findings.Add(new Finding(Tone.Bad,
                    $"{Prefix()}{(failure.Local ? "the collector" : "the probe of")} {module} is failing now ({failure.Detail}): {module} is not being read{(alerted.Count == 0 ? ", and no alert about it fires" : "")}."));
            }

            // The findings that judge the day: every alert that fired (critical: a problem; warning: needs attention).
            var alerts = await AlertsAsync();
            foreach (var alert in alerts)
            {
                var tone = alert.Severity switch { "critical" => Tone.Bad, "warning" => Tone.Attention, _ => Tone.Neutral };
                // An episode that begins with the window began before it: the day shows only that it was firing already.
                var before = alert.Start <= to - Window + AlertStep;
                var what = $"{Prefix()}{alert.Alert}{(alert.Detail.Length > 0 ? $" ({alert.Detail})" : "")}";
                var sentence = (alert.StillFiring, before) switch
                {
                    (true, true) => $"{what} has been firing all day (since before {Formats.Time(alert.Start)}).",
                    (true, false) => $"{what} has been firing since {Formats.Time(alert.Start)}.",
                    (false, true) => $"{what} was firing when the day began, and stopped at {Formats.Time(alert.End)}.",
                    (false, false) => $"{what} fired at {Formats.Time(alert.Start)} for {Formats.Duration(alert.Duration)}.",
                };
                findings.Add(new Finding(tone, sentence));
            }

            // Pending is Prometheus saying "not yet": its condition holds, and it has not held long enough to be a problem.
            foreach (var alert in pending.Where(a => a.Severity is "critical" or "warning"))
            {
                var detail = Detail(alert.Labels);
                var since = alert.PendingSince is { } at ? $" since {Formats.Time(at)}" : "";
                findings.Add(new Finding(Tone.Neutral,
                    $"{Prefix()}{alert.Name}{(detail.Length > 0 ? $" ({detail})" : "")} is pending{since}: its condition holds, and it fires only if it goes on holding."));
            }

            return new NodeSection(node.Name, node.Job, node.Instance, node.Probed, components, alerts, await ChartsAsync(), watched, Verdict.Healthy);
        }

        private string Prefix() => named ? $"{node.Name}: " : "";

        /// <summary>
        /// A fact's colour from the alerts about it that fire now: a critical one, a problem; a warning, worth a look;
        /// none, fine. <paramref name="labels"/> narrows them to what the fact is about (a disk's component and path).
        /// </summary>
        private Tone ToneOf(string[] alerts, IReadOnlyDictionary<string, string>? labels = null) =>
            ToneOf(a => alerts.Contains(a.Name) && a.Matches(labels));

        private Tone ToneOf(Func<AlertNow, bool> isAbout)
        {
            var about = _firing.Where(isAbout).ToList();
            return about.Any(a => a.Severity == "critical") ? Tone.Bad
                : about.Any(a => a.Severity == "warning") ? Tone.Attention
                : Tone.Good;
        }

        /// <summary>An alert about LND: every one carries scope="lnd" and is named NodeHelperLnd…, whatever else its name says.</summary>
        private static bool IsLnd(AlertNow alert) =>
            alert.Labels.TryGetValue("scope", out var scope) && scope == "lnd" || alert.Name.StartsWith(LndAlertPrefix, StringComparison.Ordinal);

        /// <summary>
        /// An alert about LND whose CamelCase name holds one of <paramref name="words"/> (case-sensitive, so "Lock" is not
        /// the lock of "BlockHeight"): how a fact of the Lightning card finds its alerts without a list of names the rules
        /// could outgrow. An LND alert no fact claims still colours the card's "Alerts firing now".
        /// </summary>
        private static Func<AlertNow, bool> LndAbout(params string[] words) => alert =>
            IsLnd(alert) && words.Any(w => alert.Name.Contains(w, StringComparison.Ordinal));

        private async Task AddAsync(List<ComponentSection> components, List<Finding> findings, Task<ComponentSection?> section)
        {
            if (await section is not { } component)
            {
                return;
            }

            components.Add(component);
            if (component.Availability is { } availability && availability < 1)
            {
                // The share of the time Prometheus watched, which is less than the day on a node watched since this
                // morning. A note, not a verdict: whether it was a problem is its down alert's to say (above).
                var down = TimeSpan.FromSeconds((1 - availability) * (await WatchedAsync()).TotalSeconds);
                findings.Add(new Finding(Tone.Neutral,
                    $"{Prefix()}{component.Title} was unavailable for about {Formats.Duration(down)} ({Formats.Percent(availability)} available)."));
            }
        }

        private async Task<ComponentSection?> NodeHelperAsync()
        {
            var up = await ScalarAsync($"avg_over_time(up{{{_sel}}}[24h])");
            var version = await LabelAsync("nodehelper_build_info", "version");
            var failing = (await QueryAsync($"last_over_time(nodehelper_scrape_collector_success{{{_sel}}}[10m]) == 0"))
                .Select(f => f.Label("collector")).Distinct().Order(StringComparer.Ordinal).ToList();
            List<Fact> facts =
            [
                new("Version", version ?? "unknown"),
                new("Collectors failing now", failing.Count == 0 ? "none" : string.Join(", ", failing), failing.Count == 0 ? Tone.Good : Tone.Bad),
            ];
            await AddWatchedAsync(facts);
            return new ComponentSection("NodeHelper", up, facts);
        }

        /// <summary>
        /// The card of a node NodeHelper probes (/probe) instead of the exporter's own: the modules Prometheus probes it
        /// with, those failing now and why, and how long it has been watched. Its availability is NodeHelper answering
        /// those probes (each module's up, averaged over the modules). What no module reads (its host, services, backups)
        /// is not watched from here, and the card says so rather than calling it missing.
        /// </summary>
        private async Task<ComponentSection?> ProbeAsync()
        {
            var up = await ScalarAsync($"avg(avg_over_time(up{{{_sel}}}[24h]))");
            var modules = (await QueryAsync($"count by (module) (count_over_time(up{{{_sel}}}[24h]))"))
                .Select(m => m.Label("module")).Where(m => m.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
            var failing = _unread.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => u.Value.Said(u.Key)).ToList();

            // A failing probe is a module nobody reads: a problem whether its alert fires (this node's and module's),
            // NodeHelperTargetDown fires for the whole job (no instance, so not among this node's alerts) or none yet.
            List<Fact> facts =
            [
                new("Probed for", modules.Count == 0
                    ? "nothing now: no module's probe in the last 24 hours carries a module label"
                    : $"{string.Join(", ", modules)} only: its host, services and backups are not watched from here"),
                new("Probes failing now", failing.Count == 0 ? "none" : string.Join(", ", failing), failing.Count == 0 ? Tone.Good : Tone.Bad),
            ];
            await AddWatchedAsync(facts);
            return new ComponentSection("NodeHelper probe", up, facts);
        }

        /// <summary>
        /// The modules of this probed node whose latest probe failed, and why: Prometheus could not scrape it (up 0), or
        /// it answered probe_success 0, with the collector's failure reasons where it gave them.
        /// </summary>
        private async Task<IReadOnlyDictionary<string, ProbeFailure>> UnreadAsync()
        {
            // A probe Prometheus cannot get at all (refused with 403, timed out, the probing NodeHelper down) has up 0
            // and no probe_success: failing as much as one that answers probe_success 0, and for another reason.
            var unanswered = (await QueryAsync($"last_over_time(up{{{_sel}}}[10m]) == 0"))
                .Select(p => p.Label("module")).ToHashSet(StringComparer.Ordinal);
            var failing = (await QueryAsync($"last_over_time(probe_success{{{_sel}}}[10m]) == 0"))
                .Select(p => p.Label("module")).Concat(unanswered).Distinct(StringComparer.Ordinal).ToList();
            if (failing.Count == 0)
            {
                return new Dictionary<string, ProbeFailure>();
            }

            var reasons = (await QueryAsync($"last_over_time(nodehelper_scrape_collector_failure_reason{{{_sel}}}[10m]) == 1"))
                .GroupBy(r => r.Label("module"))
                .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(r => r.Label("reason")).Where(r => r.Length > 0).Distinct().Order(StringComparer.Ordinal)));
            return failing.ToDictionary(m => m, m => new ProbeFailure(unanswered.Contains(m), unanswered.Contains(m) ? "" : reasons.GetValueOrDefault(m, "")),
                StringComparer.Ordinal);
        }

        /// <summary>
        /// A module's card as its probe reads it now: one whose probe fails says first that it is not read, and why,
        /// whatever share of the day it was available (<paramref name="up"/>, the component's up gauge, tells which
        /// module's card it is; its series carry the module).
        /// </summary>
        private async Task<ComponentSection> ReadNowAsync(ComponentSection card, string up)
        {
            if (_unread.Count == 0)
            {
                return card;
            }

            // On NodeHelper's own node the card's collector is its up gauge's prefix (electrum_up: electrum).
            if (!node.Probed)
            {
                var collector = up[..^"_up".Length];
                return _unread.TryGetValue(collector, out var failed) ? card with
                {
                    Facts = [new Fact("Read now", $"no: {failed.Why(collector)}", Tone.Bad), .. card.Facts],
                    NotRead = true,
                } : card;
            }

            var why = (await QueryAsync($"count by (module) (count_over_time({up}{{{_sel}}}[24h]))"))
                .Select(m => m.Label("module")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Where(_unread.ContainsKey).Select(m => _unread[m].Why(m)).ToList();
            return why.Count == 0 ? card : card with
            {
                Facts = [new Fact("Read now", $"no: {string.Join("; ", why)}", Tone.Bad), .. card.Facts],
                NotRead = true,
            };
        }

        /// <summary>
        /// The collectors of NodeHelper's own node whose latest scrape failed (nodehelper_scrape_collector_success 0), with
        /// their failure reasons where the exporter gave them.
        /// </summary>
        private async Task<IReadOnlyDictionary<string, ProbeFailure>> CollectorsUnreadAsync()
        {
            var failing = (await QueryAsync($"last_over_time(nodehelper_scrape_collector_success{{{_sel}}}[10m]) == 0"))
                .Select(c => c.Label("collector")).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (failing.Count == 0)
            {
                return new Dictionary<string, ProbeFailure>();
            }

            var reasons = (await QueryAsync($"last_over_time(nodehelper_scrape_collector_failure_reason{{{_sel}}}[10m]) == 1"))
                .GroupBy(r => r.Label("collector"))
                .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(r => r.Label("reason")).Where(r => r.Length > 0).Distinct().Order(StringComparer.Ordinal)));
            return failing.ToDictionary(c => c, c => new ProbeFailure(false, reasons.GetValueOrDefault(c, ""), Local: true), StringComparer.Ordinal);
        }

        /// <summary>
        /// An alert about a collector of NodeHelper's own node failing: its down or collector alert (scope the collector,
        /// as the rules label them), or the exporter's NodeHelperTargetDown.
        /// </summary>
        private static bool IsAboutCollector(AlertNow alert, string collector) =>
            alert.Name == TargetDownAlert || IsFailureAlert(alert) && alert.Labels.TryGetValue("scope", out var scope) && scope == collector;

        /// <summary>An alert about a module's probe failing: its down or collector alert, or its NodeHelperTargetDown.</summary>
        private static bool IsAboutProbe(AlertNow alert, string module) =>
            (IsFailureAlert(alert) || alert.Name == TargetDownAlert) && (!alert.Labels.TryGetValue("module", out var of) || of == module);

        /// <summary>An alert that says a collector (or a module's probe) cannot read its upstream.</summary>
        private static bool IsFailureAlert(AlertNow a) =>
            a.Name is "NodeHelperCollectorFailing" or "NodeHelperBitcoindDown" or "NodeHelperElectrumDown" or "NodeHelperMempoolBackendDown"
                or "NodeHelperMempoolFrontendDown" or "NodeHelperMariaDbDown" || IsLnd(a) && a.Name.EndsWith("Down", StringComparison.Ordinal);

        /// <summary>On a node watched less than the day, for how long: its availabilities are shares of that time.</summary>
        private async Task AddWatchedAsync(List<Fact> facts)
        {
            var watched = await WatchedAsync();
            if (watched < Window - TimeSpan.FromMinutes(30))
            {
                facts.Add(new("Watched", $"the last {Formats.Duration(watched)} only: Prometheus has nothing older", Tone.Attention));
            }
        }

        /// <summary>
        /// How much of the window Prometheus has scrapes of this node for: from its first scrape in the window (to the
        /// minute) to the end. A whole day, except on the first day or after Prometheus lost its data. From up, which
        /// every job has (a probed node has no exporter metrics of its own); its earliest module's, for a probed node.
        /// </summary>
        private async Task<TimeSpan> WatchedAsync()
        {
            if (_watched is null)
            {
                var first = await ScalarAsync($"min(min_over_time(timestamp(up{{{_sel}}})[24h:1m]))");
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
                    ToneOf(["NodeHelperBitcoindTipStale", "NodeHelperBitcoindBlocksBehindHeaders"])));
            }

            if (await ScalarAsync($"max_over_time(bitcoind_blocks{{{_sel}}}[24h]) - min_over_time(bitcoind_blocks{{{_sel}}}[24h])") is { } seen)
            {
                facts.Add(new("Blocks seen", Formats.Count(seen)));
            }

            // A longest wait is a statistic of the day: over a few minutes watched it says nothing.
            if (await WatchedAsync() >= EnoughHistory
                && await ScalarAsync($"max_over_time((time() - bitcoind_best_block_timestamp_seconds{{{_sel}}})[24h:1m])") is { } longest)
            {
                facts.Add(new("Longest wait for a block", Formats.Seconds(longest)));
            }

            var connections = await ByLabelAsync($"last_over_time(bitcoind_connections{{{_sel}}}[10m])", "direction");
            if (connections.Count > 0)
            {
                var inbound = connections.GetValueOrDefault("inbound");
                var outbound = connections.GetValueOrDefault("outbound");
                var fewest = await ScalarAsync($"min_over_time(sum by (instance) (bitcoind_connections{{{_sel}}})[24h:5m])");
                facts.Add(new("Peers", $"{Formats.Count(inbound + outbound)} now ({Formats.Count(outbound)} outbound, {Formats.Count(inbound)} inbound){(fewest is { } f ? $", fewest {Formats.Count(f)}" : "")}",
                    ToneOf(["NodeHelperBitcoindNoPeers", "NodeHelperBitcoindTooFewOutboundPeers"])));
            }

            var transactions = await ScalarAsync($"last_over_time(bitcoind_mempool_transactions{{{_sel}}}[10m])");
            var vsize = await ScalarAsync($"last_over_time(bitcoind_mempool_vsize_bytes{{{_sel}}}[10m])");
            var fullest = await ScalarAsync($"max_over_time((bitcoind_mempool_usage_bytes{{{_sel}}} / bitcoind_mempool_max_bytes{{{_sel}}})[24h:5m])");
            if (transactions is { } tx)
            {
                facts.Add(new("Mempool", $"{Formats.Plural(tx, "transaction", "transactions")}{(vsize is { } v ? $", {Formats.Bytes(v)}" : "")}{(fullest is { } full ? $"; at most {Formats.Percent(full)} full" : "")}",
                    ToneOf(["NodeHelperBitcoindMempoolNearlyFull"])));
            }

            var fees = await ByLabelAsync($"last_over_time(bitcoind_fee_estimate_sat_per_vbyte{{{_sel}, target=~\"1|6|144\"}}[10m])", "target");
            if (fees.Count > 0)
            {
                var parts = new[] { ("1", "next block"), ("6", "1 hour"), ("144", "1 day") }
                    .Where(t => fees.ContainsKey(t.Item1)).Select(t => $"{t.Item2} {Formats.FeeRate(fees[t.Item1])}");
                facts.Add(new("Fee estimates now", string.Join(", ", parts)));
            }

            var restarts = await ScalarAsync($"resets(bitcoind_uptime_seconds{{{_sel}}}[24h])") ?? 0;
            facts.Add(new("Restarts", restarts == 0 ? "none" : Formats.Count(restarts)));
            if (restarts > 0)
            {
                findings.Add(new Finding(Tone.Neutral, $"{Prefix()}bitcoind restarted {Formats.Plural(restarts, "time", "times")}."));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_warnings{{{_sel}}}[10m])") is > 0 and var warnings)
            {
                facts.Add(new("Warnings", Formats.Count(warnings), ToneOf(["NodeHelperBitcoindWarnings"])));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_initial_block_download{{{_sel}}}[10m])") is 1
                && await ScalarAsync($"last_over_time(bitcoind_verification_progress_ratio{{{_sel}}}[10m])") is { } progress)
            {
                facts.Add(new("Initial block download", $"{Formats.Percent(progress)} verified"));
            }

            return await ReadNowAsync(new ComponentSection("bitcoind", availability, facts), "bitcoind_up");
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

            await AddLagAsync(facts, "electrum_tip_height", ["NodeHelperElectrumBehind"]);
            if (await ScalarAsync($"avg_over_time(electrum_probe_duration_seconds{{{_sel}}}[24h])") is { } probe)
            {
                facts.Add(new("Probe time", $"{Formats.Seconds(probe)} on average", ToneOf(["NodeHelperElectrumSlow"])));
            }

            return await ReadNowAsync(new ComponentSection("Electrum server", availability, facts), "electrum_up");
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
                facts.Add(new("Mempool in sync", $"{Formats.Percent(synced)} of the time", ToneOf(["NodeHelperMempoolNotSynced"])));
            }

            await AddLagAsync(facts, "mempool_tip_height", ["NodeHelperMempoolTipMismatch"]);
            var fees = await ByLabelAsync($"last_over_time(mempool_recommended_fee_sat_per_vbyte{{{_sel}}}[10m])", "target");
            if (fees.Count > 0)
            {
                var parts = new[] { ("fastest", "fastest"), ("hour", "1 hour"), ("economy", "economy") }
                    .Where(t => fees.ContainsKey(t.Item1)).Select(t => $"{t.Item2} {Formats.FeeRate(fees[t.Item1])}");
                facts.Add(new("Recommended fees now", string.Join(", ", parts)));
            }

            return await ReadNowAsync(new ComponentSection("mempool backend", availability, facts), "mempool_up");
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
                facts.Add(new("HTTP status now", Formats.Count(status), ToneOf(["NodeHelperMempoolFrontendDown"])));
            }

            if (await ScalarAsync($"(last_over_time(mempool_frontend_tls_certificate_expiry_timestamp_seconds{{{_sel}}}[24h]) - time()) / 86400") is { } days)
            {
                facts.Add(new("TLS certificate", days < 0 ? "expired" : $"expires in {Formats.Count(Math.Floor(days))} days",
                    ToneOf(["NodeHelperMempoolFrontendCertificateExpiring"])));
            }

            return await ReadNowAsync(new ComponentSection("mempool web site", availability, facts), "mempool_frontend_up");
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
            facts.Add(new("Restarts", restarts == 0 ? "none" : Formats.Count(restarts)));
            if (await ScalarAsync($"max_over_time((mariadb_connections{{{_sel}}} / mariadb_max_connections{{{_sel}}})[24h:5m])") is { } busiest)
            {
                facts.Add(new("Most connections in use", Formats.Percent(busiest), ToneOf(["NodeHelperMariaDbTooManyConnections"])));
            }

            if (await ScalarAsync($"last_over_time(bitcoind_blocks{{{_sel}}}[10m]) - on (instance, job) last_over_time(mariadb_mempool_indexed_block_height{{{_sel}}}[10m])") is { } behind)
            {
                facts.Add(new("mempool database behind bitcoind", Formats.Plural(behind, "block", "blocks"), ToneOf(["NodeHelperMempoolDatabaseBehind"])));
            }

            if (await ScalarAsync($"time() - last_over_time(mariadb_mempool_newest_statistics_timestamp_seconds{{{_sel}}}[10m])") is { } statistics)
            {
                facts.Add(new("Newest mempool statistics", $"{Formats.Seconds(statistics)} old", ToneOf(["NodeHelperMempoolStatisticsStale"])));
            }

            return await ReadNowAsync(new ComponentSection("MariaDB", availability, facts), "mariadb_up");
        }

        /// <summary>
        /// LND's card, when Prometheus has lnd_up of the day. Each fact is coloured by the LND alerts firing now that are
        /// about it (<see cref="LndAbout"/>), and "Alerts firing now" by all of them. What only LND can tell (sync,
        /// channels, balances, HTLCs) is unknown while its wallet is locked or it does not answer: not its last value.
        /// Its files (tls.cert, channel.backup and its copy) are read whether LND answers or not.
        /// </summary>
        private async Task<ComponentSection?> LightningAsync()
        {
            var availability = await ScalarAsync($"avg_over_time(lnd_up{{{_sel}}}[24h])");
            if (availability is null)
            {
                return null;
            }

            var facts = new List<Fact>();
            if (await LabelAsync("lnd_build_info", "version") is { } version)
            {
                facts.Add(new("Version", version));
            }

            var up = await ScalarAsync($"last_over_time(lnd_up{{{_sel}}}[10m])");
            var locked = await ScalarAsync($"last_over_time(lnd_wallet_locked{{{_sel}}}[10m])");
            // Minutes: the day sampled once a minute, each sample standing for the minute after it (1 while locked); the
            // minute after the latest has not passed yet, hence the offset.
            var lockedMinutes = await ScalarAsync($"sum_over_time(lnd_wallet_locked{{{_sel}}}[24h:1m] offset 1m)");
            var lockedToday = lockedMinutes is { } minutes && minutes > 0 ? $"locked for {Formats.Duration(TimeSpan.FromMinutes(minutes))} today" : null;
            var state = (await QueryAsync($"last_over_time(lnd_wallet_state{{{_sel}}}[10m]) == 1")).Select(s => s.Label("state")).FirstOrDefault(s => s.Length > 0);
            var answering = up == 1 && locked == 0;
            var wallet = up != 1 ? "unknown now: LND is not answering"
                : locked == 1 ? "locked now: LND answers nothing else until it is unlocked (lncli unlock)"
                : locked != 0 ? "unknown"
                : state switch
                {
                    null or "SERVER_ACTIVE" => "unlocked",
                    "UNLOCKED" or "RPC_ACTIVE" => $"unlocked, LND still starting ({state})",
                    "WAITING_TO_START" => "LND is waiting to start (WAITING_TO_START)",
                    "NON_EXISTING" => "none: LND has no wallet yet (NON_EXISTING; lncli create)",
                    _ => $"{state}, a state NodeHelper does not know",
                };
            facts.Add(new("Wallet", lockedToday is null ? wallet : $"{wallet}; {lockedToday}", ToneOf(LndAbout("Lock", "Ready"))));

            if (answering)
            {
                await AddLndStateAsync(facts);
            }
            else
            {
                // The wallet's own fact carries its alert; LND not answering is its down alert's to colour.
                facts.Add(up == 1 && locked == 1
                    ? new("Sync, channels, balances", "unknown while the wallet is locked", Tone.Neutral)
                    : new("Sync, channels, balances", "unknown while LND is not answering", ToneOf(LndAbout("Down"))));
            }

            await AddLndFilesAsync(facts);
            var firing = _firing.Where(IsLnd).Select(a => a.Name).Distinct().Order(StringComparer.Ordinal).ToList();
            facts.Add(new("Alerts firing now", firing.Count == 0 ? "none" : string.Join(", ", firing), ToneOf(IsLnd)));
            return await ReadNowAsync(new ComponentSection("Lightning (LND)", availability, facts), "lnd_up");
        }

        /// <summary>What LND said in its latest answers: sync, lag, peers, channels, balances, limbo, HTLCs, fees.</summary>
        private async Task AddLndStateAsync(List<Fact> facts)
        {
            foreach (var (metric, label, words) in new[] { ("lnd_synced_to_chain", "Synced to chain", "Chain"), ("lnd_synced_to_graph", "Synced to graph", "Graph") })
            {
                var now = await ScalarAsync($"last_over_time({metric}{{{_sel}}}[10m])");
                var share = await ScalarAsync($"avg_over_time({metric}{{{_sel}}}[24h])");
                if (now is { } synced)
                {
                    facts.Add(new(label, $"{(synced == 1 ? "yes" : "no")} now{(share is { } s ? $", {Formats.Percent(s)} of the time LND answered today" : "")}",
                        ToneOf(a => LndAbout("Sync")(a) && a.Name.Contains(words, StringComparison.Ordinal))));
                }
            }

            await AddLagAsync(facts, "lnd_block_height", LndAbout("Behind", "Lag", "Height"));
            if (await ScalarAsync($"last_over_time(lnd_peers{{{_sel}}}[10m])") is { } peers)
            {
                facts.Add(new("Peers", Formats.Count(peers), ToneOf(LndAbout("Peer"))));
            }

            var channels = await ByLabelAsync($"last_over_time(lnd_channels{{{_sel}}}[10m])", "state");
            if (channels.Count > 0)
            {
                string Part(string state) => channels.TryGetValue(state, out var n) ? Formats.Count(n) : "unknown";
                var closing = ClosingStates.Where(c => channels.GetValueOrDefault(c.State) > 0)
                    .Select(c => $"{Formats.Count(channels[c.State])} {c.Said}").ToList();
                var closingTotal = ClosingStates.Sum(c => channels.GetValueOrDefault(c.State));
                var text = $"{Part("active")} active, {Part("inactive")} inactive";
                if (channels.GetValueOrDefault("pending_open") > 0)
                {
                    text += $", {Formats.Count(channels["pending_open"])} opening";
                }

                text += channels.ContainsKey("force_closing") ? $", {Formats.Count(closingTotal)} closing{(closing.Count > 0 ? $" ({string.Join(", ", closing)})" : "")}" : "";
                facts.Add(new("Channels", text, ToneOf(a => LndAbout("Channel", "Inactive")(a) && !a.Name.Contains("Backup", StringComparison.Ordinal))));
            }

            var balance = await ByLabelAsync($"last_over_time(lnd_channel_balance_sat{{{_sel}}}[10m])", "balance");
            if (balance.TryGetValue("local", out var local) && balance.TryGetValue("remote", out var remote))
            {
                var text = $"{Formats.Sat(local)} local, {Formats.Sat(remote)} remote";
                var unsettled = balance.GetValueOrDefault("unsettled_local") + balance.GetValueOrDefault("unsettled_remote");
                if (unsettled > 0)
                {
                    text += $", {Formats.Sat(unsettled)} in HTLCs";
                }

                var opening = balance.GetValueOrDefault("pending_open_local");
                if (opening > 0)
                {
                    text += $", {Formats.Sat(opening)} local in channels opening";
                }

                facts.Add(new("Channel balance", text));
            }

            var onChain = await ByLabelAsync($"last_over_time(lnd_wallet_balance_sat{{{_sel}}}[10m])", "balance");
            if (onChain.TryGetValue("confirmed", out var confirmed))
            {
                var text = $"{Formats.Sat(confirmed)} confirmed";
                if (onChain.GetValueOrDefault("unconfirmed") > 0)
                {
                    text += $", {Formats.Sat(onChain["unconfirmed"])} unconfirmed";
                }

                if (onChain.GetValueOrDefault("locked") > 0)
                {
                    text += $", {Formats.Sat(onChain["locked"])} locked in a pending transaction";
                }

                if (await ScalarAsync($"last_over_time(lnd_wallet_anchor_reserve_sat{{{_sel}}}[10m])") is { } reserve)
                {
                    text += $"; anchor reserve {Formats.Sat(reserve)}";
                }

                facts.Add(new("On-chain balance", text, ToneOf(LndAbout("Anchor", "Reserve", "OnChain", "WalletBalance"))));
            }

            if (await ScalarAsync($"last_over_time(lnd_limbo_balance_sat{{{_sel}}}[10m])") is { } limbo)
            {
                var maturity = await ScalarAsync($"last_over_time(lnd_force_close_maturity_blocks{{{_sel}}}[10m])");
                // lnd_force_close_maturity_blocks counts only outputs not matured yet: positive when present.
                var text = limbo == 0 ? "none"
                    : maturity is not { } blocks ? $"{Formats.Sat(limbo)}, no output counting down to maturity (a close not confirmed yet, a remote close, or every output has matured)"
                    : $"{Formats.Sat(limbo)}; a force close matures in {Blocks(blocks)}";
                facts.Add(new("In limbo", text, ToneOf(LndAbout("Limbo", "ForceClose", "CloseNotConfirming"))));
            }

            if (await ScalarAsync($"last_over_time(lnd_pending_htlcs{{{_sel}}}[10m])") is { } htlcs)
            {
                var expiry = htlcs > 0 ? await ScalarAsync($"last_over_time(lnd_htlc_expiry_blocks{{{_sel}}}[10m])") : null;
                var text = htlcs == 0 ? "none in flight"
                    : expiry is not { } blocks ? $"{Formats.Count(htlcs)} in flight"
                    : blocks > 0 ? $"{Formats.Count(htlcs)} in flight, the nearest expires in {Blocks(blocks)}"
                    : $"{Formats.Count(htlcs)} in flight, the nearest expired {Formats.Plural(-blocks, "block", "blocks")} ago";
                facts.Add(new("HTLCs", text, ToneOf(LndAbout("Htlc", "HTLC"))));
            }

            var fees = await ByLabelAsync($"last_over_time(lnd_routing_fees_sat{{{_sel}}}[10m])", "period");
            if (fees.TryGetValue("day", out var day))
            {
                var text = $"{Formats.Sat(day)} in the last day";
                if (fees.TryGetValue("week", out var week) && fees.TryGetValue("month", out var month))
                {
                    text += $" ({Formats.Sat(week)} in the last week, {Formats.Sat(month)} in the last month)";
                }

                facts.Add(new("Routing fees earned", text));
            }
        }

        /// <summary>LND's TLS certificate and channel.backup against its copy, from the files: there whether LND answers or not.</summary>
        private async Task AddLndFilesAsync(List<Fact> facts)
        {
            if (await ScalarAsync($"(last_over_time(lnd_tls_certificate_expiry_timestamp_seconds{{{_sel}}}[10m]) - time()) / 86400") is { } days)
            {
                facts.Add(new("TLS certificate", days < 0 ? "expired" : $"expires in {Formats.Plural(Math.Floor(days), "day", "days")}", ToneOf(LndAbout("Tls", "TLS", "Certificate"))));
            }

            var read = await ByLabelAsync($"last_over_time(lnd_file_read_success{{{_sel}}}[10m])", "file");
            var exists = await ScalarAsync($"last_over_time(lnd_channel_backup_exists{{{_sel}}}[10m])");
            var written = await ScalarAsync($"time() - last_over_time(lnd_channel_backup_last_modified_timestamp_seconds{{{_sel}}}[10m])");
            var copyExists = await ScalarAsync($"last_over_time(lnd_channel_backup_copy_exists{{{_sel}}}[10m])");
            var matches = await ScalarAsync($"last_over_time(lnd_channel_backup_copy_matches{{{_sel}}}[10m])");
            string? text = null;
            if (read.GetValueOrDefault("channel.backup", 1) == 0)
            {
                text = "channel.backup cannot be read (NodeHelper's log says why)";
            }
            else if (exists == 0)
            {
                text = "channel.backup is missing";
            }
            else if (exists == 1)
            {
                var copy = read.GetValueOrDefault("channel.backup copy", 1) == 0 ? "its copy cannot be read"
                    : copyExists == 0 ? "its copy is missing"
                    : matches == 1 ? "its copy is the same now"
                    : matches == 0 ? "its copy differs: it cannot restore the channels opened since"
                    : read.ContainsKey("channel.backup copy") ? "its copy is unknown" : "no copy watched (Lnd:ChannelBackupCopy)";
                text = written is { } age && age >= 0 ? $"written {Formats.Duration(TimeSpan.FromSeconds(age))} ago, {copy}" : copy;
            }

            if (text is not null)
            {
                facts.Add(new("Channel backup", text, ToneOf(LndAbout("Backup"))));
            }
        }

        /// <summary>"144 blocks (about 1 d 0 h)": blocks come every 10 minutes on average.</summary>
        private static string Blocks(double blocks) =>
            $"{Formats.Plural(blocks, "block", "blocks")} (about {Formats.Duration(TimeSpan.FromMinutes(10 * blocks))})";

        private async Task<ComponentSection?> HostAsync()
        {
            var sizes = await QueryAsync($"last_over_time(nodehelper_filesystem_size_bytes{{{_sel}}}[10m])");
            var memory = await ScalarAsync($"min_over_time((nodehelper_memory_available_bytes{{{_sel}}} / nodehelper_memory_total_bytes{{{_sel}}})[24h:5m])");
            if (sizes.Count == 0 && memory is null)
            {
                return null;
            }

            // A disk is a component's data directory on its filesystem: by (component, path), since a directory that
            // moved during the day has a series under each path.
            static (string, string) Disk(PromSeries s) => (s.Label("component"), s.Label("path"));
            var avail = ByKey(await QueryAsync($"last_over_time(nodehelper_filesystem_avail_bytes{{{_sel}}}[10m])"), Disk);
            var enough = await WatchedAsync() >= EnoughHistory;
            var slopes = enough ? ByKey(await QueryAsync($"deriv(nodehelper_filesystem_avail_bytes{{{_sel}}}[6h])"), Disk) : [];
            var facts = new List<Fact>();
            foreach (var (key, size) in ByKey(sizes, Disk).OrderBy(d => d.Key.Item1, StringComparer.Ordinal).ThenBy(d => d.Key.Item2, StringComparer.Ordinal))
            {
                var (component, path) = key;
                if (!avail.TryGetValue(key, out var free) || size <= 0)
                {
                    continue;
                }

                var text = $"{Formats.Bytes(free)} free of {Formats.Bytes(size)} ({Formats.Percent(free / size)})";
                if (!enough)
                {
                    // No forecast from a few minutes of history: the trend rule itself looks at six hours.
                }
                else if (slopes.TryGetValue(key, out var slope) && slope < 0)
                {
                    var days = free / -slope / 86400;
                    text += days < 3650 ? $", full in {Formats.Plural(Math.Floor(days), "day", "days")} at the last 6 hours' rate" : ", filling very slowly";
                }
                else
                {
                    text += ", not filling";
                }

                facts.Add(new($"Disk of {component} ({path})", text,
                    ToneOf(["NodeHelperFilesystemAlmostFull", "NodeHelperFilesystemFillingUp", "NodeHelperDataDirectoryUnreadable"],
                        new Dictionary<string, string> { ["component"] = component, ["path"] = path })));
            }

            var busy = await ScalarAsync(
                $"1 - sum(rate(nodehelper_cpu_seconds_total{{{_sel}, mode=\"idle\"}}[24h])) / sum(rate(nodehelper_cpu_seconds_total{{{_sel}}}[24h]))");
            if (busy is { } cpu)
            {
                facts.Add(new("CPU busy", $"{Formats.Percent(cpu)} on average"));
            }

            if (memory is { } lowest)
            {
                facts.Add(new("Memory available", $"at least {Formats.Percent(lowest)}", ToneOf(["NodeHelperMemoryPressure"])));
            }

            if (await ScalarAsync($"max(max_over_time(nodehelper_temperature_celsius{{{_sel}}}[24h]))") is { } hottest)
            {
                facts.Add(new("Hottest", $"{Formats.Number(hottest)} °C", ToneOf(["NodeHelperHighTemperature"])));
            }

            var flags = await ByLabelAsync($"max by (flag) (max_over_time(nodehelper_rpi_throttle_flag{{{_sel}, when=\"now\"}}[24h]))", "flag");
            if (flags.Count > 0)
            {
                var seen = flags.Where(f => f.Value > 0).Select(f => f.Key.Replace('_', ' ')).ToList();
                facts.Add(new("Raspberry Pi power", seen.Count == 0 ? "no under-voltage, no throttling" : $"seen: {string.Join(", ", seen)}",
                    ToneOf(["NodeHelperPiUnderVoltage", "NodeHelperPiThrottled"])));
            }

            return new ComponentSection("Host", null, facts);
        }

        private async Task<ComponentSection?> ServicesAsync(List<Finding> findings)
        {
            var active = ByKey(await QueryAsync($"last_over_time(nodehelper_service_active{{{_sel}}}[10m])"), s => s.Label("unit"));
            if (active.Count == 0)
            {
                return null;
            }

            var facts = new List<Fact>();
            var states = (await QueryAsync($"last_over_time(nodehelper_service_state{{{_sel}}}[10m]) == 1"))
                .GroupBy(s => s.Label("unit")).ToDictionary(g => g.Key, g => g.First().Label("state"));
            var restarts = ByKey(await QueryAsync($"increase(nodehelper_service_restarts_total{{{_sel}}}[24h])"), s => s.Label("unit"));
            foreach (var (name, isActive) in active.OrderBy(u => u.Key, StringComparer.Ordinal))
            {
                var restarted = Math.Round(restarts.GetValueOrDefault(name));
                var state = states.GetValueOrDefault(name) ?? (isActive == 1 ? "active" : "not active");
                var text = restarted > 0 ? $"{state}, restarted {Formats.Plural(restarted, "time", "times")} after failing" : state;
                facts.Add(new(name, text, ToneOf(["NodeHelperServiceFailed", "NodeHelperServiceCrashLooping"], new Dictionary<string, string> { ["unit"] = name })));
                if (restarted > 0)
                {
                    findings.Add(new Finding(Tone.Neutral, $"{Prefix()}systemd restarted {name} {Formats.Plural(restarted, "time", "times")} after it failed."));
                }
            }

            return new ComponentSection("Services", null, facts);
        }

        /// <summary>
        /// "Security and backups": what the posture and updates collectors see now, each fact coloured by the alerts
        /// about it. Absent when neither collector runs.
        /// </summary>
        private async Task<ComponentSection?> SecurityAsync()
        {
            var facts = new List<Fact>();
            var listeners = await QueryAsync($"last_over_time(nodehelper_listener_exposed{{{_sel}}}[10m])");
            if (listeners.Count > 0)
            {
                var exposed = listeners.Where(l => l.Value == 1).Select(l => $"{l.Label("service")} :{l.Label("port")}")
                    .Distinct().Order(StringComparer.Ordinal).ToList();
                facts.Add(new("Reachable beyond loopback", exposed.Count == 0 ? "none of the stack's ports" : string.Join(", ", exposed),
                    ToneOf(["NodeHelperBitcoindRpcExposed", "NodeHelperListenerExposed", "NodeHelperBitcoindClearnetListenerWhileOnionOnly"])));
            }

            var secrets = await QueryAsync($"last_over_time(nodehelper_secret_file_world_readable{{{_sel}}}[10m])");
            if (secrets.Count > 0)
            {
                var readable = secrets.Where(f => f.Value == 1).Select(f => f.Label("file")).Distinct().Order(StringComparer.Ordinal).ToList();
                facts.Add(new("Secret files every user can read", readable.Count == 0 ? "none" : string.Join(", ", readable),
                    ToneOf(["NodeHelperSecretFileWorldReadable"])));
            }

            var passwords = await ScalarAsync($"last_over_time(nodehelper_ssh_password_authentication_enabled{{{_sel}}}[10m])");
            var root = await ScalarAsync($"last_over_time(nodehelper_ssh_root_login_permitted{{{_sel}}}[10m])");
            if (passwords is { } password && root is { } rootLogin)
            {
                // PermitRootLogin yes lets root in by any method sshd accepts: with a password only where passwords are.
                var ssh = (password == 1 ? "passwords accepted" : "keys only")
                          + (rootLogin == 1 ? password == 1 ? ", root may log in with a password" : ", root may log in" : ", root not with a password");
                facts.Add(new("SSH", ssh, ToneOf(["NodeHelperSshRootLoginPermitted", "NodeHelperSshPasswordAuthentication"])));
            }

            var firewalls = await ByLabelAsync($"last_over_time(nodehelper_firewall_enabled{{{_sel}}}[10m])", "firewall");
            var unreadable = (await ByLabelAsync($"last_over_time(nodehelper_firewall_rules_unreadable{{{_sel}}}[10m])", "firewall"))
                .Where(f => f.Value == 1).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
            if (firewalls.Count > 0 || unreadable.Count > 0)
            {
                var on = firewalls.Where(f => f.Value == 1).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
                var text = on.Count > 0 ? $"on ({string.Join(", ", on)})"
                    : unreadable.Count > 0 ? $"unknown: only root may read the rules of {string.Join(", ", unreadable)}"
                    : $"off ({string.Join(", ", firewalls.Keys.Order(StringComparer.Ordinal))})";
                facts.Add(new("Firewall", text, ToneOf(["NodeHelperFirewallDisabled"])));
            }

            if (await ScalarAsync($"last_over_time(nodehelper_reboot_required{{{_sel}}}[10m])") is { } reboot)
            {
                facts.Add(new("Reboot", reboot == 1 ? "an upgrade waits for a reboot" : "not needed", ToneOf(["NodeHelperRebootRequired"])));
            }

            await AddUpgradesAsync(facts);
            await AddUpdatesAsync(facts);
            await AddBackupsAsync(facts);
            return facts.Count == 0 ? null : new ComponentSection("Security and backups", null, facts);
        }

        /// <summary>apt's pending upgrades (as of its package lists) and whether unattended-upgrades installs them.</summary>
        private async Task AddUpgradesAsync(List<Fact> facts)
        {
            var pending = await ScalarAsync($"last_over_time(nodehelper_apt_upgrades_pending{{{_sel}}}[2h])");
            var security = await ScalarAsync($"last_over_time(nodehelper_apt_security_upgrades_pending{{{_sel}}}[2h])");
            if (pending is { } all)
            {
                // No security count where apt's sources name no security suite (Raspbian ships fixes in its main one).
                var text = all == 0 ? "none pending"
                    : security is { } fixes ? $"{Formats.Count(all)} pending, {Formats.Count(fixes)} of them security fixes"
                    : $"{Formats.Count(all)} pending";
                if (await ScalarAsync($"time() - last_over_time(nodehelper_apt_lists_updated_timestamp_seconds{{{_sel}}}[2h])") is { } age && age >= 0)
                {
                    text += $", package lists refreshed {Formats.Duration(TimeSpan.FromSeconds(age))} ago";
                }

                facts.Add(new("Package upgrades", text, ToneOf(["NodeHelperSecurityUpgradesPending", "NodeHelperPackageListsStale"])));
            }

            if (await ScalarAsync($"last_over_time(nodehelper_unattended_upgrades_enabled{{{_sel}}}[10m])") is { } unattended)
            {
                facts.Add(new("unattended-upgrades", unattended == 1 ? "on" : "off: security upgrades wait for you", unattended == 1 ? Tone.Good : Tone.Neutral));
            }
        }

        /// <summary>Each watched backup: missing, unreadable, a copy that differs from its live file, or how old it is against its limit.</summary>
        private async Task AddBackupsAsync(List<Fact> facts)
        {
            var examined = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_success{{{_sel}}}[10m])"), s => s.Label("item"));
            var exists = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_exists{{{_sel}}}[10m])"), s => s.Label("item"));
            var matches = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_copy_matches{{{_sel}}}[10m])"), s => s.Label("item"));
            var sources = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_source_success{{{_sel}}}[10m])"), s => s.Label("item"));
            var modified = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_last_modified_timestamp_seconds{{{_sel}}}[10m])"), s => s.Label("item"));
            var succeeded = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_last_success_timestamp_seconds{{{_sel}}}[10m])"), s => s.Label("item"));
            var limits = ByKey(await QueryAsync($"last_over_time(nodehelper_backup_max_age_seconds{{{_sel}}}[10m])"), s => s.Label("item"));
            foreach (var (item, ok) in examined.OrderBy(b => b.Key, StringComparer.Ordinal))
            {
                string text;
                if (ok == 0)
                {
                    text = "cannot be read (NodeHelper's log says why)";
                }
                else if (exists.GetValueOrDefault(item, 1) == 0)
                {
                    text = "missing";
                }
                else if (sources.GetValueOrDefault(item, 1) == 0)
                {
                    text = "its live file cannot be read";
                }
                else
                {
                    // A .prom file's job success says more than its write time (a failed run writes the file too).
                    var at = succeeded.TryGetValue(item, out var success) ? success : modified.GetValueOrDefault(item, double.NaN);
                    var age = double.IsFinite(at) ? Formats.Duration(to - DateTimeOffset.FromUnixTimeMilliseconds((long)(at * 1000))) : "of unknown age";
                    text = succeeded.ContainsKey(item) ? $"last succeeded {age} ago" : $"written {age} ago";
                    if (limits.TryGetValue(item, out var limit))
                    {
                        text += $" (at most {Formats.Duration(TimeSpan.FromSeconds(limit))})";
                    }

                    if (matches.TryGetValue(item, out var match))
                    {
                        text = (match == 1 ? "the same as its live file now, " : "differs from its live file, ") + text;
                    }
                }

                facts.Add(new($"Backup {item}", text, ToneOf(
                    ["NodeHelperBackupMissing", "NodeHelperBackupTooOld", "NodeHelperBackupCopyDiffers", "NodeHelperBackupUnreadable", "NodeHelperBackupSourceUnreadable"],
                    new Dictionary<string, string> { ["item"] = item })));
            }
        }

        /// <summary>Newer releases by the version feed, or that all is current as of the feed's date; nothing without a feed.</summary>
        private async Task AddUpdatesAsync(List<Fact> facts)
        {
            if (await ScalarAsync($"last_over_time(nodehelper_update_feed_success{{{_sel}}}[10m])") is not { } feedRead)
            {
                return;
            }

            var tone = ToneOf(["NodeHelperUpdateFeedStale", "NodeHelperUpdateFeedUnreadable", "NodeHelperBitcoindKnownVulnerable"]);
            if (feedRead == 0)
            {
                facts.Add(new("Updates", "unknown: the version feed cannot be read", tone));
                return;
            }

            // Only what was compared: a component that is down, or that the feed does not name, has no series.
            var compared = await QueryAsync($"last_over_time(nodehelper_update_available{{{_sel}}}[10m])");
            var newer = compared.Where(u => u.Value == 1)
                .Select(u => $"{u.Label("component")} {u.Label("latest")} (runs {u.Label("running")})").Distinct().Order(StringComparer.Ordinal).ToList();
            var current = compared.Where(u => u.Value == 0).Select(u => u.Label("component")).Distinct().Order(StringComparer.Ordinal).ToList();
            var made = await ScalarAsync($"last_over_time(nodehelper_update_feed_generated_timestamp_seconds{{{_sel}}}[10m])");
            var asOf = made is { } seconds ? $"version feed of {Formats.Date(DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)))}" : "version feed";
            var text = (newer.Count, current.Count) switch
            {
                (0, 0) => $"nothing compared: the {asOf} names none of the components running now",
                (0, _) => $"current: {string.Join(", ", current)} ({asOf})",
                (_, 0) => $"{string.Join(", ", newer)} ({asOf})",
                _ => $"{string.Join(", ", newer)}; current: {string.Join(", ", current)} ({asOf})",
            };
            facts.Add(new("Updates", text, tone));
        }

        /// <summary>The alerts Prometheus holds now: firing, and pending with the time their condition began to hold (ALERTS_FOR_STATE).</summary>
        private async Task<(IReadOnlyList<AlertNow> Firing, IReadOnlyList<AlertNow> Pending)> AlertsNowAsync()
        {
            var now = await QueryAsync($"ALERTS{{{_sel}, alertname!=\"NodeHelperWatchdog\"}}");
            var since = await QueryAsync($"ALERTS_FOR_STATE{{{_sel}}}");
            AlertNow Read(PromSeries s)
            {
                var key = Detail(s.Labels, includeName: true);
                var started = since.FirstOrDefault(f => Detail(f.Labels, includeName: true) == key);
                return new AlertNow(s.Label("alertname"), s.Label("severity"), s.Labels,
                    started is not null && double.IsFinite(started.Value) ? DateTimeOffset.FromUnixTimeMilliseconds((long)(started.Value * 1000)) : null);
            }

            var firing = now.Where(s => s.Label("alertstate") == "firing").Select(Read).ToList();
            var pending = now.Where(s => s.Label("alertstate") == "pending").Select(Read).ToList();
            return (firing, pending);
        }

        /// <summary>Every alert that fired, from Prometheus's ALERTS series sampled once a minute.</summary>
        private async Task<IReadOnlyList<AlertEpisode>> AlertsAsync()
        {
            var series = await prometheus.QueryRangeAsync(
                $"ALERTS{{{_sel}, alertstate=\"firing\", alertname!=\"NodeHelperWatchdog\"}}", to - Window, to, AlertStep, cancellationToken);
            var episodes = new List<AlertEpisode>();
            foreach (var alert in series.Where(a => a.Label("severity") is "critical" or "warning"))
            {
                var detail = Detail(alert.Labels);
                episodes.AddRange(Episodes(alert, to).Select(e => e with { Detail = detail }));
            }

            return [.. episodes.OrderBy(e => e.Start)];
        }

        /// <summary>What an alert is about, from its labels: "component bitcoind, path /var/lib/bitcoind".</summary>
        /// <remarks>
        /// Two NodeHelperTargetDown of one node (its bitcoind and its Electrum probes both refused) differ only by their
        /// module, which that alert's name does not say: kept for it.
        /// </remarks>
        private static string Detail(IReadOnlyDictionary<string, string> labels, bool includeName = false) =>
            string.Join(", ", labels
                .Where(l => includeName ? l.Key is not ("__name__" or "alertstate")
                    : !BookkeepingLabels.Contains(l.Key) || l.Key == "module" && labels.GetValueOrDefault("alertname") == TargetDownAlert)
                .OrderBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => $"{l.Key} {l.Value}"));


        private async Task<IReadOnlyList<ReportChart>> ChartsAsync()
        {
            var charts = new List<ReportChart>();
            await AddChartAsync(charts, "tip-age", "Age of bitcoind's tip", $"time() - bitcoind_best_block_timestamp_seconds{{{_sel}}}", _ => "",
                Formats.Seconds, min: 0);
            await AddChartAsync(charts, "peers", "Peers", $"sum by (direction) (bitcoind_connections{{{_sel}}})", s => s.Label("direction"),
                Formats.Count, min: 0);
            await AddChartAsync(charts, "mempool", "Mempool size", $"bitcoind_mempool_vsize_bytes{{{_sel}}}", _ => "", Formats.Bytes, min: 0);
            await AddChartAsync(charts, "disk", "Disk free", $"nodehelper_filesystem_avail_bytes{{{_sel}}} / nodehelper_filesystem_size_bytes{{{_sel}}}",
                s => s.Label("component"), Formats.Percent, min: 0, max: 1);
            return charts;
        }

        /// <param name="name">The series' name in the legend; empty for a chart of one series, which its title names.</param>
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
            var byTime = new Dictionary<long, double>();
            foreach (var (time, value) in points)
            {
                byTime.TryAdd(time.ToUnixTimeSeconds(), value);
            }

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
        private Task AddLagAsync(List<Fact> facts, string tip, string[] alerts) => AddLagAsync(facts, tip, a => alerts.Contains(a.Name));

        private async Task AddLagAsync(List<Fact> facts, string tip, Func<AlertNow, bool> alerts)
        {
            if (await ScalarAsync($"last_over_time(bitcoind_up{{{_sel}}}[24h])") is null)
            {
                // bitcoind is not watched on this node (a probe of its Electrum server alone): no yardstick, and not "not answering".
                return;
            }

            var most = await ScalarAsync($"max_over_time(clamp_min(bitcoind_blocks{{{_sel}}} - on (instance, job) {tip}{{{_sel}}}, 0)[24h:5m])");
            var today = most is { } m ? $", at most {Formats.Count(m)} today" : "";
            var bitcoindUp = await ScalarAsync($"last_over_time(bitcoind_up{{{_sel}}}[10m])");
            if (bitcoindUp is not 1)
            {
                // No reading at all (the exporter or the probe not scraped) says nothing about whether bitcoind answers.
                var why = bitcoindUp is null ? "no reading of bitcoind in the last 10 minutes" : "bitcoind is not answering";
                facts.Add(new("Behind bitcoind", $"unknown now: {why}{today}", Tone.Neutral));
                return;
            }

            var lag = await ScalarAsync($"clamp_min(last_over_time(bitcoind_blocks{{{_sel}}}[10m]) - on (instance, job) last_over_time({tip}{{{_sel}}}[10m]), 0)");
            if (lag is { } now)
            {
                facts.Add(new("Behind bitcoind", $"{Formats.Plural(now, "block", "blocks")} now{today}", ToneOf(alerts)));
            }
        }

        private Task<IReadOnlyList<PromSeries>> QueryAsync(string query) => prometheus.QueryAsync(query, to, cancellationToken);

        /// <summary>One value, or null. Several series where one was expected (two scrape jobs, a relabelling) give the first finite one.</summary>
        private async Task<double?> ScalarAsync(string query)
        {
            var result = await QueryAsync(query);
            return result.Select(r => r.Value).Where(double.IsFinite).Select(v => (double?)v).FirstOrDefault();
        }

        private async Task<Dictionary<string, double>> ByLabelAsync(string query, string label) =>
            ByKey(await QueryAsync(query), s => s.Label(label));

        /// <summary>Finite values by a key; a key Prometheus answers twice for (a series that changed a label) keeps the first.</summary>
        private static Dictionary<TKey, double> ByKey<TKey>(IReadOnlyList<PromSeries> series, Func<PromSeries, TKey> key)
            where TKey : notnull
        {
            var values = new Dictionary<TKey, double>();
            foreach (var s in series.Where(s => double.IsFinite(s.Value)))
            {
                values.TryAdd(key(s), s.Value);
            }

            return values;
        }

        private async Task<string?> LabelAsync(string metric, string label)
        {
            // "?" is what a mempool backend built without its git details says for its version.
            var result = await QueryAsync($"last_over_time({metric}{{{_sel}}}[24h])");
            return result.Select(r => r.Label(label)).FirstOrDefault(v => v.Length > 0 && v != "?");
        }
    }
}
