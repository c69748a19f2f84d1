using System.Diagnostics;
using System.Globalization;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary><c>nodehelper healthcheck</c>, the container's HEALTHCHECK: 0 while the exporter serves, 1 once it does not.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task HealthcheckIsZeroWhileTheExporterServesAndOneWhenItHasStopped()
    {
        var port = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { ExporterBinary.Dll, $"--urls=http://127.0.0.1:{port}", "--Bitcoind:Enabled=false", "--Services:Enabled=false" },
            RedirectStandardOutput = true,
        };
        using var exporter = Process.Start(start)!;
        _ = exporter.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await ExporterBinary.ScrapeWhenListeningAsync(http);
            (await http.GetStringAsync("-/healthy")).Should().Be("NodeHelper is healthy.\n");

            // A container listens on every interface; the check asks loopback.
            var healthy = await HealthcheckAsync($"--urls=http://0.0.0.0:{port}");
            healthy.ExitCode.Should().Be(0, healthy.StandardError);
        }
        finally
        {
            exporter.Kill();
            await exporter.WaitForExitAsync();
        }

        var down = await HealthcheckAsync($"--urls=http://127.0.0.1:{port}");
        down.ExitCode.Should().Be(1);
        down.StandardError.Should().Contain($"http://127.0.0.1:{port}/-/healthy");
    }

    [Fact]
    public async Task AWrongSettingIsExitTwoNamingTheKey()
    {
        var result = await HealthcheckAsync("--urls=https://127.0.0.1:9338");

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("urls");
    }

    private static Task<ExternalProcess.Result> HealthcheckAsync(string urls) =>
        ExternalProcess.RunAsync("dotnet", [ExporterBinary.Dll, "healthcheck", urls]);
}
