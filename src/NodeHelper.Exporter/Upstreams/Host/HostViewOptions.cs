using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Host;

/// <summary>The host view: which data directories matter, and where /proc and /sys are (a fixture tree in tests).</summary>
internal sealed class HostViewOptions
{
    public const string Section = "Host";

    public bool Enabled { get; init; } = true;

    /// <summary>Prefix for /proc, /sys and /run; "/" on a real host.</summary>
    public string Root { get; init; } = "/";

    /// <summary>Data directory per component (bitcoind, electrs, mariadb, mempool): its filesystem is watched, its size measured.</summary>
    public IReadOnlyDictionary<string, string> Paths { get; init; } = new Dictionary<string, string> { ["bitcoind"] = "~/.bitcoin" };

    public double DirectorySizeIntervalSeconds { get; init; } = 900;

    /// <summary>A path under <see cref="Root"/>, e.g. In("proc/meminfo").</summary>
    public string In(string relative) => Path.Join(Root, relative);

    public static HostViewOptions Read(SettingsReader settings)
    {
        var d = new HostViewOptions();
        return new HostViewOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Collect the host's view: data directories' filesystems and sizes, memory, CPU, load, temperature, Raspberry Pi throttling."),
            Root = settings.String($"{Section}:Root", d.Root, "Where /proc, /sys, /run and /etc (for the posture checks) are read from; another root serves tests and containers (e.g. /host)."),
            Paths = settings.Map($"{Section}:Paths", d.Paths,
                "Data directories by component, as Host:Paths:<component>=<path> (e.g. Host:Paths:electrs=/var/lib/electrs); an empty path removes one."),
            DirectorySizeIntervalSeconds = settings.Seconds($"{Section}:DirectorySizeIntervalSeconds", d.DirectorySizeIntervalSeconds, 0, 86400,
                "How often the size of each data directory is measured, in the background (walking a 700 GB block directory takes a while); 0 turns it off."),
        };
    }
}
