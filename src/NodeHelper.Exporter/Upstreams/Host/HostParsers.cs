using System.Globalization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Host;

/// <summary>Reads the kernel's text files. Pure: the same text gives the same values.</summary>
internal static class HostParsers
{
    /// <summary>The kernel counts CPU time in USER_HZ ticks, 100 a second on every Linux architecture.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The modes of the "cpu" line of /proc/stat, in order (guest time is already counted in user and nice).</summary>
    private static readonly string[] CpuModes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

    /// <summary>The Raspberry Pi firmware's throttle bits (get_throttled): the low bits are now, the same bits shifted by 16 since boot.</summary>
    public static readonly (string Flag, int Bit)[] ThrottleFlags =
        [("under_voltage", 0), ("frequency_capped", 1), ("throttled", 2), ("soft_temperature_limit", 3)];

    public static MemoryInfo ParseMeminfo(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = parts is [_, "kB"] ? value * 1024 : value;
            }
        }

        long Get(string key) => values.TryGetValue(key, out var v) ? v : throw new UpstreamException(FailureReason.InvalidResponse, $"/proc/meminfo has no {key}.");

        // MemAvailable (since Linux 3.14) is the kernel's estimate of what can be used without swapping; older kernels lack it.
        var available = values.TryGetValue("MemAvailable", out var a) ? a : Get("MemFree") + values.GetValueOrDefault("Cached") + values.GetValueOrDefault("Buffers");
        return new MemoryInfo(Get("MemTotal"), available, values.GetValueOrDefault("SwapTotal"), values.GetValueOrDefault("SwapFree"));
    }

    public static CpuStats ParseStat(string text)
    {
        Dictionary<string, double>? modes = null;
        var cpus = 0;
        long? bootTime = null;
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields[0] == "cpu")
            {
                modes = [];
                for (var i = 0; i < CpuModes.Length && i + 1 < fields.Length; i++)
                {
                    modes[CpuModes[i]] = long.Parse(fields[i + 1], CultureInfo.InvariantCulture) / TicksPerSecond;
                }
            }
            else if (fields[0].StartsWith("cpu", StringComparison.Ordinal) && fields[0].Length > 3 && char.IsAsciiDigit(fields[0][3]))
            {
                cpus++;
            }
            else if (fields is ["btime", var boot] && long.TryParse(boot, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                bootTime = seconds;
            }
        }

        return new CpuStats(modes ?? throw new UpstreamException(FailureReason.InvalidResponse, "/proc/stat has no cpu line."), cpus, bootTime);
    }

    public static LoadAverage ParseLoadavg(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3
            && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var one)
            && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var five)
            && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var fifteen)
                ? new LoadAverage(one, five, fifteen)
                : throw new UpstreamException(FailureReason.InvalidResponse, "/proc/loadavg does not start with three load averages.");
    }

    /// <summary>get_throttled is hexadecimal, with or without 0x (vcgencmd prints "throttled=0x50005", sysfs "50005").</summary>
    public static uint ParseThrottled(string text)
    {
        var hex = text.Trim();
        hex = hex.StartsWith("throttled=", StringComparison.Ordinal) ? hex["throttled=".Length..] : hex;
        hex = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        return uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits)
            ? bits
            : throw new UpstreamException(FailureReason.InvalidResponse, $"get_throttled holds '{UpstreamException.Clip(text, 40)}', not a hexadecimal number.");
    }

    /// <summary>A thermal zone's temp file holds millidegrees Celsius.</summary>
    public static double? ParseMillidegrees(string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli) ? milli / 1000.0 : null;
}
