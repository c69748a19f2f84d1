using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NodeHelper.Stack.Servers;

/// <summary>
/// A real server program (Prometheus, Alertmanager, an SMTP listener) on a free loopback port with a temporary
/// directory of its own, its output kept for error messages. Stopped (SIGTERM, then SIGKILL) and its directory
/// deleted on dispose, whatever the caller's outcome.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output;
    private int _disposed;

    private ServerProcess(string name, Process process, StringBuilder output, string directory, int port)
    {
        Name = name;
        _process = process;
        _output = output;
        Directory = directory;
        Port = port;
    }

    public string Name { get; }

    /// <summary>The server's own temporary directory (configuration, data).</summary>
    public string Directory { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What the program has written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the program in <paramref name="directory"/> (which it then owns and deletes) and waits until it is
    /// ready. A port taken between choosing it and binding it makes the program exit: it is tried again on another.
    /// </summary>
    /// <param name="launch">The program and how to start it.</param>
    /// <param name="directory">Its working directory, which it owns from now on.</param>
    /// <param name="port">A port it must use (a test that brings a server back where it was); otherwise a free one.</param>
    public static async Task<ServerProcess> StartAsync(ServerLaunch launch, string directory, int? port = null)
    {
        var program = Find(launch.Program) ?? throw new InvalidOperationException($"{launch.Program} is not installed: {launch.InstallHint}");
        var failures = new StringBuilder();
        for (var attempt = 0; attempt < (port is null ? 3 : 1); attempt++)
        {
            var chosen = port ?? LoopbackPort.Free();
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            foreach (var argument in launch.Arguments(chosen, directory))
            {
                start.ArgumentList.Add(argument);
            }

            var output = new StringBuilder();
            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new ServerProcess(launch.Name, process, output, directory, chosen);
            if (await server.WaitUntilReadyAsync(launch.IsReady))
            {
                return server;
            }

            failures.AppendLine(CultureInfo.InvariantCulture, $"attempt {attempt + 1} on port {chosen}: {server.Output}");
            await server.StopAsync();
        }

        System.IO.Directory.Delete(directory, recursive: true);
        throw new InvalidOperationException($"{launch.Name} did not start:\n{failures}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed by a dying child: the temporary directory is left for the OS to clean.
        }
    }

    private async Task<bool> WaitUntilReadyAsync(Func<int, Task<bool>> isReady)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyWithin)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                if (await isReady(Port))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering within the probe's own timeout (a loaded machine): not ready yet.
            }

            await Task.Delay(50);
        }

        return false;
    }

    private async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: Prometheus and Alertmanager flush and exit cleanly on it.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            // The last 64 KB is enough to say why it failed.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length - (32 * 1024));
            }

            output.AppendLine(line);
        }
    }

    private static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin")
            .Select(directory => Path.Join(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
