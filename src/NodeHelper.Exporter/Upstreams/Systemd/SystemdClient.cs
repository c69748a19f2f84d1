using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>One unit as systemd reports it.</summary>
internal sealed record UnitStatus(string Unit, string LoadState, string ActiveState, string SubState, long? Restarts, long? StateChangeTimestamp)
{
    public bool Loaded => LoadState == "loaded";
}

/// <summary>What systemd said; <see cref="Available"/> is false on a host without systemd (a container, another init).</summary>
internal sealed record SystemdSnapshot(bool Available, IReadOnlyList<UnitStatus> Units);

/// <summary>Asks systemd about the watched units with one `systemctl show` per scrape. Transport only.</summary>
internal sealed class SystemdClient(ServicesOptions options, HostViewOptions host)
{
    /// <summary>systemctl's answer for a handful of units is a few hundred bytes.</summary>
    private const int MaxOutputChars = 256 * 1024;

    private static readonly string[] Properties = ["Id", "LoadState", "ActiveState", "SubState", "NRestarts", "StateChangeTimestamp"];

    private readonly string[] _units = [.. options.Units.Select(u => u.Contains('.', StringComparison.Ordinal) ? u : u + ".service")];

    public async Task<SystemdSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        // sd_booted(): systemd is PID 1 exactly when /run/systemd/system exists.
        if (!Directory.Exists(host.In("run/systemd/system")))
        {
            return new SystemdSnapshot(false, []);
        }

        var start = new ProcessStartInfo(options.SystemctlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["show", "--no-pager", "--timestamp=unix", $"--property={string.Join(',', Properties)}", "--", .. _units])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SYSTEMD_COLORS"] = "0";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UpstreamException($"could not start {options.SystemctlPath}.");
        }
        catch (Win32Exception e)
        {
            throw new UpstreamException($"cannot run {options.SystemctlPath} (Services:SystemctlPath): {UpstreamException.Clip(e.Message)}", e);
        }

        using (process)
        {
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var errors = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                if (process.ExitCode != 0)
                {
                    throw new UpstreamException($"systemctl show exited with {process.ExitCode}: {UpstreamException.Clip(await errors)}");
                }

                var text = await output;
                return new SystemdSnapshot(true, SystemdParsers.ParseShow(text.Length > MaxOutputChars ? text[..MaxOutputChars] : text, _units));
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new UpstreamException($"systemctl did not answer within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Services:TimeoutSeconds).", e);
            }
        }
    }
}

/// <summary>Reads `systemctl show` output: one block of Key=Value lines per unit, blocks separated by a blank line. Pure.</summary>
internal static class SystemdParsers
{
    public static IReadOnlyList<UnitStatus> ParseShow(string text, IReadOnlyList<string> units)
    {
        var blocks = text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var byId = new Dictionary<string, UnitStatus>(StringComparer.Ordinal);
        foreach (var block in blocks)
        {
            var values = block.Split('\n')
                .Select(line => line.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
            if (!values.TryGetValue("Id", out var id))
            {
                continue;
            }

            byId[id] = new UnitStatus(
                id,
                values.GetValueOrDefault("LoadState", ""),
                values.GetValueOrDefault("ActiveState", ""),
                values.GetValueOrDefault("SubState", ""),
                long.TryParse(values.GetValueOrDefault("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts) ? restarts : null,
                Timestamp(values.GetValueOrDefault("StateChangeTimestamp")));
        }

        // systemctl answers in the order asked; a unit missing from the answer is reported as not found.
        return [.. units.Select(unit => byId.TryGetValue(unit, out var status) ? status : new UnitStatus(unit, "not-found", "inactive", "dead", null, null))];
    }

    /// <summary>With --timestamp=unix a timestamp reads "@1732390000"; empty when the unit never changed state.</summary>
    private static long? Timestamp(string? text) =>
        text is ['@', .. var digits] && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : null;
}
