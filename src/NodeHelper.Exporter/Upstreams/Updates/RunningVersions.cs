using System.Collections.Concurrent;

namespace NodeHelper.Exporter.Upstreams.Updates;

/// <summary>
/// The version of each component as its collector last read it (bitcoind's getnetworkinfo, the Electrum server's
/// server.version, the mempool backend's backend-info), for the updates collector to compare with the feed. Collectors
/// run in parallel, so a scrape may compare with what the previous scrape read; a version not read again within
/// <see cref="MaxAge"/> (its upstream down, its collector turned off) no longer counts as running.
/// </summary>
internal sealed class RunningVersions(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (string Version, DateTimeOffset At)> _seen = new(StringComparer.Ordinal);

    public RunningVersions()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Records what a component runs; a value that is not a version (mempool built without git says "?") is ignored.</summary>
    public void Saw(string component, string version)
    {
        if (VersionOrder.IsVersion(version))
        {
            _seen[component] = (version, clock.GetUtcNow());
        }
    }

    /// <summary>Component → version, for every component read within <see cref="MaxAge"/>.</summary>
    public IReadOnlyDictionary<string, string> Current()
    {
        var now = clock.GetUtcNow();
        return _seen.Where(s => now - s.Value.At <= MaxAge).ToDictionary(s => s.Key, s => s.Value.Version, StringComparer.Ordinal);
    }

    /// <summary>bitcoind's component and version: Bitcoin Knots says so in its subversion (/Satoshi:29.2.0/Knots:20251110/) and numbers its releases 29.2.knots20251110.</summary>
    public static (string Component, string Version) Bitcoind(string version, string subversion)
    {
        const string Knots = "/Knots:";
        var at = subversion.IndexOf(Knots, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return ("bitcoin_core", version);
        }

        var date = new string([.. subversion[(at + Knots.Length)..].TakeWhile(char.IsAsciiDigit)]);
        var parts = version.Split('.');
        return ("bitcoin_knots", parts.Length >= 2 && date.Length > 0 ? $"{parts[0]}.{parts[1]}.knots{date}" : version);
    }

    /// <summary>The Electrum server's software and version from server.version: "Fulcrum 2.1.1", "electrs/0.10.5".</summary>
    public static (string Component, string Version)? Electrum(string serverVersion)
    {
        var parts = serverVersion.Split([' ', '/'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts is [var name, var version] && name.All(char.IsAsciiLetterOrDigit)
            ? (name.ToLowerInvariant(), version.TrimStart('v'))
            : null;
    }
}
