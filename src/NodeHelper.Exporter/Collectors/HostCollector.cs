using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// The host, scoped to what a node needs: the filesystem under each data directory and the directory's own size,
/// memory and swap, CPU time, load, boot time, temperatures and the Raspberry Pi's under-voltage and throttling.
/// Local reads only (/proc and /sys under Host:Root); a path that cannot be read is an item-level error.
/// </summary>
internal sealed class HostCollector(HostViewOptions options, DirectorySizeMonitor directories, ItemLog items) : IMetricsCollector
{
    private const string ThrottledFile = "sys/devices/platform/soc/soc:firmware/get_throttled";

    private const string ThermalDirectory = "sys/class/thermal";

    public string Name => "host";

    public string Description => "this host: data directories' filesystems and sizes, memory, CPU, load, temperature, Pi throttling";

    /// <summary>No upstream to be down: a file it cannot read is an item (nodehelper_host_source_success, nodehelper_filesystem_error).</summary>
    public UpGauge? Up => null;

    public Task CollectAsync(MetricSet metrics, CancellationToken cancellationToken)
    {
        var m = metrics;
        WriteFilesystems(m);
        WriteDirectorySizes(m);
        var sources = m.Family("nodehelper_host_source_success", "Whether a kernel file of the host view could be read (1) or not (0): meminfo, stat, loadavg, and where the host has them, thermal (the zone list) and get_throttled.", "source");
        Source(sources, "meminfo", "proc/meminfo", text => WriteMemory(m, HostParsers.ParseMeminfo(text)));
        Source(sources, "stat", "proc/stat", text => WriteCpu(m, HostParsers.ParseStat(text)));
        Source(sources, "loadavg", "proc/loadavg", text => WriteLoad(m, HostParsers.ParseLoadavg(text)));
        WriteTemperatures(m, sources);
        WriteThrottling(m, sources);
        return Task.CompletedTask;
    }

    private void WriteFilesystems(MetricSet m)
    {
        var size = m.Family("nodehelper_filesystem_size_bytes", "Size of the filesystem a component's data directory lives on (statvfs).", "component", "path");
        var avail = m.Family("nodehelper_filesystem_avail_bytes", "Space on that filesystem available to unprivileged users (statvfs f_bavail).", "component", "path");
        var error = m.Family("nodehelper_filesystem_error", "Whether the component's data directory could not be read (1) or could (0).", "component", "path");
        foreach (var (component, configured) in options.Paths)
        {
            var path = PathExpansion.Expand(configured);
            try
            {
                var drive = Directory.Exists(path) ? new DriveInfo(path) : throw new DirectoryNotFoundException($"{path} does not exist or is not a directory");
                size.WithLabels(component, path).Set(drive.TotalSize);
                avail.WithLabels(component, path).Set(drive.AvailableFreeSpace);
                error.WithLabels(component, path).Set(0);
                items.Note($"path {component}", null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WithLabels(component, path).Set(1);
                items.Note($"path {component}", UpstreamException.Clip(e.Message));
            }
        }
    }

    private void WriteDirectorySizes(MetricSet m)
    {
        var measured = directories.Sizes;
        if (measured.Count == 0)
        {
            return;
        }

        var bytes = m.Family("nodehelper_directory_size_bytes", "Apparent size of a component's data directory, measured in the background every Host:DirectorySizeIntervalSeconds.", "component", "path");
        var when = m.Family("nodehelper_directory_size_timestamp_seconds", "When that size was measured, Unix seconds.", "component", "path");
        foreach (var size in measured)
        {
            bytes.WithLabels(size.Component, size.Path).Set(size.Bytes);
            when.WithLabels(size.Component, size.Path).Set(size.MeasuredAt.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    /// <summary>A kernel file read and written out as one source.</summary>
    private void Source(MetricFamily success, string source, string relative, Action<string> write) =>
        SourceAt(success, source, relative, path => write(File.ReadAllText(path)));

    /// <summary>One source of the host view, read at its path: 1 when it could be, 0 and its problem noted when not.</summary>
    private bool SourceAt(MetricFamily success, string source, string relative, Action<string> read)
    {
        var path = options.In(relative);
        try
        {
            read(path);
            success.WithLabels(source).Set(1);
            items.Note(source, null);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UpstreamException or FormatException or OverflowException)
        {
            success.WithLabels(source).Set(0);
            items.Note(source, $"{path}: {UpstreamException.Clip(e.Message)}");
            return false;
        }
    }

    private static void WriteMemory(MetricSet m, MemoryInfo memory)
    {
        m.Gauge("nodehelper_memory_total_bytes", "Memory the kernel manages (/proc/meminfo MemTotal).", memory.TotalBytes);
        m.Gauge("nodehelper_memory_available_bytes", "Memory available for new work without swapping (/proc/meminfo MemAvailable).", memory.AvailableBytes);
        m.Gauge("nodehelper_swap_total_bytes", "Swap space (/proc/meminfo SwapTotal).", memory.SwapTotalBytes);
        m.Gauge("nodehelper_swap_free_bytes", "Unused swap space (/proc/meminfo SwapFree).", memory.SwapFreeBytes);
    }

    private static void WriteCpu(MetricSet m, CpuStats cpu)
    {
        var seconds = m.CounterFamily("nodehelper_cpu_seconds_total", "CPU time of all CPUs since boot, by mode (/proc/stat cpu); its rate per CPU is the share busy.", "mode");
        foreach (var (mode, value) in cpu.SecondsByMode)
        {
            seconds.WithLabels(mode).IncTo(value);
        }

        m.Gauge("nodehelper_cpus", "Number of CPUs (/proc/stat cpuN lines).", cpu.Cpus);
        if (cpu.BootTime is { } boot)
        {
            m.Gauge("nodehelper_boot_time_seconds", "When the host booted, Unix seconds (/proc/stat btime).", boot);
        }
    }

    private static void WriteLoad(MetricSet m, LoadAverage load)
    {
        m.Gauge("nodehelper_load1", "Load average over 1 minute (/proc/loadavg).", load.Load1);
        m.Gauge("nodehelper_load5", "Load average over 5 minutes (/proc/loadavg).", load.Load5);
        m.Gauge("nodehelper_load15", "Load average over 15 minutes (/proc/loadavg).", load.Load15);
    }

    private void WriteTemperatures(MetricSet m, MetricFamily sources)
    {
        if (!Directory.Exists(options.In(ThermalDirectory)))
        {
            return;
        }

        // A zone list that cannot be read (a hardened sandbox) loses the temperatures, and the rest of the host view stays.
        string[] zones = [];
        if (!SourceAt(sources, "thermal", ThermalDirectory, path => zones = [.. Directory.EnumerateDirectories(path, "thermal_zone*").Order(StringComparer.Ordinal).Take(LabelValue.MaxDistinct)]))
        {
            return;
        }

        var readings = new List<(string Zone, string Type, double Celsius)>();
        foreach (var zone in zones)
        {
            try
            {
                var type = File.Exists(Path.Join(zone, "type")) ? File.ReadAllText(Path.Join(zone, "type")).Trim() : "";
                if (HostParsers.ParseMillidegrees(File.ReadAllText(Path.Join(zone, "temp"))) is { } celsius)
                {
                    readings.Add((Path.GetFileName(zone), LabelValue.Clip(type), celsius));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A zone whose sensor cannot be read now (some report ENODATA while idle) is left out of this scrape.
            }
        }

        if (readings.Count > 0)
        {
            var temperature = m.Family("nodehelper_temperature_celsius", "Temperature of each thermal zone the kernel exposes (/sys/class/thermal/thermal_zone*/temp).", "zone", "type");
            foreach (var (zone, type, celsius) in readings)
            {
                temperature.WithLabels(zone, type).Set(celsius);
            }
        }
    }

    private void WriteThrottling(MetricSet m, MetricFamily sources)
    {
        if (File.Exists(options.In(ThrottledFile)))
        {
            Source(sources, "get_throttled", ThrottledFile, text => WriteThrottleFlags(m, HostParsers.ParseThrottled(text)));
        }
    }

    private static void WriteThrottleFlags(MetricSet m, uint bits)
    {
        var flag = m.Family("nodehelper_rpi_throttle_flag",
            "Raspberry Pi firmware flags (get_throttled): under-voltage, frequency capped, throttled, soft temperature limit; now, or at any time since boot.", "flag", "when");
        foreach (var (name, bit) in HostParsers.ThrottleFlags)
        {
            flag.WithLabels(name, "now").Set((bits >> bit) & 1);
            flag.WithLabels(name, "since_boot").Set((bits >> (bit + 16)) & 1);
        }
    }
}
