using NodeHelper.Exporter.Configuration;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Configuration;

/// <summary>The nodehelper binary itself, started as a user starts it.</summary>
public sealed class ExporterBinaryTests
{
    private static readonly string Binary = ExporterBinary.Dll;

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
    public async Task AnAddressThatIsNotThisMachinesStopsTheExporterWithOneLine()
    {
        // 192.0.2.0/24 is TEST-NET-1: no machine has it, so binding fails with EADDRNOTAVAIL (a SocketException).
        var result = await RunAsync(["--urls=http://192.0.2.1:9338", "--Bitcoind:Enabled=false", "--Host:DirectorySizeIntervalSeconds=1"]);

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("nodehelper: cannot listen on http://192.0.2.1:9338: Cannot assign requested address");
        (result.StandardOutput + result.StandardError).Should().NotContain("Unhandled exception")
            .And.NotContain("BackgroundService failed", "a start that failed is not a crashed background service")
            .And.NotContain("   at System.", "one line says it; no stack trace in the journal either");
    }

    [Fact]
    public async Task AWrongEnvironmentVariableIsNamedToo()
    {
        var result = await RunAsync([], new Dictionary<string, string> { ["NODEHELPER_Bitcoind__Timeout"] = "5" });

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("Bitcoind:Timeout: unknown setting");
    }

    [Fact]
    public async Task CheckConfigPrintsEachEffectiveSettingWithItsSourceAndNoSecret()
    {
        var result = await RunAsync(
            [ConfigCheck.Flag, "--Bitcoind:User=monitor", "--Bitcoind:Password=hunter2-secret", "--MariaDb:ConnectionString=Server=db;User ID=m;Password=pw-secret-9"],
            new Dictionary<string, string> { ["NODEHELPER_Electrum__Enabled"] = "true" });

        result.ExitCode.Should().Be(0, result.StandardError);
        var lines = result.StandardOutput.Split('\n');
        lines.Should().ContainMatch("*Electrum:Enabled*true*(NODEHELPER_Electrum__Enabled)*")
            .And.ContainMatch("*Bitcoind:User*monitor*(command line)*")
            .And.ContainMatch("*Bitcoind:Password*(set, not shown)*(command line)*")
            .And.ContainMatch("*Bitcoind:Url*http://127.0.0.1:8332/*(default)*")
            .And.ContainMatch("*MariaDb:ConnectionString*Password=(hidden)*");
        result.StandardOutput.Should().NotContain("hunter2").And.NotContain("pw-secret-9");
    }

    [Fact]
    public async Task CheckConfigExitsTwoNamingEveryProblem()
    {
        var result = await RunAsync([ConfigCheck.Flag, "--Bitcoind:Urll=http://x", "--Scrape:DefaultTimeoutSeconds=0"]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("Bitcoind:Urll: unknown setting").And.Contain("Scrape:DefaultTimeoutSeconds: 0 is out of range");
    }

    [Fact]
    public async Task OnlyTheDocumentedSourcesAreSettings()
    {
        // Each of these took effect before: unprefixed, DOTNET_ and ASPNETCORE_ variables were configuration sources too.
        var result = await RunAsync([ConfigCheck.Flag], new Dictionary<string, string>
        {
            ["Bitcoind__Url"] = "http://10.9.9.1:8332/",
            ["DOTNET_Bitcoind__TimeoutSeconds"] = "3",
            ["ASPNETCORE_Bitcoind__CookieFile"] = "/elsewhere/.cookie",
            ["Electrum__Enabled"] = "true",
            ["ASPNETCORE_URLS"] = "http://0.0.0.0:9338",
        });

        result.ExitCode.Should().Be(0, result.StandardError);
        var lines = result.StandardOutput.Split('\n');
        lines.Should().ContainMatch("*Bitcoind:Url *http://127.0.0.1:8332/*(default)*")
            .And.ContainMatch("*Bitcoind:TimeoutSeconds *8 *(default)*")
            .And.ContainMatch("*Bitcoind:CookieFile *~/.bitcoin/.cookie*(default)*")
            .And.ContainMatch("*Electrum:Enabled *false*(default)*")
            .And.ContainMatch("*urls *http://127.0.0.1:9338*(default)*");
        result.StandardOutput.Should().Contain("ASPNETCORE_URLS is set in the environment and ignored");
    }

    [Fact]
    public async Task AnUndocumentedVariableNeitherMovesTheListenAddressNorTheUpstream()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var ignoredPort = NodeHelper.Stack.Servers.LoopbackPort.Free();
        var port = NodeHelper.Stack.Servers.LoopbackPort.Free();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Binary, $"--urls=http://127.0.0.1:{port}", "--Services:Enabled=false", "--Host:Enabled=false" },
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{ignoredPort}",
                ["DOTNET_Bitcoind__Url"] = bitcoind.Url.ToString(),
                ["Bitcoind__CookieFile"] = bitcoind.CookieFile!,
                ["NODEHELPER_Bitcoind__Url"] = "http://127.0.0.1:1/",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var metrics = Exposition.Parse(await ExporterBinary.ScrapeWhenListeningAsync(http));

            metrics.Value("bitcoind_up").Should().Be(0, "NODEHELPER_Bitcoind__Url names a closed port; DOTNET_Bitcoind__Url is not a setting");
            var ignored = async () =>
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, ignoredPort);
            };
            await ignored.Should().ThrowAsync<System.Net.Sockets.SocketException>("ASPNETCORE_URLS is not where NodeHelper listens");
        }
        finally
        {
            Signal(process.Id, "TERM");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(limit.Token);
        }

        var log = await output;
        log.Should().Contain($"Listening on http://127.0.0.1:{port} (urls, from: command line)")
            .And.Contain("ASPNETCORE_URLS is set in the environment and ignored");
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
    public async Task VersionPrintsTheVersionAndTheCommitItWasBuiltFrom()
    {
        var result = await RunAsync(["--version"]);

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Trim().Should().Be($"nodehelper 0.1.0 (commit {GitCommit.Head()})");
    }

    [Fact]
    public async Task SettingsFromTheEnvironmentReachTheCollectorAndSigtermStopsItCleanly()
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var port = NodeHelper.Stack.Servers.LoopbackPort.Free();
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
            var body = await ExporterBinary.ScrapeWhenListeningAsync(http);

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

    private static void Signal(int pid, string signal) =>
        System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
}
