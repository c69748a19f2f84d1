using System.Diagnostics;
using System.Globalization;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Benchmarks;

/// <summary>
/// `make bench ARGS="--part release"`: what `make package image` ships, measured as a node would hold it: the size of
/// each binary, package and image, and each binary's resident memory after 1,000 scrapes of the simulated bitcoind
/// (the bitcoind and posture collectors: host and services off). The arm64 binary runs under qemu-aarch64-static: its resident figure is qemu's process
/// (the emulated program plus the emulator and its translated code), an upper bound, and its times say nothing
/// about a Raspberry Pi.
/// </summary>
internal static class ReleaseBenchmark
{
    private const int Scrapes = 1000;

    public static async Task<bool> RunAsync(string repository)
    {
        string Artifact(params string[] parts) => Path.Join([repository, "artifacts", .. parts]);
        var version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Join(repository, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        var builds = new (string Name, string Architecture, string Runtime, string? Launcher)[]
        {
            ("linux-x64 (native here)", "amd64", "linux-x64", null),
            ("linux-arm64 (under qemu-aarch64-static)", "arm64", "linux-arm64", "qemu-aarch64-static"),
        };

        Console.WriteLine($"NodeHelper release artifacts {version}: sizes, and resident memory after {Scrapes} scrapes of the simulated bitcoind (bitcoind and posture collectors)");
        Console.WriteLine();
        Console.WriteLine("| build | binary | .deb | image (docker-archive) | resident after 1,000 scrapes | scrape median |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var ok = true;
        foreach (var (name, architecture, runtime, launcher) in builds)
        {
            var binary = Artifact("release", runtime, "nodehelper");
            var deb = Artifact("packages", $"nodehelper_{version}_{architecture}.deb");
            var image = Artifact("images", $"nodehelper_{version}_{architecture}.docker.tar");
            if (!File.Exists(binary) || !File.Exists(deb) || !File.Exists(image))
            {
                await Console.Error.WriteLineAsync($"{binary}, {deb} or {image} is missing: run make package image first");
                return false;
            }

            var (rss, median, up) = await ScrapeAsync(binary, launcher);
            ok &= up;
            Console.WriteLine($"| {name} | {Mb(new FileInfo(binary).Length)} | {Mb(new FileInfo(deb).Length)} | {Mb(new FileInfo(image).Length)} | {rss / 1048576.0:0.0} MiB | {Program.Ms(median)} |");
        }

        Console.WriteLine();
        Console.WriteLine("MB = 10^6 bytes (file sizes), MiB = 2^20 bytes (VmRSS). The arm64 row runs emulated: its memory includes qemu's, its time is not a Pi's.");
        return ok;
    }

    private static async Task<(long Rss, double Median, bool Up)> ScrapeAsync(string binary, string? launcher)
    {
        await using var bitcoind = await BitcoindSimulator.StartAsync();
        var port = Program.FreePort();
        var start = new ProcessStartInfo(launcher ?? binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (launcher is not null)
        {
            start.ArgumentList.Add(binary);
        }

        foreach (var argument in new[]
                 {
                     $"--urls=http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning", $"--Bitcoind:Url={bitcoind.Url}",
                     $"--Bitcoind:CookieFile={bitcoind.CookieFile}", "--Host:Enabled=false", "--Services:Enabled=false",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var exporter = Process.Start(start)!;
        _ = exporter.StandardOutput.ReadToEndAsync();
        _ = exporter.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await Program.WaitUntilListeningAsync(http);
            var times = new double[Scrapes];
            var body = "";
            for (var i = 0; i < Scrapes; i++)
            {
                (body, times[i]) = await Program.ScrapeAsync(http);
            }

            var up = Program.Value(body, "bitcoind_up") == 1;
            return (Program.ResidentMemory(exporter.Id).Rss, Program.Percentile(times, 0.5), up);
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync();
        }
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
