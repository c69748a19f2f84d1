using NodeHelper.Exporter.Configuration;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Configuration;

/// <summary>The nodehelper binary itself, started as a user starts it.</summary>
public sealed class ExporterBinaryTests
{
    private static readonly string Binary = Path.Join(AppContext.BaseDirectory, "nodehelper.dll");

    private static Task<ExternalProcess.Result> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        ExternalProcess.RunAsync("dotnet", [Binary, .. args], timeout: TimeSpan.FromSeconds(60), environment: environment);

    [Fact]
    public async Task AWrongSettingStopsTheExporterAtStartNamingTheKey()
    {
        var result = await RunAsync(["--Bitcoind:TimeoutSecs=5", "--Bitcoind:Url=not a url"]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("Bitcoind:TimeoutSecs: unknown setting")
            .And.Contain("Bitcoind:Url: is not an absolute http:// or https:// URL")
            .And.Contain("--help");
        result.StandardOutput.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task AWrongEnvironmentVariableIsNamedToo()
    {
        var result = await RunAsync([], new Dictionary<string, string> { ["NODEHELPER_Bitcoind__Timeout"] = "5" });

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("Bitcoind:Timeout: unknown setting");
    }

    [Fact]
    public async Task APortInUseIsAClearErrorNotACrash()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RunAsync([$"--urls=http://127.0.0.1:{port}"]);

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain($"nodehelper: cannot listen on http://127.0.0.1:{port}: ").And.Contain("address already in use");
    }

    [Fact]
    public async Task HelpListsEverySettingWithItsDefault()
    {
        var result = await RunAsync(["--help"]);

        result.ExitCode.Should().Be(0);
        foreach (var setting in ExporterSettings.DescribeAll())
        {
            result.StandardOutput.Should().Contain(setting.Key).And.Contain(setting.Default);
        }

        result.StandardOutput.Should().Contain("NODEHELPER_Section__Key");
    }

    [Fact]
    public async Task VersionPrintsTheVersion()
    {
        var result = await RunAsync(["--version"]);

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Trim().Should().Be("nodehelper 0.1.0");
    }

    [Fact]
    public async Task SettingsFromTheEnvironmentReachTheCollectorAndSigtermStopsItCleanly()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var port = NodeHelper.Simulators.Servers.LoopbackPort.Free();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Binary, $"--urls=http://127.0.0.1:{port}" },
            Environment =
            {
                ["NODEHELPER_Bitcoind__Url"] = bitcoind.Url.ToString(),
                ["NODEHELPER_Bitcoind__CookieFile"] = bitcoind.CookieFile!,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var body = await RetryUntilListeningAsync(http);

            Exposition.Parse(body).Value("bitcoind_up").Should().Be(1);
        }
        finally
        {
            Signal(process.Id, "TERM");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(limit.Token);
        }

        process.ExitCode.Should().Be(0, "SIGTERM is a clean shutdown");
        (await output).Should().Contain("Application is shutting down");
    }

    private static async Task<string> RetryUntilListeningAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync("metrics");
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                await Task.Delay(100);
            }
        }
    }

    private static void Signal(int pid, string signal) =>
        System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
}
