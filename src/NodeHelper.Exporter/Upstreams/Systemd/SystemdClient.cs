using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;

namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>Asks systemd about the watched units with one `systemctl show` per scrape. Transport only.</summary>
internal sealed class SystemdClient(ServicesOptions options, HostViewOptions host)
{
    /// <summary>systemctl's answer for a handful of units is a few hundred bytes.</summary>
    private const int MaxOutputChars = 256 * 1024;

    private static readonly string[] Properties = ["Id", "LoadState", "ActiveState", "SubState", "NRestarts", "StateChangeTimestamp"];

    // "bitcoind" and "bitcoind.service" are one unit, asked for once: two would be two series of one label set.
    private readonly string[] _units = [.. options.Units.Select(u => u.Contains('.', StringComparison.Ordinal) ? u : u + ".service").Distinct(StringComparer.Ordinal)];

    public async Task<SystemdSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        // sd_booted(): systemd is PID 1 exactly when /run/systemd/system exists.
        if (!Directory.Exists(host.In("run/systemd/system")))
        {
            return new SystemdSnapshot(false, []);
        }

        var text = await ProgramRun.OutputAsync(options.SystemctlPath,
            ["show", "--no-pager", "--timestamp=unix", $"--property={string.Join(',', Properties)}", "--", .. _units],
            new Dictionary<string, string> { ["SYSTEMD_COLORS"] = "0" }, "systemctl show", "Services:SystemctlPath",
            TimeSpan.FromSeconds(options.TimeoutSeconds), " (Services:TimeoutSeconds)", cancellationToken);
        return new SystemdSnapshot(true, SystemdParsers.ParseShow(text.Length > MaxOutputChars ? text[..MaxOutputChars] : text, _units));
    }
}
