using System.Globalization;
using System.Text;

namespace NodeHelper.Tests.Support;

/// <summary>
/// 25 hours of a small fleet as one Prometheus holds it, one sample a minute: the node beside it, scraped at /metrics
/// (job <see cref="LocalJob"/>, with a <c>node</c> label), and two remote nodes NodeHelper probes (job
/// <see cref="ProbeJob"/>, relabelled as prometheus/probe.yml does: instance and node the node's name, module the
/// /probe module). The local node is the recorded scrape of the whole stack (Fixtures/report/whole-stack.prom) with a
/// block every 10 minutes; each probe answers as /probe does: up, probe_success, probe_duration_seconds, the
/// collector's success, duration and failure reason, and its own families of the recorded scrape, nothing else.
/// <see cref="Healthy"/> is probed for its Electrum server since <see cref="HealthyElectrumFrom"/> and for bitcoind
/// since <see cref="HealthyBitcoindFrom"/>, and is fine. <see cref="Broken"/> is probed for bitcoind and its mempool
/// backend all day, and its bitcoind has refused connections for the last four hours (bitcoind_up 0, the rest of
/// bitcoind's families gone), with the alert the shipped NodeHelperBitcoindDown fires from its second minute on.
/// <see cref="ElectrumOnly"/> is probed for its Electrum server alone, all day: its bitcoind is not watched at all.
/// <see cref="Unscraped"/> is probed for bitcoind and its Electrum server, and for the last three hours Prometheus cannot
/// get either probe (the exporter refuses it, 403: up 0 and no other series), with the NodeHelperTargetDown the shipped
/// rule fires for each module from its fifth minute on. Every probe carries the <c>prober</c> label probe.yml gives it
/// (the NodeHelper that probes: <see cref="Local"/>), and so do its alerts.
/// <para>
/// The day of a prober that was down (<see cref="ProberDown"/>) is the same day of <see cref="Healthy"/> and
/// <see cref="ElectrumOnly"/> alone, except that for two hours (<see cref="ProberDownFrom"/> to
/// <see cref="ProberDownUntil"/>) Prometheus gets none of their probes (up 0, nothing else), with the one
/// NodeHelperTargetDown of the whole job (job and prober, no instance) the shipped rule fires instead of one per node.
/// </para>
/// <para>
/// The day of a probe that began failing (<see cref="ProbeFailing"/>) is the same day of <see cref="Healthy"/>, and of
/// <see cref="Failing"/>, probed for bitcoind and its Electrum server all day, whose Electrum probe has timed out for the
/// last four minutes (probe_success 0, electrum_up 0, the rest of Electrum's families gone): NodeHelperElectrumDown is
/// pending (its 5 minutes have not passed) and no alert has fired.
/// </para>
/// Written as OpenMetrics for <c>promtool tsdb create-blocks-from openmetrics</c>.
/// </summary>
internal sealed class FleetDay
{
    public const string LocalJob = "nodehelper";
    public const string ProbeJob = "nodehelper_probe";

    /// <summary>The local node's <c>node</c> label, and its instance (the exporter's address).</summary>
    public const string Local = "home";
    public const string LocalInstance = "127.0.0.1:9338";

    public const string Healthy = "vps-a";
    public const string Broken = "vps-b";
    public const string ElectrumOnly = "vps-c";
    public const string Unscraped = "vps-d";
    public const string Failing = "vps-e";

    /// <summary>The <c>prober</c> label of every probe: the NodeHelper beside <see cref="Local"/> probes the others.</summary>
    public const string Prober = Local;

    public const long FirstBlock = 925_000;

    public static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    private readonly Exposition _recorded = Exposition.Parse(File.ReadAllText(Path.Join(AppContext.BaseDirectory, "Fixtures", "report", "whole-stack.prom")));

    public FleetDay(DateTimeOffset end, bool proberDown = false, bool probeFailing = false, bool localFailing = false)
    {
        End = end;
        Start = end - TimeSpan.FromHours(25);
        ProberDown = proberDown;
        ProbeFailing = probeFailing;
        LocalFailing = localFailing;
    }

    /// <summary>
    /// The day of <see cref="Local"/> alone, whose Electrum collector has timed out for the last four minutes (from
    /// <see cref="FailingFrom"/>: nodehelper_scrape_collector_success{collector="electrum"} 0, its failure reason timeout,
    /// electrum_up 0, the rest of Electrum's families gone), and no alert about it, pending or firing.
    /// </summary>
    public bool LocalFailing { get; }

    /// <summary>The day of <see cref="Healthy"/> and <see cref="Failing"/> alone, whose Electrum probe has just begun failing.</summary>
    public bool ProbeFailing { get; }

    /// <summary>The first sample of <see cref="Failing"/>'s Electrum probe with probe_success 0: the last 4 minutes (the last sample included).</summary>
    public DateTimeOffset FailingFrom => End - TimeSpan.FromMinutes(3);

    /// <summary>The day of the healthy probed nodes alone, with two hours in which no probe of the job answered.</summary>
    public bool ProberDown { get; }

    /// <summary>The first sample with every probe's up 0, when <see cref="ProberDown"/>.</summary>
    public DateTimeOffset ProberDownFrom => End - TimeSpan.FromHours(7) + Step;

    /// <summary>The last sample with every probe's up 0: 120 minutes of them.</summary>
    public DateTimeOffset ProberDownUntil => End - TimeSpan.FromHours(5);

    /// <summary>The job's NodeHelperTargetDown fires after its 5 minutes, until the last sample down: 115 minutes.</summary>
    public DateTimeOffset ProberAlertFrom => ProberDownFrom + TimeSpan.FromMinutes(5);

    /// <summary>The last sample; the report is made at this moment.</summary>
    public DateTimeOffset End { get; }

    public DateTimeOffset Start { get; }

    /// <summary>The healthy node's Electrum server is probed first, its bitcoind two hours later (a module's name sorts after the other's).</summary>
    public DateTimeOffset HealthyElectrumFrom => End - TimeSpan.FromHours(10);

    public DateTimeOffset HealthyBitcoindFrom => End - TimeSpan.FromHours(8);

    /// <summary>The broken node's first sample with bitcoind_up 0: the last 240 minutes are down (the last sample included).</summary>
    public DateTimeOffset BrokenDownFrom => End - TimeSpan.FromHours(4) + Step;

    /// <summary>NodeHelperBitcoindDown fires after its 2 minutes, and still fires at the end.</summary>
    public DateTimeOffset BrokenAlertFrom => BrokenDownFrom + TimeSpan.FromMinutes(2);

    /// <summary>The first sample of <see cref="Unscraped"/>'s probes with up 0: the last 180 minutes (the last sample included).</summary>
    public DateTimeOffset UnscrapedFrom => End - TimeSpan.FromHours(3) + Step;

    /// <summary>NodeHelperTargetDown fires for each of its modules after its 5 minutes, and still fires at the end.</summary>
    public DateTimeOffset UnscrapedAlertFrom => UnscrapedFrom + TimeSpan.FromMinutes(5);

    public string ToOpenMetrics()
    {
        var tracks = new List<Track>();
        if (ProberDown)
        {
            Probe(tracks, Healthy, "bitcoind", HealthyBitcoindFrom, _ => false);
            Probe(tracks, Healthy, "electrum", HealthyElectrumFrom, _ => false);
            Probe(tracks, ElectrumOnly, "electrum", Start, _ => false);
            var job = $"ALERTS{{alertname=\"NodeHelperTargetDown\",alertstate=\"firing\",job=\"{ProbeJob}\",prober=\"{Prober}\",scope=\"exporter\",severity=\"critical\"}}";
            // The NaN after the last firing sample ends the series, as a stale marker would: no 5 minutes of lookback.
            tracks.Add(new Track("ALERTS", job, ProberAlertFrom, t => t <= ProberDownUntil ? 1 : t == ProberDownUntil + Step ? double.NaN : null));
            return Write(tracks);
        }

        if (ProbeFailing)
        {
            Probe(tracks, Healthy, "bitcoind", HealthyBitcoindFrom, _ => false);
            Probe(tracks, Healthy, "electrum", HealthyElectrumFrom, _ => false);
            Probe(tracks, Failing, "bitcoind", Start, _ => false);
            Probe(tracks, Failing, "electrum", Start, t => t >= FailingFrom, reason: "timeout");
            // Pending from the first evaluation that saw electrum_up 0: firing only after 5 minutes of it.
            var pending = $"ALERTS{{alertname=\"NodeHelperElectrumDown\",alertstate=\"pending\",{ProbeTarget(Failing, "electrum")},scope=\"electrum\",severity=\"critical\"}}";
            tracks.Add(new Track("ALERTS", pending, FailingFrom, _ => 1));
            return Write(tracks);
        }

        var local = Target(LocalInstance, LocalJob, ("node", Local));
        if (LocalFailing)
        {
            foreach (var series in _recorded.Series.Keys)
            {
                var name = Name(series);
                var electrum = IsOf("electrum", name) || series.Contains("collector=\"electrum\"", StringComparison.Ordinal);
                tracks.Add(new Track(name, With(series, local), Start, t => !electrum || t < FailingFrom ? Value(name, series, t)
                    : name is "electrum_up" or "nodehelper_scrape_collector_success" ? 0
                    : name == "nodehelper_scrape_collector_duration_seconds" ? Value(name, series, t)
                    : null));
            }

            tracks.Add(new Track("nodehelper_scrape_collector_failure_reason",
                With("nodehelper_scrape_collector_failure_reason{collector=\"electrum\",reason=\"timeout\"}", local), FailingFrom, _ => 1));
            tracks.Add(new Track("up", With("up", local), Start, _ => 1));
            return Write(tracks);
        }

        foreach (var series in _recorded.Series.Keys)
        {
            tracks.Add(new Track(Name(series), With(series, local), Start, t => Value(Name(series), series, t)));
        }

        tracks.Add(new Track("up", With("up", local), Start, _ => 1));
        Probe(tracks, Healthy, "bitcoind", HealthyBitcoindFrom, _ => false);
        Probe(tracks, Healthy, "electrum", HealthyElectrumFrom, _ => false);
        Probe(tracks, Broken, "bitcoind", Start, t => t >= BrokenDownFrom);
        Probe(tracks, Broken, "mempool", Start, _ => false);
        Probe(tracks, ElectrumOnly, "electrum", Start, _ => false);
        Probe(tracks, Unscraped, "bitcoind", Start, _ => false, t => t >= UnscrapedFrom);
        Probe(tracks, Unscraped, "electrum", Start, _ => false, t => t >= UnscrapedFrom);

        var alert = $"ALERTS{{alertname=\"NodeHelperBitcoindDown\",alertstate=\"firing\",{ProbeTarget(Broken, "bitcoind")},scope=\"bitcoind\",severity=\"critical\"}}";
        tracks.Add(new Track("ALERTS", alert, BrokenAlertFrom, _ => 1));
        foreach (var module in new[] { "bitcoind", "electrum" })
        {
            var down = $"ALERTS{{alertname=\"NodeHelperTargetDown\",alertstate=\"firing\",{ProbeTarget(Unscraped, module)},scope=\"exporter\",severity=\"critical\"}}";
            tracks.Add(new Track("ALERTS", down, UnscrapedAlertFrom, _ => 1));
        }

        return Write(tracks);
    }

    private string Write(List<Track> tracks)
    {
        // OpenMetrics wants each family's samples together, under one TYPE line.
        var text = new StringBuilder(64 * 1024 * 1024);
        foreach (var family in tracks.GroupBy(t => t.Family, StringComparer.Ordinal))
        {
            text.Append("# TYPE ").Append(family.Key).Append(" gauge\n");
            foreach (var track in family)
            {
                for (var time = track.From; time <= End; time += Step)
                {
                    if (track.Value(time) is { } value)
                    {
                        text.Append(track.Series).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                            .Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
            }
        }

        text.Append("# EOF\n");
        return text.ToString();
    }

    /// <summary>
    /// One module's probe of a node, from <paramref name="from"/> on: while <paramref name="refused"/>, the collector
    /// failed (for <paramref name="reason"/>, refused unless told) and of its families only its _up is there, at 0, as the exporter writes a failed fetch.
    /// While <paramref name="unscraped"/>, Prometheus cannot get the probe at all (a 403): up is 0 and nothing else is there.
    /// </summary>
    private void Probe(List<Track> tracks, string node, string module, DateTimeOffset from, Func<DateTimeOffset, bool> refused,
        Func<DateTimeOffset, bool>? unscraped = null, string reason = "refused")
    {
        var target = ProbeTarget(node, module);
        var before = tracks.Count;
        tracks.Add(new Track("up", With("up", target), from, _ => 1));
        tracks.Add(new Track("probe_success", With("probe_success", target), from, t => refused(t) ? 0 : 1));
        tracks.Add(new Track("probe_duration_seconds", With("probe_duration_seconds", target), from, _ => 0.02));
        var collector = $"nodehelper_scrape_collector_success{{collector=\"{module}\"}}";
        tracks.Add(new Track("nodehelper_scrape_collector_success", With(collector, target), from, t => refused(t) ? 0 : 1));
        tracks.Add(new Track("nodehelper_scrape_collector_duration_seconds",
            With($"nodehelper_scrape_collector_duration_seconds{{collector=\"{module}\"}}", target), from, _ => 0.01));
        tracks.Add(new Track("nodehelper_scrape_collector_failure_reason",
            With($"nodehelper_scrape_collector_failure_reason{{collector=\"{module}\",reason=\"{reason}\"}}", target), from, t => refused(t) ? 1 : null));
        foreach (var series in _recorded.Series.Keys.Where(s => IsOf(module, Name(s))))
        {
            var name = Name(series);
            tracks.Add(new Track(name, With(series, target), from,
                t => name == $"{module}_up" ? refused(t) ? 0 : 1 : refused(t) ? null : Value(name, series, t)));
        }

        bool Unscraped(DateTimeOffset t) => unscraped?.Invoke(t) == true || ProberDown && t >= ProberDownFrom && t <= ProberDownUntil;
        for (var i = before; i < tracks.Count; i++)
        {
            var track = tracks[i];
            tracks[i] = track with { Value = t => Unscraped(t) ? track.Family == "up" ? 0 : null : track.Value(t) };
        }
    }

    /// <summary>The labels of a probe's series, relabelled as probe.yml does.</summary>
    private static string ProbeTarget(string node, string module) => Target(node, ProbeJob, ("module", module), ("node", node), ("prober", Prober));

    /// <summary>The families a module's collector writes: its prefix (the mempool web site is a collector of its own).</summary>
    private static bool IsOf(string module, string name) =>
        name.StartsWith(module + "_", StringComparison.Ordinal) && !name.StartsWith("mempool_frontend_", StringComparison.Ordinal);

    /// <summary>The recorded value, but a block every 10 minutes and clocks that move with the day.</summary>
    private double? Value(string name, string series, DateTimeOffset time)
    {
        var blocks = FirstBlock + Math.Floor((time - Start).TotalSeconds / 600);
        var blockTime = (Start + TimeSpan.FromSeconds(600 * Math.Floor((time - Start).TotalSeconds / 600))).ToUnixTimeSeconds();
        return name switch
        {
            "bitcoind_blocks" or "bitcoind_headers" or "bitcoind_latest_block_height" or "electrum_tip_height" or "mempool_tip_height"
                or "mariadb_mempool_indexed_block_height" or "lnd_block_height" => blocks,
            "bitcoind_best_block_timestamp_seconds" or "electrum_tip_timestamp_seconds" or "lnd_best_header_timestamp_seconds" => blockTime,
            "bitcoind_uptime_seconds" or "mariadb_uptime_seconds" => (time - Start).TotalSeconds + 86400,
            "mariadb_mempool_newest_statistics_timestamp_seconds" => time.ToUnixTimeSeconds() - 30,
            _ => _recorded.Series[series],
        };
    }

    private static string Name(string series) => series.Split('{')[0];

    /// <summary>The labels Prometheus adds to a scrape's series: its instance and job, and its target's labels.</summary>
    private static string Target(string instance, string job, params (string Name, string Value)[] labels) =>
        string.Join(',', new[] { ("instance", instance), ("job", job) }.Concat(labels).Select(l => $"{l.Item1}=\"{l.Item2}\""));

    private static string With(string series, string target)
    {
        var brace = series.IndexOf('{', StringComparison.Ordinal);
        return brace < 0 ? $"{series}{{{target}}}" : $"{series[..(brace + 1)]}{target},{series[(brace + 1)..]}";
    }

    /// <summary>One series over the day from <see cref="From"/>: its value at a moment, or null for no sample.</summary>
    private sealed record Track(string Family, string Series, DateTimeOffset From, Func<DateTimeOffset, double?> Value);
}
