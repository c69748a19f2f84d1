namespace NodeHelper.Exporter.Upstreams.Host;

// What the host collector reads from the kernel's files (see HostParsers).

internal sealed record MemoryInfo(long TotalBytes, long AvailableBytes, long SwapTotalBytes, long SwapFreeBytes);

/// <summary>CPU time since boot by mode, in seconds; the number of CPUs; the boot time (from /proc/stat).</summary>
internal sealed record CpuStats(IReadOnlyDictionary<string, double> SecondsByMode, int Cpus, long? BootTime);

internal sealed record LoadAverage(double Load1, double Load5, double Load15);
