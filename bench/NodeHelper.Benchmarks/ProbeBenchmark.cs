using System.Globalization;
using System.Text;
using NodeHelper.Report.Prometheus;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench`, /probe: 1, 10 and 100 simulated bitcoind nodes probed through one exporter by a real Prometheus (Debian's)
/// every 15 s, with the shipped probe job's relabelling. For each size, once every target has been probed, the exporter's
/// CPU (utime + stime from /proc, idle time included) over a window, the probes in it (counted by the simulators), the
/// allocations per probe, the probe duration Prometheus recorded, and the resident memory at the end. Goal, for the
/// NativeAOT build: 100 nodes under 5 % of one core and 60 MB resident.
/// </summary>
internal static class ProbeBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly int[] Sizes = [1, 10, 100];

    private const int IntervalSeconds = 15;

    private const double CpuGoal = 0.05;

    private const long ResidentGoal = 60_000_000;

    public static async Task<bool> RunAsync(string exporterDirectory, int windowSeconds)
    {
        Console.WriteLine();
        Console.WriteLine($"NodeHelper /probe benchmark: N simulated bitcoind nodes probed by a real Prometheus every {IntervalSeconds} s; each row measured over {windowSeconds} s, from one interval after every target was first probed");
        Console.WriteLine($"exporter: {exporterDirectory}");
        Console.WriteLine();
        Console.WriteLine("| probed nodes | probes in the window | exporter CPU, share of one core | CPU per probe | allocations per probe | probe duration (Prometheus, mean) | resident memory |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var ok = true;
        (int Nodes, double Share, long Rss) largest = default;
        foreach (var size in Sizes)
        {
            var row = await MeasureAsync(exporterDirectory, size, windowSeconds);
            if (row is null)
            {
                ok = false;
                continue;
            }

            var (probes, share, cpuPerProbe, allocPerProbe, duration, rss) = row.Value;
            Console.WriteLine($"| {size} | {probes} | {share * 100:0.00} % | {Program.Ms(cpuPerProbe)} | {allocPerProbe / 1024:0.0} KiB | {Program.Ms(duration)} | {rss / 1048576.0:0.0} MiB |");
            largest = (size, share, rss);
        }

        Console.WriteLine();
        Console.WriteLine($"{largest.Nodes} probed nodes at a {IntervalSeconds} s interval: {largest.Share * 100:0.00} % of one core (goal under 5 %) {(largest.Share < CpuGoal ? "MET" : "MISSED")}, "
                          + $"{largest.Rss / 1048576.0:0.0} MiB resident (goal 60 MB) {(largest.Rss <= ResidentGoal ? "MET" : "MISSED")}");
        return ok;
    }

    private static async Task<(long Probes, double Share, double CpuPerProbe, double AllocPerProbe, double Duration, long Rss)?> MeasureAsync(string exporterDirectory, int size, int windowSeconds)
    {
        var work = Directory.CreateTempSubdirectory("nodehelper-bench-probe-");
        var nodes = new List<BitcoindSimulator>();
        try
        {
            for (var i = 0; i < size; i++)
            {
                nodes.Add(await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { User = "probe", Password = "probe-password" }));
            }

            var passwordFile = Path.Join(work.FullName, "rpc-password");
            await File.WriteAllTextAsync(passwordFile, "probe-password\n");
            var targets = nodes.Select(n => $"127.0.0.1:{n.Url.Port.ToString(Invariant)}").ToList();
            var port = Program.FreePort();
            using var exporter = Program.StartExporter(exporterDirectory, port,
            [
                "--Bitcoind:Enabled=false", "--Host:Enabled=false", "--Services:Enabled=false", "--Posture:Enabled=false",
                "--Probe:Modules:bitcoind:User=probe", $"--Probe:Modules:bitcoind:PasswordFile={passwordFile}",
                $"--Probe:Modules:bitcoind:Targets={string.Join(',', targets)}",
            ]);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(Invariant)}/") };
                await Program.WaitUntilListeningAsync(http);
                var prometheusDirectory = Path.Join(work.FullName, "prometheus");
                Directory.CreateDirectory(Path.Join(prometheusDirectory, "consoles"));
                await File.WriteAllTextAsync(Path.Join(prometheusDirectory, "prometheus.yml"), Config(targets, port));
                await using var prometheus = await RealServers.StartPrometheusAsync(prometheusDirectory);
                using var apiHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var api = new PrometheusApiClient(apiHttp, prometheus.Url, "the benchmark's Prometheus");

                var deadline = DateTime.UtcNow.AddSeconds(IntervalSeconds * 4);
                while (await ScalarAsync(api, "count(probe_success == 1)") < size)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        await Console.Error.WriteLineAsync($"{size} nodes: not every target was probed successfully within {IntervalSeconds * 4} s.");
                        return null;
                    }

                    await Task.Delay(500);
                }

                // One more interval, so every target's collector has been made and its path compiled before the window.
                await Task.Delay(TimeSpan.FromSeconds(IntervalSeconds));
                var cpu0 = CpuSeconds(exporter.Id);
                var alloc0 = Program.Value(await http.GetStringAsync("metrics"), "dotnet_gc_allocated_bytes_total");
                var requests0 = nodes.Sum(n => (long)n.RequestCount);
                var started = DateTime.UtcNow;
                await Task.Delay(TimeSpan.FromSeconds(windowSeconds));
                var cpu1 = CpuSeconds(exporter.Id);
                var elapsed = (DateTime.UtcNow - started).TotalSeconds;
                var probes = nodes.Sum(n => (long)n.RequestCount) - requests0;
                var alloc1 = Program.Value(await http.GetStringAsync("metrics"), "dotnet_gc_allocated_bytes_total");
                var rss = Program.ResidentMemory(exporter.Id).Rss;
                var duration = await ScalarAsync(api, $"avg(avg_over_time(probe_duration_seconds[{windowSeconds.ToString(Invariant)}s]))");
                var cpu = cpu1 - cpu0;
                return (probes, cpu / elapsed, probes == 0 ? 0 : cpu / probes, probes == 0 ? 0 : (alloc1 - alloc0) / probes, duration, rss);
            }
            finally
            {
                exporter.Kill(entireProcessTree: true);
                await exporter.WaitForExitAsync();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            if (Directory.Exists(work.FullName))
            {
                work.Delete(recursive: true);
            }
        }
    }

    /// <summary>
    /// The shipped prometheus/probe.yml as an operator adapts it: its example groups replaced by one group per node, its
    /// interval by the benchmark's, and this exporter's address for 127.0.0.1:9338. Its relabelling is kept as shipped.
    /// </summary>
    private static string Config(List<string> targets, int exporterPort)
    {
        var shipped = File.ReadAllText(Path.Join(Program.RepositoryRoot(), "prometheus", "probe.yml"));
        var groupsStart = shipped.IndexOf("    static_configs:\n", StringComparison.Ordinal);
        var groupsEnd = shipped.IndexOf("    relabel_configs:\n", StringComparison.Ordinal);
        if (groupsStart < 0 || groupsEnd < groupsStart)
        {
            throw new InvalidOperationException("prometheus/probe.yml has no static_configs followed by relabel_configs: the benchmark cannot adapt it.");
        }

        var groups = new StringBuilder("    static_configs:\n");
        for (var i = 0; i < targets.Count; i++)
        {
            groups.Append(Invariant, $"      - targets: [\"{targets[i]}\"]\n        labels: {{ node: node{i:000}, __param_module: bitcoind }}\n");
        }

        var config = shipped[..groupsStart] + groups + shipped[groupsEnd..];
        config = Replace(config, "scrape_interval: 30s", $"scrape_interval: {IntervalSeconds.ToString(Invariant)}s");
        return Replace(config, "127.0.0.1:9338", $"127.0.0.1:{exporterPort.ToString(Invariant)}");
    }

    private static string Replace(string text, string what, string with) =>
        text.Contains(what, StringComparison.Ordinal)
            ? text.Replace(what, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"prometheus/probe.yml no longer holds \"{what}\": the benchmark cannot adapt it.");

    /// <summary>A query's one value (0 for none, or while Prometheus does not answer yet), read by the report's own API client.</summary>
    private static async Task<double> ScalarAsync(PrometheusApiClient api, string query)
    {
        try
        {
            var result = await api.QueryAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
            return result.Count == 0 ? 0 : result[0].Value;
        }
        catch (PrometheusException)
        {
            return 0;
        }
    }

    /// <summary>utime + stime of the process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], Invariant) + long.Parse(fields[12], Invariant)) / 100.0;
    }
}
