using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams;

/// <summary>
/// Runs a program NodeHelper reads from (systemctl show, apt-get -s) and returns what it printed. Every failure is an
/// <see cref="UpstreamException"/> saying what went wrong in the program's own words: it cannot be started (naming the
/// setting that names it), it exited non-zero (with its stderr), or it did not finish in time (then it is killed,
/// with its children). No stdin: a program that asks something gets end of file, not a hang.
/// </summary>
internal static class ProgramRun
{
    /// <param name="name">What the log calls it: "systemctl show", "apt-get -s dist-upgrade".</param>
    /// <param name="setting">The setting naming the program, for the message when it cannot be run.</param>
    /// <param name="timeoutHint">Where the timeout comes from, appended to the timeout's message (a setting, or empty).</param>
    public static async Task<string> OutputAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string name, string setting,
        TimeSpan timeout, string timeoutHint, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UpstreamException(FailureReason.UpstreamError, $"could not start {program}.");
        }
        catch (Win32Exception e)
        {
            throw new UpstreamException(FailureReason.UpstreamError, $"cannot run {program} ({setting}): {UpstreamException.Clip(e.Message)}", e);
        }

        using (process)
        using (var deadline = Deadline.After(timeout, cancellationToken))
        {
            process.StandardInput.Close();
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
                var errors = process.StandardError.ReadToEndAsync(deadline.Token);
                await process.WaitForExitAsync(deadline.Token);
                if (process.ExitCode != 0)
                {
                    throw new UpstreamException(FailureReason.UpstreamError, $"{name} exited with {process.ExitCode}: {UpstreamException.Clip(await errors)}");
                }

                return await output;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new UpstreamException(FailureReason.Timeout,
                    $"{name} did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s{timeoutHint} and was killed.", e);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
    }
}
