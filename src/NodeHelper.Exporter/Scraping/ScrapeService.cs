using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Primitives;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// Serves <c>/metrics</c>: every enabled collector runs in parallel, each into a fresh <see cref="MetricSet"/>, under the
/// deadline Prometheus gave. The answer is always 200 with a success and a duration series per collector, and the
/// reason of each failure; only a bad request to the exporter itself (an unknown <c>collect[]</c> name) is a 400.
/// A failed collector gets its up gauge at 0 here, whatever it failed of, so no collector has to remember to.
/// </summary>
internal sealed partial class ScrapeService(
    IEnumerable<IMetricsCollector> collectors,
    ScrapeOptions options,
    ExporterSelfMetrics self,
    CollectorHealth health,
    ILogger<ScrapeService> logger)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string SuccessName = "nodehelper_scrape_collector_success";

    private const string DurationName = "nodehelper_scrape_collector_duration_seconds";

    private const string ReasonName = "nodehelper_scrape_collector_failure_reason";

    private readonly IMetricsCollector[] _collectors = [.. collectors];

    public IReadOnlyList<IMetricsCollector> Collectors => _collectors;

    public async Task HandleAsync(HttpContext context)
    {
        if (!TrySelect(context.Request.Query["collect[]"], out var selected, out var problem))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(problem + "\n", context.RequestAborted);
            return;
        }

        var budget = ScrapeDeadline.From(context.Request.Headers[ScrapeDeadline.TimeoutHeader], options);
        var outcomes = await RunAsync(selected, budget, context.RequestAborted);
        if (context.RequestAborted.IsCancellationRequested)
        {
            // The scraper hung up (its own timeout, a curl stopped): nobody to answer, and no upstream to blame.
            LogAbandoned(logger, budget.TotalSeconds);
            return;
        }

        // The whole answer is built before any byte is sent: a 200 is never cut off halfway.
        var buffer = new ArrayBufferWriter<byte>(32 * 1024);
        Write(outcomes, buffer);
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>
    /// Runs the collectors in parallel; a collector that misses the deadline is reported as failed, and its late output
    /// is dropped. When <paramref name="aborted"/> fires (the scraper left), the outcomes are not judged or logged.
    /// </summary>
    /// <param name="probeTarget">For /probe: the remote target the collectors read, so that its health is noted and
    /// logged apart from this node's own collector of the same name.</param>
    public async Task<CollectorOutcome[]> RunAsync(IReadOnlyList<IMetricsCollector> selected, TimeSpan budget, CancellationToken aborted, string? probeTarget = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(budget);
        var runs = new Task<CollectorOutcome>[selected.Count];
        for (var i = 0; i < selected.Count; i++)
        {
            runs[i] = RunOneAsync(selected[i], probeTarget, budget, deadline.Token, aborted);
        }

        return await Task.WhenAll(runs);
    }

    /// <summary>
    /// Writes one scrape in the Prometheus text format: the scrape's own series, each collector's series, then the
    /// exporter's own metrics. A family that two collectors both wrote (a bug) would make Prometheus drop one of them
    /// silently; the later collector's output is dropped instead and it counts as failed.
    /// </summary>
    public void Write(IReadOnlyList<CollectorOutcome> outcomes, ArrayBufferWriter<byte> destination)
    {
        var own = new MetricSet();
        try
        {
            self.WriteTo(own);
        }
        catch (Exception e)
        {
            // The exporter's own figures are the least of a scrape: without them, the upstreams are still answered.
            LogSelfMetricsFailed(logger, e);
            own = new MetricSet();
        }

        // Each family belongs to the first that wrote it: the scrape's own series, then the collectors in order.
        var owners = new Dictionary<string, int>(StringComparer.Ordinal) { [SuccessName] = -1, [DurationName] = -1, [ReasonName] = -1 };
        foreach (var name in own.ExposedNames)
        {
            owners.TryAdd(name, -1);
        }

        var kept = new bool[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
        {
            // A dropped collector reserves nothing: its families are not written, so no later one clashes with them.
            kept[i] = outcomes[i].FamilyNames.All(name => !owners.ContainsKey(name));
            if (kept[i])
            {
                foreach (var name in outcomes[i].FamilyNames)
                {
                    owners[name] = i;
                }
            }
            else
            {
                LogFamilyClash(logger, outcomes[i].Collector);
            }
        }

        // A dropped collector still says its upstream is not seen as up, unless another owns that gauge's name.
        var dropped = new MetricSet();
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (kept[i] || outcomes[i].Up is not { } up)
            {
                continue;
            }

            owners.TryAdd(up.Name, i);
            if (owners[up.Name] == i)
            {
                dropped.Gauge(up.Name, up.Help, 0);
            }
        }

        var scrape = new MetricSet();
        WriteOutcomes(scrape, outcomes, kept);
        scrape.WriteTo(destination);
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (kept[i])
            {
                destination.Write(outcomes[i].Exposition.Span);
            }
        }

        dropped.WriteTo(destination);
        own.WriteTo(destination);
    }

    /// <summary>
    /// Each collector's success, duration and failure reason (node_exporter's pair, and the reason): in /metrics for
    /// every collector, and in /probe for the one probed. <paramref name="kept"/>[i] false counts the collector as failed.
    /// </summary>
    public static void WriteOutcomes(MetricSet scrape, IReadOnlyList<CollectorOutcome> outcomes, IReadOnlyList<bool> kept)
    {
        var success = scrape.Family(SuccessName, "Whether the collector read its upstream fully and in time in this scrape (1) or not (0); a scrape that arrives while the collector's fetch is in flight shares that fetch.", "collector");
        var duration = scrape.Family(DurationName, "How long the collector took in this scrape.", "collector");
        var reason = scrape.Family(ReasonName,
            "Why the collector failed in this scrape (1, for the one reason); absent when it succeeded. Reasons: refused, unreachable, timeout, " +
            "connection_lost, tls, unauthorized, forbidden, credentials, warming_up, http_error, invalid_response, too_large, upstream_error, internal.",
            "collector", "reason");
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var failure = kept[i] ? outcome.Reason : FailureReason.Internal;
            success.WithLabels(outcome.Collector).Set(failure is null ? 1 : 0);
            duration.WithLabels(outcome.Collector).Set(outcome.DurationSeconds);
            if (failure is { } why)
            {
                reason.WithLabels(outcome.Collector, why.Label()).Set(1);
            }
        }
    }


    private async Task<CollectorOutcome> RunOneAsync(IMetricsCollector collector, string? probeTarget, TimeSpan budget, CancellationToken deadline, CancellationToken aborted)
    {
        var started = Stopwatch.GetTimestamp();
        var metrics = new MetricSet();
        UpstreamException? failure = null;
        Exception? bug = null;
        try
        {
            // Task.Run: even a collector that blocks before its first await cannot hold up the others.
            await Task.Run(() => collector.CollectAsync(metrics, deadline), deadline).WaitAsync(deadline);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return new CollectorOutcome(collector.Name, FailureReason.Timeout, Stopwatch.GetElapsedTime(started).TotalSeconds, ReadOnlyMemory<byte>.Empty, []) { Problem = "abandoned" };
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            failure = new UpstreamException(FailureReason.Timeout,
                $"no answer within the scrape deadline of {budget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.", e);
        }
        catch (UpstreamException e)
        {
            failure = e;
        }
        catch (Exception e)
        {
            // Not an upstream's fault: a bug (an invalid exposition among them), logged with its stack trace.
            bug = e;
            failure = new UpstreamException(FailureReason.Internal, $"{e.GetType().Name}: {UpstreamException.Clip(e.Message)}", e);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (failure is not null)
        {
            // Whatever the collector wrote before failing is dropped with its set (a late collector may still be writing to it).
            metrics = FailedSet(collector);
            try
            {
                collector.WriteFailure(metrics, failure);
            }
            catch (Exception e)
            {
                bug ??= e;
                metrics = FailedSet(collector);
            }
        }

        // Rendered here, while the other collectors may still be waiting for their upstreams, rather than one after
        // another once the slowest has answered: the scrape ends soon after its slowest upstream.
        var text = new ArrayBufferWriter<byte>(4 * 1024);
        try
        {
            metrics.WriteTo(text);
        }
        catch (Exception e)
        {
            // A bug of the collector's output (nothing an upstream sent): it fails alone, as a bug.
            bug ??= e;
            failure ??= new UpstreamException(FailureReason.Internal, $"{e.GetType().Name}: {UpstreamException.Clip(e.Message)}", e);
            metrics = FailedSet(collector);
            text.Clear();
            metrics.WriteTo(text);
        }

        NoteHealth(probeTarget is null ? collector.Name : $"{collector.Name} (probe of {probeTarget})", failure, bug, seconds);
        return new CollectorOutcome(collector.Name, failure?.Reason, seconds, text.WrittenMemory, [.. metrics.ExposedNames], collector.Up)
        {
            Metrics = metrics,
            Problem = failure?.Message,
        };
    }

    /// <summary>What a failed collector exports: its up gauge at 0, if it has one.</summary>
    private static MetricSet FailedSet(IMetricsCollector collector)
    {
        var metrics = new MetricSet();
        if (collector.Up is { } up)
        {
            metrics.Gauge(up.Name, up.Help, 0);
        }

        return metrics;
    }

    private bool TrySelect(StringValues names, out IReadOnlyList<IMetricsCollector> selected, out string problem)
    {
        problem = "";
        if (names.Count == 0)
        {
            selected = _collectors;
            return true;
        }

        var chosen = new List<IMetricsCollector>();
        foreach (var name in names)
        {
            var collector = _collectors.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
            if (collector is null)
            {
                selected = [];
                problem = $"collect[]: '{UpstreamException.Clip(name, 64)}' is not an enabled collector; enabled: {string.Join(", ", _collectors.Select(c => c.Name))}.";
                return false;
            }

            if (!chosen.Contains(collector))
            {
                chosen.Add(collector);
            }
        }

        selected = chosen;
        return true;
    }

    /// <summary>Logs a collector's state when it changes, not on every scrape: failing, failing differently, recovered.</summary>
    private void NoteHealth(string collector, UpstreamException? failure, Exception? bug, double seconds)
    {
        var problem = failure is null ? "" : $"{failure.Message} (reason: {failure.Reason.Label()})";
        var previous = health.Note(collector, problem);

        if (problem == previous)
        {
            LogUnchanged(logger, collector, failure is null ? "ok" : problem, seconds);
        }
        else if (failure is null)
        {
            LogAnswering(logger, collector, seconds);
        }
        else
        {
            // An upstream failure explains itself in one line; only the unexpected (a bug) deserves a stack trace.
            LogFailing(logger, collector, problem, bug);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector {Collector}: upstream answering ({DurationSeconds:0.000} s)")]
    private static partial void LogAnswering(ILogger logger, string collector, double durationSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Collector} failing: {Problem}")]
    private static partial void LogFailing(ILogger logger, string collector, string problem, Exception? exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Collector {Collector}: {State} ({DurationSeconds:0.000} s)")]
    private static partial void LogUnchanged(ILogger logger, string collector, string state, double durationSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scrape abandoned by the client before its answer (deadline {DeadlineSeconds:0.###} s); no collector is judged by it")]
    private static partial void LogAbandoned(ILogger logger, double deadlineSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The exporter's own metrics could not be written (a bug: please report it); the scrape goes on without them")]
    private static partial void LogSelfMetricsFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Collector {Collector} wrote a metric family another collector wrote too; its output is dropped (a bug: please report it)")]
    private static partial void LogFamilyClash(ILogger logger, string collector);
}
