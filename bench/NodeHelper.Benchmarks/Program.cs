using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench`: the exporter as users run it (its own process, framework-dependent, Release) scraped over
/// loopback against the simulated bitcoind, N fresh scrapes one after another. Each scrape is paired with a
/// direct POST of the same JSON-RPC batch to the simulator, so the exporter's own overhead is the scrape minus
/// the upstream round trip, measured side by side under the same machine noise.
/// </summary>
internal static class Program
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        // The timed scrapes come after the warm-up, when tiered compilation has settled, as it has in an exporter
        // Prometheus has scraped for an hour. The resident memory printed here is the bitcoind collector's alone, for
        // comparison; the memory target is read after 10,000 whole-stack scrapes (StackBenchmark).
        var warmup = int.Parse(Option(args, "--warmup") ?? "1000", Invariant);
        var scrapes = int.Parse(Option(args, "--scrapes") ?? "2000", Invariant);
        if (args.Contains("--phases"))
        {
            await Phases.RunAsync(scrapes, Option(args, "--peers") is { } peers ? int.Parse(peers, Invariant) : null);
            return 0;
        }

        var exporterDirectory = Option(args, "--exporter") ?? AppContext.BaseDirectory;
        var part = Option(args, "--part") ?? "all";
        var ok = true;
        if (part is "all" or "bitcoind")
        {
            ok &= await BitcoindOnlyAsync(exporterDirectory, warmup, scrapes) == 0;
        }

        if (part is "all" or "stack")
        {
            ok &= await StackBenchmark.RunAsync(exporterDirectory, warmup, scrapes);
        }

        if (part is "all" or "mainnet")
        {
            ok &= await MainnetBenchmark.RunAsync(exporterDirectory, warmup, scrapes);
        }

        if (part is "status")
        {
            ok &= await StackBenchmark.RunAsync(exporterDirectory, warmup, scrapes, statusOnly: true);
        }

        if (part is "probe")
        {
            ok &= await ProbeBenchmark.RunAsync(exporterDirectory, int.Parse(Option(args, "--window") ?? "60", Invariant));
        }

        if (part is "release")
        {
            ok &= await ReleaseBenchmark.RunAsync(Option(args, "--repository") ?? Directory.GetCurrentDirectory());
        }

        return ok ? 0 : 1;
    }

    /// <summary>Issue 2's figures: the bitcoind collector alone, its overhead over the upstream round trip and the resident memory.</summary>
    private static async Task<int> BitcoindOnlyAsync(string exporterDirectory, int warmup, int scrapes)
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var port = FreePort();
        using var exporter = StartExporter(exporterDirectory, port, [$"--Bitcoind:Url={bitcoind.Url}", $"--Bitcoind:CookieFile={bitcoind.CookieFile}",
            "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false"]);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilListeningAsync(http);

            // Warm both paths (JIT, connection pools), then take the batch body the exporter really sends.
            for (var i = 0; i < warmup; i++)
            {
                await ScrapeAsync(http);
            }

            var (rssAfterWarmup, _) = ResidentMemory(exporter.Id);
            var batch = bitcoind.RequestBodies[^1];
            using var upstream = new HttpClient { BaseAddress = bitcoind.Url };
            upstream.DefaultRequestHeaders.Authorization = bitcoind.CurrentAuthorization();
            for (var i = 0; i < warmup; i++)
            {
                await PostBatchAsync(upstream, batch);
            }

            var first = await ScrapeAsync(http);
            var requestsBefore = bitcoind.RequestCount;
            var scrapeTimes = new double[scrapes];
            var upstreamTimes = new double[scrapes];
            var collectorTimes = new double[scrapes];
            string last = first.Body;
            for (var i = 0; i < scrapes; i++)
            {
                upstreamTimes[i] = await PostBatchAsync(upstream, batch);
                var scrape = await ScrapeAsync(http);
                scrapeTimes[i] = scrape.Seconds;
                collectorTimes[i] = Value(scrape.Body, "nodehelper_scrape_collector_duration_seconds{collector=\"bitcoind\"}");
                last = scrape.Body;
            }

            var bitcoindRequests = bitcoind.RequestCount - requestsBefore - (2 * scrapes); // one per scrape plus our own direct POST
            var allocated = (Value(last, "dotnet_gc_allocated_bytes_total") - Value(first.Body, "dotnet_gc_allocated_bytes_total")) / scrapes;
            var (rss, peak) = ResidentMemory(exporter.Id);
            if (Value(last, "bitcoind_up") != 1)
            {
                await Console.Error.WriteLineAsync("bitcoind_up is not 1: the benchmark measured failures, not scrapes.");
                return 1;
            }

            var cpu = (Value(last, "process_cpu_seconds_total") - Value(first.Body, "process_cpu_seconds_total")) / scrapes;
            Report(exporterDirectory, warmup, scrapes, scrapeTimes, upstreamTimes, collectorTimes, allocated, rssAfterWarmup, rss, peak, bitcoindRequests, last.Length);
            Console.WriteLine($"exporter CPU per scrape: {Ms(cpu)}");
            return 0;
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync();
        }
    }

    private static void Report(string exporterDescription, int warmup, int scrapes, double[] scrapeTimes, double[] upstreamTimes, double[] collectorTimes,
        double allocatedPerScrape, long rssAfterWarmup, long rssBytes, long peakBytes, int extraRequests, int bodyBytes)
    {
        var paired = scrapeTimes.Zip(upstreamTimes, (s, u) => s - u).ToArray();
        var overhead = Percentile(scrapeTimes, 0.5) - Percentile(upstreamTimes, 0.5);
        Console.WriteLine($"NodeHelper scrape benchmark: {warmup} scrapes to warm up, then {scrapes} timed fresh scrapes one after another, against the bitcoind simulator");
        Console.WriteLine($"exporter: {exporterDescription}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| measure | median | p95 |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| whole scrape (GET /metrics, {bodyBytes / 1024.0:0.0} KiB answer) | {Ms(Percentile(scrapeTimes, 0.5))} | {Ms(Percentile(scrapeTimes, 0.95))} |");
        Console.WriteLine($"| upstream round trip alone (the same batch POSTed to the simulator) | {Ms(Percentile(upstreamTimes, 0.5))} | {Ms(Percentile(upstreamTimes, 0.95))} |");
        Console.WriteLine($"| bitcoind collector inside the scrape (its share) | {Ms(Percentile(collectorTimes, 0.5))} | {Ms(Percentile(collectorTimes, 0.95))} |");
        Console.WriteLine($"| exporter overhead (scrape minus upstream, per pair) | {Ms(Percentile(paired, 0.5))} | {Ms(Percentile(paired, 0.95))} |");
        Console.WriteLine();
        Console.WriteLine($"exporter overhead at the median (median scrape - median upstream): {Ms(overhead)} (target: under 1 ms) {(overhead < 0.001 ? "MET" : "MISSED")}");
        Console.WriteLine($"allocations per scrape (dotnet_gc_allocated_bytes_total): {allocatedPerScrape / 1024:0.0} KiB");
        Console.WriteLine($"resident memory after {warmup} scrapes: {rssAfterWarmup / 1048576.0:0.0} MiB (the target is the whole stack's, below)");
        Console.WriteLine($"resident memory after {warmup + scrapes} scrapes: {rssBytes / 1048576.0:0.0} MiB (peak {peakBytes / 1048576.0:0.0} MiB)");
        Console.WriteLine($"extra requests to bitcoind beyond one per scrape: {extraRequests}");
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    internal static Process StartExporter(string directory, int port, IEnumerable<string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        // A framework-dependent build runs as `dotnet nodehelper.dll`; a NativeAOT one is a single native binary.
        var dll = Path.Join(directory, "nodehelper.dll");
        var start = new ProcessStartInfo(File.Exists(dll) ? "dotnet" : Path.Join(directory, "nodehelper"))
        {
            ArgumentList =
            {
                $"--urls=http://127.0.0.1:{port}",
                "--Logging:LogLevel:Default=Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (File.Exists(dll))
        {
            start.ArgumentList.Insert(0, dll);
        }

        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    internal static async Task<(string Body, double Seconds)> ScrapeAsync(HttpClient http, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics" + query);
        request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", "10");
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (body, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    internal static async Task<double> PostBatchAsync(HttpClient http, string batch)
    {
        using var content = new StringContent(batch, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("", content);
        await response.Content.ReadAsByteArrayAsync();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    internal static async Task WaitUntilListeningAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await http.GetStringAsync("");
                return;
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                await Task.Delay(100);
            }
        }
    }

    internal static double Value(string exposition, string series)
    {
        var at = exposition.IndexOf("\n" + series + " ", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"{series} is not in the scrape");
        }

        var start = at + series.Length + 2;
        var end = exposition.IndexOf('\n', start);
        return double.Parse(exposition.AsSpan(start, end - start), NumberStyles.Float, Invariant);
    }

    internal static (long Rss, long Peak) ResidentMemory(int pid)
    {
        var memory = Memory(pid);
        return (memory.Rss, memory.Peak);
    }

    /// <summary>
    /// The process's resident set (VmRSS, what the target counts), split as the kernel counts it: anonymous (the
    /// managed heap, the image's rehydrated data, stacks) and file-backed (the binary's and libraries' pages, clean
    /// and shared, which the kernel takes back first under memory pressure); the binary's own share from smaps.
    /// </summary>
    internal static (long Rss, long Anonymous, long File, long Binary, long Peak) Memory(int pid)
    {
        var status = File.ReadLines($"/proc/{pid}/status").ToList();
        long Read(string key) => long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) * 1024;
        var executable = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
        long binary = 0;
        var inBinary = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal))
            {
                inBinary = executable.Length > 0 && line.EndsWith(executable, StringComparison.Ordinal);
            }
            else if (inBinary && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                binary += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) * 1024;
            }
        }

        return (Read("VmRSS:"), Read("RssAnon:"), Read("RssFile:"), binary, Read("VmHWM:"));
    }

    /// <summary>The repository the benchmark runs from (make bench runs it at the root): the first folder up holding NodeHelper.sln.</summary>
    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "NodeHelper.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmark inside the repository (make bench): no NodeHelper.sln above the current directory.");
    }

    internal static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Ceiling(p * sorted.Length) - 1];
    }

    internal static string Ms(double seconds) => (seconds * 1000).ToString("0.000", Invariant) + " ms";

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
