using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>
/// The unit is Type=notify: systemd starts what comes After= it once the exporter says READY=1, and a stop is
/// announced with STOPPING=1. Here the release binary runs as systemd 252 (Debian 12) runs it under the shipped
/// unit: the child of a root process named systemd, as the unprivileged user, with /proc mounted hidepid=invisible
/// (ProtectProc=invisible: PID 1 cannot be seen), SYSTEMD_EXEC_PID naming it and NOTIFY_SOCKET a datagram socket the
/// test reads, as systemd does.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-notify-").FullName;

    [Fact]
    public async Task ReadyIsSentOnceMetricsAnswerAndStoppingOnSigtermUnderTheUnitsProcView()
    {
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        var socketPath = Path.Join(_dir, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, (UnixFileMode)0b111_111_111);
        // The service manager, as far as the exporter can tell: a root process named "systemd".
        var manager = Path.Join(_dir, "systemd");
        File.CreateSymbolicLink(manager, "/bin/bash");
        var pidFile = Path.Join(_dir, "pid");
        var port = LoopbackPort.Free();
        const string Service =
            "( export SYSTEMD_EXEC_PID=$BASHPID; exec unshare --mount sh -c " +
            "'mount -t proc -o hidepid=invisible proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups \"$@\"' " +
            "sh \"$1\" --urls=http://127.0.0.1:$2 --Bitcoind:Enabled=false --Services:Enabled=false ) & echo $! > \"$3\"; wait $!";
        var start = new ProcessStartInfo(manager)
        {
            ArgumentList = { "-c", Service, "systemd", ReleaseArtifacts.Binary("linux-x64"), port.ToString(CultureInfo.InvariantCulture), pidFile },
            Environment = { ["NOTIFY_SOCKET"] = socketPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var terminated = false;
        try
        {
            var ready = await ReceiveAsync(notify);
            ready.Should().Contain("READY=1");

            // Ready means ready: the first request after READY=1 is answered, no retry needed; and the host view
            // needs no other process's /proc entry.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var metrics = Exposition.Parse(await http.GetStringAsync("metrics"));
            metrics.Value("nodehelper_scrape_collector_success", ("collector", "host")).Should().Be(1);

            Process.Start("kill", ["-TERM", File.ReadAllText(pidFile).Trim()])!.WaitForExit();
            terminated = true;
            (await ReceiveAsync(notify)).Should().Contain("STOPPING=1");
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no notification from the exporter: {await Finished(process, terminated ? null : pidFile, errors)}");
        }
        finally
        {
            // One SIGTERM only: a second one during the shutdown would kill it (exit 143) rather than test its stop.
            await Finished(process, terminated ? null : pidFile, errors);
        }

        process.ExitCode.Should().Be(0, "SIGTERM under systemd is a clean stop");
        // journald's format: a priority prefix (<6> is info) instead of a timestamp, which the journal adds itself.
        (await output).Split('\n').Should().Contain(line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("starting", StringComparison.Ordinal));
    }

    /// <summary>Waits for the exporter's end, first sending it SIGTERM when <paramref name="pidFile"/> is given (it was not yet told to stop).</summary>
    private static async Task<string> Finished(Process process, string? pidFile, Task<string> errors)
    {
        if (pidFile is not null && !process.HasExited && File.Exists(pidFile))
        {
            Process.Start("kill", ["-TERM", File.ReadAllText(pidFile).Trim()])!.WaitForExit();
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        return await errors;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
