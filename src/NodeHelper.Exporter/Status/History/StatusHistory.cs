using NodeHelper.Core.Upstreams;
using NodeHelper.Report;
using NodeHelper.Report.Prometheus;

namespace NodeHelper.Exporter.Status.History;

/// <summary>
/// The status page's "history at a glance": the last day of the lag of the indexers behind bitcoind, the mempool and the
/// smallest free space of the stack's disks, read from Prometheus's range API, and when each data directory's
/// filesystem is full at the last 6 hours' rate. Read at most once every <see cref="CacheFor"/>: a page refreshing every
/// few seconds must not make Prometheus evaluate a day of data each time.
/// <para>
/// Like the daily report, it judges nothing itself: the lag is the recording rules' (prometheus/rules/nodehelper-recording.yml),
/// and a forecast is shown only once Prometheus has watched the job for <see cref="DailyReportBuilder.EnoughHistory"/>,
/// the window of the disk-filling rule, so a two-minute slope never says "full in 0 days".
/// </para>
/// </summary>
internal sealed class StatusHistory
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    /// <summary>How long a read history is shown before Prometheus is asked again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    /// <summary>How long a failure is repeated before Prometheus is asked again: long enough for a page refreshing every few seconds not to wait each time.</summary>
    public static readonly TimeSpan FailureCacheFor = TimeSpan.FromMinutes(1);

    private const string Setting = $"{StatusOptions.Section}:PrometheusUrl";

    private readonly StatusOptions _options;
    private readonly TimeProvider _time;
    private readonly PrometheusApiClient? _prometheus;
    private readonly string _sel;
    private readonly Lock _lock = new();
    private (HistoryView View, DateTimeOffset Until)? _cached;
    private Task<HistoryView>? _reading;

    public StatusHistory(HttpClient http, StatusOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _prometheus = options.PrometheusUrl is { } url ? new PrometheusApiClient(http, url, Setting) : null;
        _sel = options.Instance.Length == 0
            ? $"job=\"{DailyReportBuilder.Escape(options.Job)}\""
            : $"job=\"{DailyReportBuilder.Escape(options.Job)}\", instance=\"{DailyReportBuilder.Escape(options.Instance)}\"";
    }

    /// <summary>How many times Prometheus was read (a read is several queries): for the tests of the cache.</summary>
    public int Reads { get; private set; }

    /// <summary>
    /// The history, from the cache when it is younger than <see cref="CacheFor"/>. One read at a time: callers that come
    /// while Prometheus is being read wait for that read (their own token only stops their waiting). Never throws for
    /// Prometheus: what went wrong is the view's <see cref="HistoryView.Problem"/>.
    /// </summary>
    public Task<HistoryView> GetAsync(CancellationToken cancellationToken)
    {
        if (_prometheus is null)
        {
            return Task.FromResult(HistoryView.NotConfigured);
        }

        lock (_lock)
        {
            if (_cached is { } cached && _time.GetUtcNow() < cached.Until)
            {
                return Task.FromResult(cached.View);
            }

            _reading ??= ReadAndKeepAsync(_prometheus);
            return _reading.WaitAsync(cancellationToken);
        }
    }

    private async Task<HistoryView> ReadAndKeepAsync(PrometheusApiClient prometheus)
    {
        // Off the caller's lock: the read must not start (or, answered at once, finish) inside it.
        await Task.Yield();
        try
        {
            var view = await ReadAsync(prometheus);
            lock (_lock)
            {
                _cached = (view, _time.GetUtcNow() + (view.Problem is null ? CacheFor : FailureCacheFor));
            }

            return view;
        }
        finally
        {
            lock (_lock)
            {
                Reads++;
                _reading = null;
            }
        }
    }

    private async Task<HistoryView> ReadAsync(PrometheusApiClient prometheus)
    {
        // On a whole second: the points of the range answer are matched to the steps by their second.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var source = prometheus.BaseUrl.ToString();
        // The whole read within the page's patience: the queries run side by side, so this is about one query's time.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time);
        try
        {
            return await ReadOrThrowAsync(prometheus, now, deadline.Token) with { Source = source };
        }
        catch (PrometheusException e)
        {
            return Failed($"{e.Message}{(e.Message.Contains(Setting, StringComparison.Ordinal) ? "" : $" ({Setting})")}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return Failed($"Prometheus at {source} did not answer within {_options.TimeoutSeconds:0.#} s ({Setting}, {StatusOptions.Section}:TimeoutSeconds).");
        }

        HistoryView Failed(string problem) => new([], [], $"No history: {problem}", null) { Source = source };
    }

    private async Task<HistoryView> ReadOrThrowAsync(PrometheusApiClient prometheus, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = now - Window;
        Task<IReadOnlyList<PromSeries>> Range(string query) => prometheus.QueryRangeAsync(query, start, now, Step, cancellationToken);
        Task<IReadOnlyList<PromSeries>> Instant(string query) => prometheus.QueryAsync(query, now, cancellationToken);

        // When Prometheus first scraped each instance of the job in the day: which instances there are, and how long it watched (the report's idea).
        var watched = Instant($"min by (instance) (min_over_time(timestamp(up{{{_sel}}})[24h:1m]))");
        // The lag of every indexer the recording rules know, by name: "a or b" would keep only a's series, theirs have the same labels.
        var lag = Range($"max by (instance) ({{__name__=~\"instance:(electrum_tip_height|mempool_tip_height|mariadb_mempool_indexed_block_height|lnd_block_height):lag_blocks\", {_sel}}})");
        var mempool = Range($"max by (instance) (bitcoind_mempool_usage_bytes{{{_sel}}})");
        var disk = Range($"min by (instance) (nodehelper_filesystem_avail_bytes{{{_sel}}})");
        var free = Instant($"last_over_time(nodehelper_filesystem_avail_bytes{{{_sel}}}[10m])");
        var slopes = Instant($"deriv(nodehelper_filesystem_avail_bytes{{{_sel}}}[6h])");
        await Task.WhenAll(watched, lag, mempool, disk, free, slopes);

        var instances = new[] { watched, lag, mempool, disk, free }
            .SelectMany(t => t.Result.Select(s => s.Label("instance")))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (instances.Count > 1)
        {
            return new([], [],
                $"Prometheus watches several instances of job \"{_options.Job}\" ({string.Join(", ", instances.Take(5))}{(instances.Count > 5 ? ", ..." : "")}): set {StatusOptions.Section}:Instance to this node's.",
                null);
        }

        if (watched.Result.Count == 0)
        {
            return new([], [],
                $"Prometheus at {prometheus.BaseUrl} has no scrape of job \"{_options.Job}\" in the last 24 hours: it is not watching NodeHelper, or the job has another name ({StatusOptions.Section}:Job).",
                null);
        }

        // The first scrape's time, as Prometheus gave it; one it cannot have (not finite, before 1970, after now) counts as "just now".
        var first = watched.Result[0].Value;
        var since = UnixTime.From(first) is { } at && at < now ? at : now;
        var sparklines = new List<Sparkline>();
        Add(sparklines, "tip_lag", "Blocks behind bitcoind (the furthest indexer)", lag.Result, v => Formats.Plural(v, "block", "blocks"));
        Add(sparklines, "mempool", "Mempool memory", mempool.Result, Formats.Bytes);
        Add(sparklines, "disk_free", "Free disk space (the fullest disk)", disk.Result, Formats.Bytes);
        return new(sparklines, Forecasts(free.Result, slopes.Result, now - since), null, now);

        void Add(List<Sparkline> into, string key, string title, IReadOnlyList<PromSeries> series, Func<double, string> format)
        {
            if (series.Count == 0)
            {
                return;
            }

            var values = series[0].Points.Where(p => double.IsFinite(p.Value)).ToDictionary(p => p.Time.ToUnixTimeSeconds(), p => p.Value);
            var points = new List<(DateTimeOffset, double)>();
            for (var time = start; time <= now; time += Step)
            {
                points.Add((time, values.TryGetValue(time.ToUnixTimeSeconds(), out var value) ? value : double.NaN));
            }

            var known = points.Select(p => p.Item2).Where(double.IsFinite).ToList();
            if (known.Count == 0)
            {
                return;
            }

            into.Add(new Sparkline(key, title, points, format(known[^1]), format(known.Min()), format(known.Max())));
        }
    }

    /// <summary>Each data directory's filesystem by (component, path), as the daily report's disks: a forecast only from 6 hours watched.</summary>
    private static List<DiskForecast> Forecasts(IReadOnlyList<PromSeries> free, IReadOnlyList<PromSeries> slopes, TimeSpan watched)
    {
        var enough = watched >= DailyReportBuilder.EnoughHistory;
        var slopeOf = slopes.GroupBy(Disk).ToDictionary(g => g.Key, g => g.First().Value);
        var forecasts = new List<DiskForecast>();
        foreach (var disk in free.GroupBy(Disk).OrderBy(g => g.Key.Component, StringComparer.Ordinal).ThenBy(g => g.Key.Path, StringComparer.Ordinal))
        {
            var (component, path) = disk.Key;
            var avail = disk.First().Value;
            if (!enough)
            {
                forecasts.Add(new(component, path, null,
                    $"needs 6 hours of history (Prometheus has {Formats.Duration(watched < TimeSpan.Zero ? TimeSpan.Zero : watched)})"));
            }
            else if (slopeOf.TryGetValue(disk.Key, out var slope) && slope < 0 && double.IsFinite(slope) && double.IsFinite(avail))
            {
                var days = Math.Max(0, avail) / -slope / 86400;
                var text = days < 1 ? "full in less than a day at the last 6 hours' rate"
                    : days < 3650 ? $"full in {Formats.Plural(Math.Floor(days), "day", "days")} at the last 6 hours' rate"
                    : "filling very slowly";
                forecasts.Add(new(component, path, double.IsFinite(days) ? days : null, text));
            }
            else
            {
                forecasts.Add(new(component, path, null, "not filling"));
            }
        }

        return forecasts;

        static (string Component, string Path) Disk(PromSeries s) => (s.Label("component"), s.Label("path"));
    }
}
