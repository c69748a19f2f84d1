using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using FluentAssertions;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;
using Xunit;

namespace NodeHelper.Tests.Service;

/// <summary>
/// The unit is Type=notify: systemd starts what comes After= it once the exporter says READY=1, and a stop is
/// announced with STOPPING=1. Here the exporter runs as systemd would run it: as the child of a process named
/// systemd (what Microsoft.Extensions.Hosting.Systemd checks), with NOTIFY_SOCKET naming a datagram socket the test
/// reads, as systemd does.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nodehelper-notify-").FullName;

    [Fact]
    public async Task ReadyIsSentOnceMetricsAnswerAndStoppingOnSigterm()
    {
        var socketPath = Path.Join(_dir, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        // The service manager, as far as the exporter can tell: its parent's name is "systemd".
        var manager = Path.Join(_dir, "systemd");
        File.CreateSymbolicLink(manager, "/bin/bash");
        var pidFile = Path.Join(_dir, "pid");
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(manager)
        {
            ArgumentList =
            {
                "-c", "dotnet \"$1\" --urls=http://127.0.0.1:$2 --Bitcoind:Enabled=false --Services:Enabled=false & echo $! > \"$3\"; wait $!",
                "systemd", ExporterBinary.Dll, port.ToString(System.Globalization.CultureInfo.InvariantCulture), pidFile,
            },
            Environment = { ["NOTIFY_SOCKET"] = socketPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            var ready = await ReceiveAsync(notify);
            ready.Should().Contain("READY=1");

            // Ready means ready: the first request after READY=1 is answered, no retry needed.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            (await http.GetAsync("metrics")).IsSuccessStatusCode.Should().BeTrue();

            Process.Start("kill", ["-TERM", File.ReadAllText(pidFile).Trim()])!.WaitForExit();
            (await ReceiveAsync(notify)).Should().Contain("STOPPING=1");
        }
        finally
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            if (File.Exists(pidFile) && !process.HasExited)
            {
                Process.Start("kill", ["-TERM", File.ReadAllText(pidFile).Trim()])!.WaitForExit();
            }

            await process.WaitForExitAsync(limit.Token);
        }

        process.ExitCode.Should().Be(0, "SIGTERM under systemd is a clean stop");
        // journald's format: a priority prefix (<6> is info) instead of a timestamp, which the journal adds itself.
        (await output).Split('\n').Should().Contain(line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("starting", StringComparison.Ordinal));
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
