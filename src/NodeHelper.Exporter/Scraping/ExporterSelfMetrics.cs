using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The exporter's own metrics: build info, and the process metrics every Prometheus client exports under the same
/// names (process_cpu_seconds_total, process_resident_memory_bytes, ...), written into the scrape's own
/// <see cref="MetricSet"/> like everything else. Cheap in-process reads: prometheus-net's DotNetStats refreshed a
/// System.Diagnostics.Process on every scrape, which measured 2.2 ms per scrape here, more than everything else
/// together (process_open_fds is left out for the same reason: listing /proc/self/fd measured 0.3 ms and more).
/// </summary>
internal sealed class ExporterSelfMetrics
{
    private static readonly long PageSize = Environment.SystemPageSize;

    private static readonly string[] Generations = ["0", "1", "2"];

    private readonly double _startTimeSeconds;

    public ExporterSelfMetrics()
    {
        using var process = Process.GetCurrentProcess();
        _startTimeSeconds = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    // "0.1.0+<commit>": the SDK appends the git commit the binary was built from (SourceRevisionId).
    private static readonly string[] InformationalVersion =
        (typeof(ExporterSelfMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown")
        .Split('+', 2);

    public static string Version { get; } = InformationalVersion[0];

    /// <summary>The git commit of the build, or "unknown" for a build outside a git checkout.</summary>
    public static string Commit { get; } = InformationalVersion is [_, { Length: > 0 } commit] ? commit : "unknown";

    public static string Runtime { get; } = RuntimeInformation.FrameworkDescription;

    public void WriteTo(MetricSet m)
    {
        m.Family("nodehelper_build_info", "NodeHelper's version and the .NET runtime it runs on.", "version", "runtime")
            .WithLabels(Version, Runtime).Set(1);
        m.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", _startTimeSeconds);
        m.Counter("process_cpu_seconds_total", "User and system CPU time the process has used, in seconds.", Environment.CpuUsage.TotalTime.TotalSeconds);
        if (ReadStatm() is var (size, rss))
        {
            m.Gauge("process_resident_memory_bytes", "Resident memory size of the process.", rss);
            m.Gauge("process_virtual_memory_bytes", "Virtual memory size of the process.", size);
        }

        m.Gauge("dotnet_gc_heap_size_bytes", "Size of the managed heap after the last garbage collection.", GC.GetGCMemoryInfo().HeapSizeBytes);
        m.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        var collections = m.CounterFamily("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", "generation");
        for (var g = 0; g < Generations.Length; g++)
        {
            collections.WithLabels(Generations[g]).IncTo(GC.CollectionCount(g));
        }
    }

    /// <summary>Virtual and resident size from /proc/self/statm (pages), or null off Linux.</summary>
    private static (long Size, long Resident)? ReadStatm()
    {
        try
        {
            Span<byte> buffer = stackalloc byte[128];
            using var handle = File.OpenHandle("/proc/self/statm");
            var text = buffer[..RandomAccess.Read(handle, buffer, 0)];
            var space = text.IndexOf((byte)' ');
            var rest = space < 0 ? [] : text[(space + 1)..];
            var end = rest.IndexOf((byte)' ');
            return space > 0 && end > 0 && long.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                && long.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var resident)
                ? (size * PageSize, resident * PageSize)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
