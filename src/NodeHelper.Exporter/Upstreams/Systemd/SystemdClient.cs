using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
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
        using var timeout = Deadline.After(options.TimeoutSeconds, cancellationToken);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UpstreamException(FailureReason.UpstreamError, $"could not start {options.SystemctlPath}.");
        }
        catch (Win32Exception e)
        {
            throw new UpstreamException(FailureReason.UpstreamError, $"cannot run {options.SystemctlPath} (Services:SystemctlPath): {UpstreamException.Clip(e.Message)}", e);
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
                    throw new UpstreamException(FailureReason.UpstreamError, $"systemctl show exited with {process.ExitCode}: {UpstreamException.Clip(await errors)}");
                }

                var text = await output;
                return new SystemdSnapshot(true, SystemdParsers.ParseShow(text.Length > MaxOutputChars ? text[..MaxOutputChars] : text, _units));
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new UpstreamException(FailureReason.Timeout, $"systemctl did not answer within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (Services:TimeoutSeconds).", e);
            }
        }
    }
}
