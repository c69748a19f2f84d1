using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NodeHelper.Exporter.Status;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench`, whole stack, last part: the status page (issue 13) against the same running exporter, after the
/// resident memory is read (so the page views change none of the figures above).
/// <para>
/// A page view reads every collector only when the last reading is older than <see cref="StatusService.ReuseFor"/>
/// (5 s); the views within that window render the reading they share. Both kinds are measured, in
/// <see cref="Cycles"/> cycles of: wait until the window has passed; one GET / (it reads, then renders); then
/// <see cref="ViewsPerCycle"/> GET / and as many GET /api/v1/status, all well inside the window (render only).
/// The exporter's CPU and allocations come from its own counters (process_cpu_seconds_total,
/// dotnet_gc_allocated_bytes_total), read by a cheap probe scrape between the steps whose cost is measured and taken off.
/// </para>
/// <para>
/// Then whether the page adds to a scrape: the same number of scrapes with no page views, and with one GET / before
/// each (renders, plus one reading each 5 s window); what the views added per scrape is compared with what those
/// views cost measured alone, and what is left is the scrape's own cost with a viewer.
/// </para>
/// </summary>
internal static class StatusBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Readings measured; each costs one reuse window of waiting (about 5 s).</summary>
    private const int Cycles = 6;

    private const int ViewsPerCycle = 100;

    /// <summary>A cheap scrape to read the counters: the posture collector alone (about 0.3 ms of CPU).</summary>
    private const string Probe = "?collect[]=posture";

    /// <summary>Views stop this long before the window closes, so none of them can start a reading.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    private readonly record struct Counters(double Cpu, double Allocated)
    {
        public static Counters Of(string exposition) =>
            new(Program.Value(exposition, "process_cpu_seconds_total"), Program.Value(exposition, "dotnet_gc_allocated_bytes_total"));

        public static Counters operator -(Counters a, Counters b) => new(a.Cpu - b.Cpu, a.Allocated - b.Allocated);

        public static Counters operator +(Counters a, Counters b) => new(a.Cpu + b.Cpu, a.Allocated + b.Allocated);

        public Counters Per(double count) => new(Cpu / count, Allocated / count);

        public Counters Times(double count) => new(Cpu * count, Allocated * count);
    }

    public static async Task<bool> RunAsync(HttpClient http, int scrapes)
    {
        // Warm the page's paths (JIT in the framework-dependent build, the serialiser's first use).
        var lastReading = await ReadingViewAsync(http, DateTimeOffset.MinValue);
        for (var i = 0; i < 200; i++)
        {
            await GetAsync(http, "");
            await GetAsync(http, StatusEndpoints.ApiPath.TrimStart('/'));
        }

        var probe = await ProbeCostAsync(http);
        var readingTimes = new double[Cycles];
        var htmlTimes = new List<double>();
        var jsonTimes = new List<double>();
        Counters reading = default, html = default, json = default;
        var htmlBytes = 0;
        var jsonBytes = 0;
        var generated = new HashSet<DateTimeOffset>();
        Counters idle = default;
        var idleSeconds = 0.0;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            // The wait for the window stays outside the measured steps; what the exporter does meanwhile is noted.
            var idleFrom = await CountersAsync(http);
            var waitStarted = Stopwatch.GetTimestamp();
            await WaitForWindowAsync(lastReading.Done);
            idleSeconds += Stopwatch.GetElapsedTime(waitStarted).TotalSeconds;
            var a = await CountersAsync(http);
            idle += a - idleFrom - probe;
            var view = await ReadingViewAsync(http, lastReading.Done);
            lastReading = view;
            readingTimes[cycle] = view.Seconds;
            var b = await CountersAsync(http);
            for (var i = 0; i < ViewsPerCycle; i++)
            {
                var (body, seconds) = await GetAsync(http, "");
                htmlTimes.Add(seconds);
                htmlBytes = body.Length;
            }

            var c = await CountersAsync(http);
            DateTimeOffset? shown = null;
            for (var i = 0; i < ViewsPerCycle; i++)
            {
                var (body, seconds) = await GetAsync(http, StatusEndpoints.ApiPath.TrimStart('/'));
                jsonTimes.Add(seconds);
                jsonBytes = body.Length;
                shown ??= GeneratedAt(body);
                if (GeneratedAt(body) != shown)
                {
                    await Console.Error.WriteLineAsync("status: a new reading inside the reuse window; the render-only figures would include it.");
                    return false;
                }
            }

            var d = await CountersAsync(http);
            // Every view above started before the reading's start + the window - the margin; the reading finished
            // after it started, so each of them was inside its window and reused it. And each cycle read anew.
            if (DateTimeOffset.UtcNow - view.Started > StatusService.ReuseFor - Margin || shown < view.Started || !generated.Add(shown!.Value))
            {
                await Console.Error.WriteLineAsync($"status: cycle {cycle} did not stay inside one reading's window (or did not read): too slow a machine for {ViewsPerCycle} views.");
                return false;
            }

            reading += b - a - probe;
            html += c - b - probe;
            json += d - c - probe;
        }

        Console.WriteLine();
        Console.WriteLine($"Status page (issue 13), on the same exporter after the figures above: {Cycles} cycles of one page view that reads every collector and renders, then {ViewsPerCycle} GET / and {ViewsPerCycle} GET {StatusEndpoints.ApiPath} that reuse that reading (the window is {StatusService.ReuseFor.TotalSeconds:0} s); exporter CPU and allocations from its own counters, a probe scrape's cost ({Program.Ms(probe.Cpu)}, {probe.Allocated / 1024:0.0} KiB) taken off each step:");
        Console.WriteLine();
        Console.WriteLine("| page view | wall median | p95 | exporter CPU per view | allocated per view |");
        Console.WriteLine("|---|---|---|---|---|");
        Row($"GET / that reads every collector, then renders ({Cycles} views)", readingTimes, reading.Per(Cycles));
        Row($"GET / within the window: render only ({htmlBytes / 1024.0:0.0} KiB of HTML)", [.. htmlTimes], html.Per(Cycles * ViewsPerCycle));
        Row($"GET {StatusEndpoints.ApiPath} within the window: serialise only ({jsonBytes / 1024.0:0.0} KiB of JSON)", [.. jsonTimes], json.Per(Cycles * ViewsPerCycle));
        Console.WriteLine();
        Console.WriteLine($"(not in the rows: the exporter's own work while the benchmark waited for each window to pass, {Program.Ms(idle.Cpu / idleSeconds)} of CPU and {idle.Allocated / idleSeconds / 1024:0.0} KiB allocated per second idle)");

        return await AlongsideScrapesAsync(http, scrapes, probe, reading.Per(Cycles), html.Per(Cycles * ViewsPerCycle), lastReading);
    }

    /// <summary>
    /// The same scrapes with no page views, then with a GET / before each: what a scrape costs either way. In two rounds
    /// of both, alternating, so a drift of the machine falls on both alike.
    /// </summary>
    private static async Task<bool> AlongsideScrapesAsync(HttpClient http, int scrapes, Counters probe, Counters readingView, Counters renderView, View lastReading)
    {
        var alone = new List<double>();
        var withViews = new List<double>();
        Counters aloneCost = default, withCost = default;
        var readings = 0;
        for (var round = 0; round < 2; round++)
        {
            var count = round == 0 ? scrapes / 2 : scrapes - (scrapes / 2);
            var first = await CountersAsync(http);
            for (var i = 0; i < count; i++)
            {
                alone.Add((await Program.ScrapeAsync(http)).Seconds);
            }

            aloneCost += await CountersAsync(http) - first - probe;

            // With a viewer: each window opens with a view that reads (the one before has passed), then a view before
            // each scrape until the margin; then the next window. Readings and renders are counted, not guessed. The
            // waits for a window are bracketed by the counters and taken off (the exporter's idle work, which scrapes
            // back to back never have), with the probe in each stretch of views and scrapes.
            await WaitForWindowAsync(lastReading.Done);
            first = await CountersAsync(http);
            Counters aroundWaits = default;
            var windows = 0;
            for (var i = 0; i < count;)
            {
                if (windows > 0)
                {
                    var before = await CountersAsync(http);
                    await WaitForWindowAsync(lastReading.Done);
                    aroundWaits += await CountersAsync(http) - before;
                }

                lastReading = await ReadingViewAsync(http, lastReading.Done);
                windows++;
                withViews.Add((await Program.ScrapeAsync(http)).Seconds);
                i++;
                while (i < count && DateTimeOffset.UtcNow - lastReading.Started < StatusService.ReuseFor - Margin)
                {
                    await GetAsync(http, "");
                    withViews.Add((await Program.ScrapeAsync(http)).Seconds);
                    i++;
                }
            }

            withCost += await CountersAsync(http) - first - aroundWaits - probe.Times(windows);
            readings += windows;
        }

        aloneCost = aloneCost.Per(scrapes);
        withCost = withCost.Per(scrapes);
        var renders = scrapes - readings;
        var viewsCost = (readingView.Times(readings) + renderView.Times(renders)).Per(scrapes);
        var own = withCost - viewsCost;
        double[] aloneTimes = [.. alone], withTimes = [.. withViews];
        Console.WriteLine();
        Console.WriteLine($"Does the page add to a scrape? {scrapes} whole-stack scrapes one after another with no page views, and {scrapes} with a GET / before each ({readings} of those views read, one per {StatusService.ReuseFor.TotalSeconds:0} s window; {renders} rendered a shared reading), in two alternating rounds; views and scrapes one after another, never at once, so no view shared a scrape's fetches:");
        Console.WriteLine();
        Console.WriteLine("| scrapes | scrape wall median | p95 | exporter CPU per scrape | allocated per scrape |");
        Console.WriteLine("|---|---|---|---|---|");
        Row("with no page views", aloneTimes, aloneCost);
        Row("with a page view before each: scrape and view together", withTimes, withCost);
        Console.WriteLine(string.Create(Invariant, $"| of that, the views at their cost measured alone above ({readings} readings and {renders} renders, per scrape) | | | {Program.Ms(viewsCost.Cpu)} | {viewsCost.Allocated / 1024:0.0} KiB |"));
        Console.WriteLine(string.Create(Invariant, $"| so the scrape itself, with a viewer | | | {Program.Ms(own.Cpu)} | {own.Allocated / 1024:0.0} KiB |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(Invariant, $"scrape with a viewer minus scrape alone: wall median {Program.Ms(Program.Percentile(withTimes, 0.5) - Program.Percentile(aloneTimes, 0.5))}, CPU {Program.Ms(own.Cpu - aloneCost.Cpu)}, allocated {(own.Allocated - aloneCost.Allocated) / 1024:0.0} KiB per scrape (on this shared machine CPU per scrape moves by more than a render from run to run: a difference smaller than that is none)"));
        return true;
    }

    /// <summary>A GET / that starts a reading: waits first until the reading before (done at <paramref name="previousDone"/>) has passed its window.</summary>
    private static async Task<View> ReadingViewAsync(HttpClient http, DateTimeOffset previousDone)
    {
        await WaitForWindowAsync(previousDone);
        var started = DateTimeOffset.UtcNow;
        var (_, seconds) = await GetAsync(http, "");
        return new View(started, DateTimeOffset.UtcNow, seconds);
    }

    /// <summary>The reading was made before its view answered, so its window has surely passed 5 s (and a little) after that.</summary>
    private static async Task WaitForWindowAsync(DateTimeOffset previousDone)
    {
        if (previousDone == DateTimeOffset.MinValue)
        {
            return;
        }

        var wait = previousDone + StatusService.ReuseFor + TimeSpan.FromMilliseconds(50) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private readonly record struct View(DateTimeOffset Started, DateTimeOffset Done, double Seconds);

    private static async Task<Counters> ProbeCostAsync(HttpClient http)
    {
        const int Probes = 200;
        var first = await CountersAsync(http);
        for (var i = 0; i < Probes - 1; i++)
        {
            await CountersAsync(http);
        }

        // Between two readings of the counters lies one probe's work; Probes of them here.
        return (await CountersAsync(http) - first).Per(Probes);
    }

    private static async Task<Counters> CountersAsync(HttpClient http) => Counters.Of((await Program.ScrapeAsync(http, Probe)).Body);

    private static async Task<(string Body, double Seconds)> GetAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        return (body, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static DateTimeOffset GeneratedAt(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("generatedAt").GetDateTimeOffset();
    }

    private static void Row(string what, double[] times, Counters cost) =>
        Console.WriteLine(string.Create(Invariant,
            $"| {what} | {Program.Ms(Program.Percentile(times, 0.5))} | {Program.Ms(Program.Percentile(times, 0.95))} | {Program.Ms(cost.Cpu)} | {cost.Allocated / 1024:0.0} KiB |"));
}
