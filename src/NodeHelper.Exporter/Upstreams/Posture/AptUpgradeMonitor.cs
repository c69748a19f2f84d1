using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// Counts the pending upgrades in the background, as apt would make them: `apt-get -s -o Debug::NoLocking=1
/// dist-upgrade` every <see cref="Interval"/>, and keeps the latest result for the scrapes. The simulation reads the
/// world-readable package lists and dpkg's status, so it needs no root and takes no lock (it writes nothing); it
/// takes seconds (6 s on the development machine, longer on a Pi), far too long for a scrape. A run that fails or
/// outlasts <see cref="Timeout"/> is killed, with the children it started, and fails only its item.
/// </summary>
internal sealed class AptUpgradeMonitor(string program, TimeSpan interval, TimeSpan timeout) : BackgroundService
{
    /// <summary>The lists change when apt-get update runs, at most a few times a day (apt-daily.timer: twice).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromHours(1);

    /// <summary>A Raspberry Pi with the lists of several suites takes under a minute; five is a hang.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private volatile AptCheck? _latest;

    public AptUpgradeMonitor(string program)
        : this(program, DefaultInterval, DefaultTimeout)
    {
    }

    public TimeSpan Interval => interval;

    public TimeSpan Timeout => timeout;

    /// <summary>The latest run's result; null until the first run has ended.</summary>
    public AptCheck? Latest => _latest;

    /// <summary>
    /// The program to run for the setting's value: a path as given, a bare name looked up on PATH; null when there
    /// is none (not a Debian-like system, or the check turned off with an empty value).
    /// </summary>
    public static string? Find(string configured)
    {
        if (configured.Length == 0)
        {
            return null;
        }

        if (configured.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(configured) ? configured : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Join(directory, configured))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Runs the simulation once, now, and keeps its result. The background loop calls it; tests call it directly.</summary>
    public async Task<AptCheck> CheckAsync(CancellationToken cancellationToken)
    {
        AptCheck check;
        try
        {
            var pending = await SimulateAsync(cancellationToken);
            check = new AptCheck(DateTimeOffset.UtcNow, pending, null);
        }
        catch (UpstreamException e)
        {
            check = new AptCheck(DateTimeOffset.UtcNow, null, e.Message);
        }

        _latest = check;
        return check;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                await CheckAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<AptPending> SimulateAsync(CancellationToken cancellationToken)
    {
        // The Inst lines are never translated, but the errors would be; C keeps them readable in the log.
        var output = await ProgramRun.OutputAsync(program, ["-s", "-o", "Debug::NoLocking=1", "-o", "APT::Get::Show-User-Simulation-Note=false", "dist-upgrade"],
            new Dictionary<string, string> { ["LC_ALL"] = "C" }, "apt-get -s dist-upgrade", "Posture:AptGetPath", timeout, "", cancellationToken);
        try
        {
            return AptSimulation.Parse(output.Split('\n'));
        }
        catch (FormatException e)
        {
            throw new UpstreamException(FailureReason.InvalidResponse, UpstreamException.Clip(e.Message), e);
        }
    }
}
