using System.Diagnostics;
using System.Globalization;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Systemd;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench`, second part: the whole scrape with every collector against the simulated stack and a real MariaDB.
/// Each timed scrape is paired with a direct round trip to every upstream, all at once as the exporter makes them;
/// the slowest of those is the floor a scrape cannot go below, and the target is the scrape's median within 1 ms of it.
/// Then it goes on scraping until the exporter has answered <see cref="ResidentAfter"/> scrapes, and reads its
/// resident memory: the target is at most 25 MB for the NativeAOT build. Last, on the same exporter, the status page's
/// cost per view and a scrape's cost with and without page views (<see cref="StatusBenchmark"/>, about 45 s).
/// </summary>
internal static class StackBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Collectors = ["bitcoind", "electrum", "mempool", "mempool_frontend", "lnd", "mariadb", "host", "services", "posture"];

    /// <summary>Whole-stack scrapes answered before the resident memory is read (the target's wording).</summary>
    public const int ResidentAfter = 10_000;

    /// <summary>The resident memory target, in bytes (25 MB).</summary>
    private const long ResidentTarget = 25_000_000;

    /// <param name="statusOnly">Only the status page's part (<see cref="StatusBenchmark"/>), after the warm-up: `--part status`.</param>
    public static async Task<bool> RunAsync(string exporterDirectory, int warmup, int scrapes, bool statusOnly = false)
    {
        var work = Directory.CreateTempSubdirectory("nodehelper-bench-stack-");
        // The upstreams live in a process of their own (nodehelper-stack, with a real MariaDB), so the exporter and
        // this benchmark's direct clients are each a separate process talking to them: the comparison is even.
        var (upstreams, settings) = await StartUpstreamsAsync(work.FullName);
        try
        {
            var systemctl = Path.Join(work.FullName, "systemctl");
            await File.WriteAllTextAsync(systemctl, "#!/bin/sh\nprintf 'Id=bitcoind.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running\\nNRestarts=0\\nStateChangeTimestamp=@1795400000\\n'\n");
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            settings["NODEHELPER_Services__Units"] = "bitcoind";
            settings["NODEHELPER_Services__SystemctlPath"] = systemctl;
            settings["NODEHELPER_Host__Root"] = SystemdRoot(work.FullName);
            settings["NODEHELPER_Host__DirectorySizeIntervalSeconds"] = "0";
            // apt-get -s runs once at start and then hourly, in the background: seconds of CPU that would land in the
            // measured scrapes here, and never on a scrape's path on a node.
            settings["NODEHELPER_Posture__AptGetPath"] = "";

            // The same upstreams, asked directly with the exporter's own clients, from this process.
            var bitcoindUrl = new Uri(settings["NODEHELPER_Bitcoind__Url"]);
            var cookie = await File.ReadAllTextAsync(settings["NODEHELPER_Bitcoind__CookieFile"]);
            var batch = System.Text.Encoding.UTF8.GetString(BatchReply.WriteRequest(new BitcoindBatchPlan(new BitcoindOptions().FeeTargets, null).Calls));
            var host = new HostViewOptions { Paths = new Dictionary<string, string> { ["bitcoind"] = settings["NODEHELPER_Host__Paths__bitcoind"] } };
            var electrumClient = new ElectrumClient(new ElectrumOptions { Port = int.Parse(settings["NODEHELPER_Electrum__Port"], Invariant) });
            using var mempoolClient = new MempoolClient(new MempoolOptions { Url = new Uri(settings["NODEHELPER_Mempool__Url"]) });
            using var frontendClient = new MempoolFrontendClient(new MempoolOptions { FrontendUrl = new Uri(settings["NODEHELPER_Mempool__FrontendUrl"]), FrontendTlsVerify = false });
            using var lndClient = new LndRestClient(new Uri(settings["NODEHELPER_Lnd__Url"]), settings["NODEHELPER_Lnd__MacaroonFile"], settings["NODEHELPER_Lnd__TlsCertFile"], TimeSpan.FromSeconds(5));
            var lndSource = new LndSnapshotSource(lndClient, 5, TimeProvider.System);
            var mariadbClient = new MariaDbClient(new MariaDbOptions { Enabled = true, ConnectionString = settings["NODEHELPER_MariaDb__ConnectionString"] });
            var systemdClient = new SystemdClient(new ServicesOptions { Units = ["bitcoind"], SystemctlPath = systemctl }, new HostViewOptions { Root = settings["NODEHELPER_Host__Root"] });
            var hostCollector = new HostCollector(host, new DirectorySizeMonitor(host, Microsoft.Extensions.Logging.Abstractions.NullLogger<DirectorySizeMonitor>.Instance),
                new ItemLog(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "host"));

            var port = Program.FreePort();
            using var exporter = Program.StartExporter(exporterDirectory, port, [], settings);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
                await Program.WaitUntilListeningAsync(http);
                using var upstream = new HttpClient { BaseAddress = bitcoindUrl };
                upstream.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                    "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(cookie.Trim())));

                var answered = 0;
                for (var i = 0; i < warmup; i++)
                {
                    await Program.ScrapeAsync(http);
                    answered++;
                }

                if (statusOnly)
                {
                    return await StatusBenchmark.RunAsync(http, StatusScrapes(scrapes));
                }

                answered += await PerCollectorAsync(http, Math.Max(100, scrapes / 4));
                var scrapeTimes = new double[scrapes];
                var slowest = new double[scrapes];
                var slowestCollector = new double[scrapes];
                var upstreamTimes = new Dictionary<string, double[]>();
                var collectorTimes = Collectors.ToDictionary(c => c, _ => new double[scrapes]);
                var first = await Program.ScrapeAsync(http);
                answered++;
                var last = first.Body;
                for (var i = 0; i < scrapes; i++)
                {
                    var rounds = await Task.WhenAll(
                        Timed("bitcoind", () => Program.PostBatchAsync(upstream, batch)),
                        Timed("electrum", () => electrumClient.ProbeAsync(CancellationToken.None)),
                        Timed("mempool", () => mempoolClient.FetchAsync(CancellationToken.None)),
                        Timed("mempool_frontend", () => frontendClient.ProbeAsync(CancellationToken.None)),
                        Timed("lnd", () => lndSource.FetchAsync(CancellationToken.None)),
                        Timed("mariadb", () => mariadbClient.FetchAsync(CancellationToken.None)),
                        Timed("host", () => hostCollector.CollectAsync(new MetricSet(), CancellationToken.None)),
                        Timed("services", () => systemdClient.FetchAsync(CancellationToken.None)));
                    foreach (var (name, seconds) in rounds)
                    {
                        (upstreamTimes.TryGetValue(name, out var times) ? times : upstreamTimes[name] = new double[scrapes])[i] = seconds;
                    }

                    slowest[i] = rounds.Max(r => r.Seconds);
                    var scrape = await Program.ScrapeAsync(http);
                    scrapeTimes[i] = scrape.Seconds;
                    foreach (var collector in Collectors)
                    {
                        collectorTimes[collector][i] = Program.Value(scrape.Body, $"nodehelper_scrape_collector_duration_seconds{{collector=\"{collector}\"}}");
                        if (Program.Value(scrape.Body, $"nodehelper_scrape_collector_success{{collector=\"{collector}\"}}") != 1)
                        {
                            await Console.Error.WriteLineAsync($"collector {collector} failed during the benchmark: the figures would measure failures.");
                            return false;
                        }
                    }

                    slowestCollector[i] = Collectors.Max(c => collectorTimes[c][i]);
                    last = scrape.Body;
                    answered++;
                }

                var allocated = (Program.Value(last, "dotnet_gc_allocated_bytes_total") - Program.Value(first.Body, "dotnet_gc_allocated_bytes_total")) / scrapes;
                var cpu = (Program.Value(last, "process_cpu_seconds_total") - Program.Value(first.Body, "process_cpu_seconds_total")) / scrapes;
                var gcs = (Program.Value(last, "dotnet_gc_collections_total{generation=\"0\"}") - Program.Value(first.Body, "dotnet_gc_collections_total{generation=\"0\"}")) / scrapes;
                for (; answered < ResidentAfter; answered++)
                {
                    var more = await Program.ScrapeAsync(http);
                    if (answered == ResidentAfter - 1 && Program.Value(more.Body, "nodehelper_scrape_collector_success{collector=\"mariadb\"}") != 1)
                    {
                        await Console.Error.WriteLineAsync("a collector failed at the end of the benchmark: the resident figure would measure failures.");
                        return false;
                    }
                }

                var memory = Program.Memory(exporter.Id);
                var overhead = Program.Percentile(scrapeTimes, 0.5) - Program.Percentile(slowest, 0.5);
                Console.WriteLine();
                Console.WriteLine($"NodeHelper whole-stack benchmark: {Collectors.Length} collectors, {warmup} scrapes to warm up, then {scrapes} timed scrapes");
                Console.WriteLine($"exporter: {exporterDirectory}");
                Console.WriteLine();
                Console.WriteLine("| measure | median | p95 |");
                Console.WriteLine("|---|---|---|");
                Console.WriteLine($"| whole scrape (GET /metrics, {last.Length / 1024.0:0.0} KiB answer) | {Program.Ms(Program.Percentile(scrapeTimes, 0.5))} | {Program.Ms(Program.Percentile(scrapeTimes, 0.95))} |");
                Console.WriteLine($"| slowest upstream of each round, asked directly | {Program.Ms(Program.Percentile(slowest, 0.5))} | {Program.Ms(Program.Percentile(slowest, 0.95))} |");
                Console.WriteLine($"| slowest collector of each scrape, inside it | {Program.Ms(Program.Percentile(slowestCollector, 0.5))} | {Program.Ms(Program.Percentile(slowestCollector, 0.95))} |");
                foreach (var collector in Collectors)
                {
                    // The posture collector has no upstream to ask directly: it reads the kernel's tables and files.
                    var alone = upstreamTimes.TryGetValue(collector, out var times) ? $"upstream alone: {Program.Ms(Program.Percentile(times, 0.5))}" : "no upstream";
                    Console.WriteLine($"| collector {collector} inside the scrape ({alone}) | {Program.Ms(Program.Percentile(collectorTimes[collector], 0.5))} | {Program.Ms(Program.Percentile(collectorTimes[collector], 0.95))} |");
                }

                Console.WriteLine();
                Console.WriteLine($"scrape within 1 ms of the slowest upstream (median scrape minus the median of the slowest upstream asked directly): {Program.Ms(overhead)} {(overhead < 0.001 ? "MET" : "MISSED")}");
                var tail = scrapeTimes.Zip(slowestCollector, (s, c) => s - c).ToArray();
                Console.WriteLine($"  of which inside the exporter, after its own slowest collector (orchestration, serialisation, HTTP), median: {Program.Ms(Program.Percentile(tail, 0.5))}");
                Console.WriteLine($"exporter CPU per scrape: {Program.Ms(cpu)}; allocations per scrape: {allocated / 1024:0.0} KiB; gen0 collections per scrape: {gcs:0.00}");
                Console.WriteLine($"resident memory after {ResidentAfter:N0} whole-stack scrapes: {memory.Rss / 1048576.0:0.0} MiB (target: at most 25 MB) {(memory.Rss <= ResidentTarget ? "MET" : "MISSED")}");
                Console.WriteLine($"  anonymous {memory.Anonymous / 1048576.0:0.0} MiB, file-backed {memory.File / 1048576.0:0.0} MiB (of which the binary {memory.Binary / 1048576.0:0.0} MiB), peak {memory.Peak / 1048576.0:0.0} MiB");
                return await StatusBenchmark.RunAsync(http, StatusScrapes(scrapes));
            }
            finally
            {
                exporter.Kill(entireProcessTree: true);
                await exporter.WaitForExitAsync();
            }
        }
        finally
        {
            // SIGTERM: the simulated stack stops its MariaDB cleanly.
            Process.Start("kill", ["-TERM", upstreams.Id.ToString(Invariant)])!.WaitForExit();
            await upstreams.WaitForExitAsync();
            upstreams.Dispose();
            work.Delete(recursive: true);
        }
    }

    /// <summary>Scrapes with and without page views in the status part: a quarter of the timed scrapes (500 by default), at least 100.</summary>
    private static int StatusScrapes(int scrapes) => Math.Max(100, scrapes / 4);

    /// <summary>Starts the simulated stack; each simulator binds a free port itself (--base-port 0).</summary>
    private static async Task<(Process, Dictionary<string, string>)> StartUpstreamsAsync(string work)
    {
        var process = StartUpstreams(work);
        return (process, await ReadSettingsAsync(Path.Join(work, "exporter.env"), process));
    }

    private static Process StartUpstreams(string work)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Join(AppContext.BaseDirectory, "nodehelper-stack.dll"), "--dir", work, "--base-port", "0", "--mariadb" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        UpstreamErrors = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>What the simulated stack wrote to stderr, to say why it stopped if it does.</summary>
    private static Task<string> UpstreamErrors { get; set; } = Task.FromResult("");

    /// <summary>The exporter settings the simulated stack writes (KEY='value' lines), once it has started.</summary>
    private static async Task<Dictionary<string, string>> ReadSettingsAsync(string file, Process upstreams)
    {
        for (var attempt = 0; attempt < 600 && !File.Exists(file); attempt++)
        {
            if (upstreams.HasExited)
            {
                throw new InvalidOperationException($"the simulated stack exited with {upstreams.ExitCode}: {await UpstreamErrors}");
            }

            await Task.Delay(100);
        }

        return (await File.ReadAllLinesAsync(file))
            .Select(line => line.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1].Trim('\''), StringComparer.Ordinal);
    }

    /// <summary>Each collector alone (/metrics?collect[]=name): the exporter's CPU and allocations per scrape, and the wall time. Returns the scrapes made.</summary>
    private static async Task<int> PerCollectorAsync(HttpClient http, int scrapes)
    {
        Console.WriteLine();
        Console.WriteLine($"Each collector alone, {scrapes} scrapes each (/metrics?collect[]=name):");
        Console.WriteLine();
        Console.WriteLine("| collector | wall median | exporter CPU per scrape | allocated per scrape |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var collector in Collectors)
        {
            var times = new double[scrapes];
            var first = await Program.ScrapeAsync(http, $"?collect[]={collector}");
            var last = first;
            for (var i = 0; i < scrapes; i++)
            {
                last = await Program.ScrapeAsync(http, $"?collect[]={collector}");
                times[i] = last.Seconds;
            }

            var cpu = (Program.Value(last.Body, "process_cpu_seconds_total") - Program.Value(first.Body, "process_cpu_seconds_total")) / scrapes;
            var allocated = (Program.Value(last.Body, "dotnet_gc_allocated_bytes_total") - Program.Value(first.Body, "dotnet_gc_allocated_bytes_total")) / scrapes;
            Console.WriteLine($"| {collector} | {Program.Ms(Program.Percentile(times, 0.5))} | {Program.Ms(cpu)} | {allocated / 1024:0.0} KiB |");
        }

        return Collectors.Length * (scrapes + 1);
    }

    private static async Task<(string Name, double Seconds)> Timed(string name, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return (name, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A root whose run/systemd/system exists, so the services collector asks systemctl (the real /proc stays in use for the host).</summary>
    private static string SystemdRoot(string work)
    {
        var root = Path.Join(work, "root");
        Directory.CreateDirectory(Path.Join(root, "run", "systemd", "system"));
        foreach (var link in new[] { "proc", "sys" })
        {
            var path = Path.Join(root, link);
            if (!Path.Exists(path))
            {
                File.CreateSymbolicLink(path, "/" + link);
            }
        }

        return root;
    }
}
