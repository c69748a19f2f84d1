using System.Diagnostics;
using MySqlConnector;

namespace NodeHelper.Stack.Servers;

/// <summary>
/// A real MariaDB server (Debian's mariadb-server), started on loopback with its own temporary data directory,
/// socket and free port, and stopped on dispose. Root logs in over the socket. For the tests, the benchmark and
/// the demo: MariaDB can be installed here, so it is never simulated.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private const string InstallHint = "run `make test`, which installs Debian's mariadb-server";

    private readonly Process _process;
    private int _disposed;

    private MariaDbServer(string directory, int port, Process process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    public string Directory { get; }

    public string Socket => Path.Join(Directory, "mysqld.sock");

    public int Port { get; }

    public string RootConnectionString => $"Server={Socket};User ID=root;Pooling=false";

    /// <summary>A data directory initialised once (mariadb-install-db), copied by every server started from it.</summary>
    public static async Task<string> InstallPristineAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("nodehelper-mariadb-pristine-").FullName;
        // Its own temporary directory too: mariadb-install-db's bootstrap server otherwise uses /tmp, where the
        // temporary tables of two installs running at once (two test runs) collide.
        var temporary = System.IO.Directory.CreateTempSubdirectory("nodehelper-mariadb-install-tmp-").FullName;
        var install = new ProcessStartInfo(Program("mariadb-install-db"))
        {
            ArgumentList =
            {
                "--no-defaults", $"--user={Environment.UserName}", $"--datadir={directory}", $"--tmpdir={temporary}",
                "--auth-root-authentication-method=normal", "--skip-test-db", "--innodb-log-file-size=8M",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(install) ?? throw new InvalidOperationException("could not start mariadb-install-db");
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            System.IO.Directory.Delete(temporary, recursive: true);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed ({process.ExitCode}): {await errors}");
        }

        return directory;
    }

    public static async Task<MariaDbServer> StartAsync(string pristine)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("nodehelper-mariadb-").FullName;
        var data = Path.Join(directory, "data");
        CopyDirectory(pristine, data);
        var temporary = System.IO.Directory.CreateDirectory(Path.Join(directory, "tmp")).FullName;
        var port = Servers.LoopbackPort.Free();
        var start = new ProcessStartInfo(Program("mariadbd"))
        {
            ArgumentList =
            {
                "--no-defaults", $"--user={Environment.UserName}", $"--datadir={data}", $"--socket={Path.Join(directory, "mysqld.sock")}",
                $"--port={port}", "--bind-address=127.0.0.1", "--skip-name-resolve", $"--tmpdir={temporary}", $"--pid-file={Path.Join(directory, "mysqld.pid")}",
                $"--log-error={Path.Join(directory, "error.log")}", "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=16M",
                "--max-connections=50", "--skip-log-bin",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start mariadbd");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new MariaDbServer(directory, port, process);
        await server.WaitUntilReadyAsync();
        return server;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(RootConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(RootConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Deletes a data directory made by <see cref="InstallPristineAsync"/>.</summary>
    public static void DeletePristine(string directory) => System.IO.Directory.Delete(directory, recursive: true);

    /// <summary>What a crash does: SIGKILL, no shutdown; every connection drops at once.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // SIGTERM is mariadbd's clean shutdown.
            System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task WaitUntilReadyAsync()
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                var log = Path.Join(Directory, "error.log");
                throw new InvalidOperationException($"mariadbd exited with {_process.ExitCode}: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            }

            try
            {
                await ScalarAsync("SELECT 1");
                return;
            }
            catch (MySqlException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("mariadbd did not accept connections within 30 s");
    }

    private static string Program(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Join(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: {InstallHint}");
    }

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Join(to, Path.GetRelativePath(from, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
