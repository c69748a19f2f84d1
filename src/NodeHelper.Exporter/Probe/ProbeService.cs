using System.Buffers;
using System.Diagnostics;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Probe;

/// <summary>
/// Serves <c>/probe?module=&lt;name&gt;&amp;target=host:port</c>, blackbox_exporter's multi-target pattern: one remote
/// target per request, read by the module's collector under the deadline Prometheus gave, into a fresh output with
/// <c>probe_success</c> and <c>probe_duration_seconds</c>, the collector's success, duration and failure reason, and
/// the same series as this node's own collector of that name (so the shipped rules hold for a probed node).
/// The request names only the module and the target: a credential in the query is refused, and a target outside the
/// module's allow-list is 403, so the endpoint cannot be made to read an address a request chose.
/// </summary>
internal sealed partial class ProbeService(ProbeOptions options, ProbeCollectors collectors, ScrapeService scrape, ScrapeOptions scrapeOptions, ILogger<ProbeService> logger)
{
    public const string Path = "/probe";

    private static readonly string[] Parameters = ["module", "target"];

    public async Task HandleAsync(HttpContext context)
    {
        if (!TryRead(context.Request.Query, out var module, out var target, out var status, out var problem))
        {
            // A refusal is logged without the query: it may hold what someone took for a credential.
            LogRefused(logger, status, problem);
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(problem + "\n", context.RequestAborted);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var budget = ScrapeDeadline.From(context.Request.Headers[ScrapeDeadline.TimeoutHeader], scrapeOptions);
        var collector = collectors.For(module, target);
        var outcomes = await scrape.RunAsync([collector], budget, context.RequestAborted, $"{target} by module {module.Name}");
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        Write(outcomes[0], Stopwatch.GetElapsedTime(started).TotalSeconds, buffer);
        context.Response.ContentType = ScrapeService.ContentType;
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>One probe's answer: blackbox's two series, the collector's outcome, then what the collector wrote.</summary>
    public static void Write(CollectorOutcome outcome, double seconds, ArrayBufferWriter<byte> destination)
    {
        var probe = new MetricSet();
        probe.Gauge("probe_success", "Whether the probe read its target fully and in time (1) or not (0): the module's collector succeeded.", outcome.Success ? 1 : 0);
        probe.Gauge("probe_duration_seconds", "How long the probe took, in seconds.", seconds);
        ScrapeService.WriteOutcomes(probe, [outcome], [true]);
        probe.WriteTo(destination);
        destination.Write(outcome.Exposition.Span);
    }

    private bool TryRead(IQueryCollection query, out ProbeModule module, out ProbeTarget target, out int status, out string problem)
    {
        module = null!;
        target = null!;
        status = StatusCodes.Status400BadRequest;
        foreach (var key in query.Keys)
        {
            if (!Parameters.Contains(key, StringComparer.Ordinal))
            {
                // Named only when it is a plain word; its value is never repeated.
                var name = key.Length <= 32 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? $"'{key}'" : "a parameter";
                problem = $"/probe takes module and target only, not {name}: credentials come from the module's settings (Probe:Modules:<name>), never from a request.";
                return false;
            }

            if (query[key].Count != 1)
            {
                problem = $"/probe takes one {key}.";
                return false;
            }
        }

        var moduleName = query["module"].ToString();
        if (moduleName.Length == 0 || !options.Modules.TryGetValue(moduleName, out var found))
        {
            // The configured names are not listed to whoever asks: `nodehelper --check-config` shows them.
            var known = options.Modules.Count == 0 ? "none is configured (Probe:Modules:<name>)" : "see Probe:Modules:<name> in the settings";
            problem = moduleName.Length == 0
                ? $"/probe needs module=<name>; {known}."
                : $"module '{UpstreamException.Clip(moduleName, 64)}' is unknown; {known}.";
            return false;
        }

        if (!ProbeTarget.TryParse(query["target"].ToString(), out var parsed, out var why))
        {
            problem = $"target {why}";
            return false;
        }

        if (!found.Targets.Contains(parsed.ToString()))
        {
            status = StatusCodes.Status403Forbidden;
            problem = $"target {parsed} is not in Probe:Modules:{found.Name}:Targets: a probe reads only the targets its module allows.";
            return false;
        }

        module = found;
        target = parsed;
        status = StatusCodes.Status200OK;
        problem = "";
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe refused ({Status}): {Problem}")]
    private static partial void LogRefused(ILogger logger, int status, string problem);
}
