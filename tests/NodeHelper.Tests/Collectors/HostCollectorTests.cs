using System.Globalization;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Tests.Support;
using NodeHelper.Tests.Upstreams.Host;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the host collector on a fixture /proc and /sys tree and real temporary data directories.</summary>
public sealed class HostCollectorTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("nodehelper-host-");

    public void Dispose() => _data.Delete(recursive: true);

    private static readonly ILogger Quiet = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private static (HostCollector Collector, DirectorySizeMonitor Directories) Collector(Dictionary<string, string> paths, string? root = null)
    {
        var options = new HostViewOptions { Root = root ?? HostParsersTests.HostRoot, Paths = paths };
        var directories = new DirectorySizeMonitor(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<DirectorySizeMonitor>.Instance);
        return (new HostCollector(options, directories, new ItemLog(Quiet, "host")), directories);
    }

    /// <summary>What df, an independent program, says of the filesystem under a path: (size, available) in bytes.</summary>
    private static async Task<(double Size, double Available)> DfAsync(string path)
    {
        var df = await ExternalProcess.RunAsync("df", ["-B1", "--output=size,avail", path]);
        var fields = df.StandardOutput.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task KernelFilesGiveExactValues()
    {
        var metrics = await Registries.CollectAsync(Collector([]).Collector);

        metrics.Value("nodehelper_memory_total_bytes").Should().Be(24683620d * 1024);
        metrics.Value("nodehelper_memory_available_bytes").Should().Be(24315912d * 1024);
        metrics.Value("nodehelper_swap_total_bytes").Should().Be(0);
        metrics.Value("nodehelper_cpu_seconds_total", ("mode", "user")).Should().Be(1739.58);
        metrics.Value("nodehelper_cpu_seconds_total", ("mode", "idle")).Should().Be(6309.65);
        metrics.Types["nodehelper_cpu_seconds_total"].Should().Be("counter");
        metrics.Value("nodehelper_cpus").Should().Be(2);
        metrics.Value("nodehelper_boot_time_seconds").Should().Be(1795471519);
        metrics.Value("nodehelper_load1").Should().Be(1.24);
        metrics.Value("nodehelper_load15").Should().Be(1.10);
        metrics.Value("nodehelper_temperature_celsius", ("type", "cpu-thermal"), ("zone", "thermal_zone0")).Should().Be(48.312);
        metrics.Family("nodehelper_host_source_success").Values.Should().Equal(1, 1, 1, 1, 1);
    }

    [Fact]
    public async Task RaspberryPiThrottlingIsReadNowAndSinceBoot()
    {
        var metrics = await Registries.CollectAsync(Collector([]).Collector);

        // 0x50005: bits 0 and 2 (under-voltage and throttled now) and 16 and 18 (both since boot).
        metrics.Family("nodehelper_rpi_throttle_flag").Should().Equal(new Dictionary<string, double>
        {
            ["nodehelper_rpi_throttle_flag{flag=\"under_voltage\",when=\"now\"}"] = 1,
            ["nodehelper_rpi_throttle_flag{flag=\"under_voltage\",when=\"since_boot\"}"] = 1,
            ["nodehelper_rpi_throttle_flag{flag=\"frequency_capped\",when=\"now\"}"] = 0,
            ["nodehelper_rpi_throttle_flag{flag=\"frequency_capped\",when=\"since_boot\"}"] = 0,
            ["nodehelper_rpi_throttle_flag{flag=\"throttled\",when=\"now\"}"] = 1,
            ["nodehelper_rpi_throttle_flag{flag=\"throttled\",when=\"since_boot\"}"] = 1,
            ["nodehelper_rpi_throttle_flag{flag=\"soft_temperature_limit\",when=\"now\"}"] = 0,
            ["nodehelper_rpi_throttle_flag{flag=\"soft_temperature_limit\",when=\"since_boot\"}"] = 0,
        });
    }

    /// <summary>A host view with the recorded kernel files of /proc and nothing else: no thermal zones, not a Pi.</summary>
    private string BareHostRoot()
    {
        var proc = Directory.CreateDirectory(Path.Join(_data.FullName, "root", "proc"));
        foreach (var file in new[] { "meminfo", "stat", "loadavg" })
        {
            File.Copy(Path.Join(HostParsersTests.HostRoot, "proc", file), Path.Join(proc.FullName, file));
        }

        return proc.Parent!.FullName;
    }

    [Fact]
    public async Task AMachineWithoutThermalZonesOrAPiHasNoSuchSeries()
    {
        var metrics = await Registries.CollectAsync(Collector([], root: BareHostRoot()).Collector);

        metrics.Names.Should().NotContain(["nodehelper_temperature_celsius", "nodehelper_rpi_throttle_flag"]);
        metrics.Value("nodehelper_load5").Should().Be(1.19);
    }

    [Fact]
    public async Task AThermalZoneListThatCannotBeReadLosesOnlyTheTemperatures()
    {
        // A hardened unit (or a container) may hide /sys/class/thermal. The tests run as root, whom file modes do not
        // stop: the exporter binary is started without the capabilities that override them, as a service user is.
        var root = BareHostRoot();
        var thermal = Directory.CreateDirectory(Path.Join(root, "sys", "class", "thermal")).FullName;
        File.SetUnixFileMode(thermal, UnixFileMode.None);
        var port = NodeHelper.Stack.Servers.LoopbackPort.Free();
        // Only root needs (and may use) setpriv: file modes already stop any other user.
        var asRoot = Environment.UserName == "root";
        var start = new System.Diagnostics.ProcessStartInfo(asRoot ? "setpriv" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] privileges = asRoot ? ["--bounding-set=-dac_override,-dac_read_search", "dotnet"] : [];
        foreach (var argument in (string[])[.. privileges, ExporterBinary.Dll,
                     $"--urls=http://127.0.0.1:{port}", $"--Host:Root={root}", "--Host:DirectorySizeIntervalSeconds=0",
                     "--Bitcoind:Enabled=false", "--Electrum:Enabled=false", "--Mempool:Enabled=false", "--MariaDb:Enabled=false", "--Services:Enabled=false"])
        {
            start.ArgumentList.Add(argument);
        }

        using var exporter = System.Diagnostics.Process.Start(start)!;
        _ = exporter.StandardOutput.ReadToEndAsync();
        _ = exporter.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var metrics = Exposition.Parse(await ExporterBinary.ScrapeWhenListeningAsync(http));

            metrics.Value("nodehelper_scrape_collector_success", ("collector", "host")).Should().Be(1);
            metrics.Value("nodehelper_host_source_success", ("source", "thermal")).Should().Be(0);
            metrics.Value("nodehelper_host_source_success", ("source", "meminfo")).Should().Be(1);
            metrics.Names.Should().NotContain("nodehelper_temperature_celsius");
            metrics.Value("nodehelper_load5").Should().Be(1.19);
        }
        finally
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync();
            File.SetUnixFileMode(thermal, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task ThePiFirmwareFlagsAndTheZoneListAreSourcesToo()
    {
        var metrics = await Registries.CollectAsync(Collector([]).Collector);

        metrics.Value("nodehelper_host_source_success", ("source", "thermal")).Should().Be(1);
        metrics.Value("nodehelper_host_source_success", ("source", "get_throttled")).Should().Be(1);
    }

    [Fact]
    public async Task EachDataDirectoryReportsItsFilesystemAsDfSeesIt()
    {
        var blocks = Directory.CreateDirectory(Path.Join(_data.FullName, "bitcoin"));

        // Other tests write to the same disk meanwhile (a Prometheus backfill writes hundreds of MB): df is asked just
        // before and just after, and the collector's value must lie between the two, in a quiet moment when there is one.
        Exposition metrics;
        double size, before, after;
        var attempt = 0;
        do
        {
            (_, before) = await DfAsync(blocks.FullName);
            metrics = await Registries.CollectAsync(Collector(new() { ["bitcoind"] = blocks.FullName }).Collector);
            (size, after) = await DfAsync(blocks.FullName);
        }
        while (Math.Abs(before - after) > 1024 * 1024 && ++attempt < 10);

        metrics.Value("nodehelper_filesystem_size_bytes", ("component", "bitcoind"), ("path", blocks.FullName)).Should().Be(size);
        metrics.Value("nodehelper_filesystem_avail_bytes", ("component", "bitcoind"), ("path", blocks.FullName))
            .Should().BeInRange(Math.Min(before, after) - (1024 * 1024), Math.Max(before, after) + (1024 * 1024), "as df saw it, just before and just after");
        metrics.Value("nodehelper_filesystem_error", ("component", "bitcoind"), ("path", blocks.FullName)).Should().Be(0);
    }

    [Fact]
    public async Task AMissingDataDirectoryIsAnItemErrorNotAFailedCollector()
    {
        var missing = Path.Join(_data.FullName, "not-there");
        var present = Directory.CreateDirectory(Path.Join(_data.FullName, "electrs")).FullName;

        var metrics = await Registries.CollectAsync(Collector(new() { ["mariadb"] = missing, ["electrs"] = present }).Collector);

        metrics.Value("nodehelper_filesystem_error", ("component", "mariadb"), ("path", missing)).Should().Be(1);
        metrics.Has("nodehelper_filesystem_size_bytes", ("component", "mariadb"), ("path", missing)).Should().BeFalse();
        metrics.Value("nodehelper_filesystem_error", ("component", "electrs"), ("path", present)).Should().Be(0);
    }

    [Fact]
    public async Task DirectorySizesAreMeasuredInTheBackgroundWithTheirTime()
    {
        var root = Directory.CreateDirectory(Path.Join(_data.FullName, "electrs"));
        await File.WriteAllBytesAsync(Path.Join(root.FullName, "a.sst"), new byte[1000]);
        await File.WriteAllBytesAsync(Path.Join(root.FullName, "b.sst"), new byte[2500]);
        var sub = Directory.CreateDirectory(Path.Join(root.FullName, "db", "mainnet"));
        await File.WriteAllBytesAsync(Path.Join(sub.FullName, "c.sst"), new byte[4096]);
        var outside = Path.Join(_data.FullName, "outside.bin");
        await File.WriteAllBytesAsync(outside, new byte[9999]);
        File.CreateSymbolicLink(Path.Join(root.FullName, "link.bin"), outside);
        var (collector, directories) = Collector(new() { ["electrs"] = root.FullName });

        var before = await Registries.CollectAsync(collector);
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        directories.MeasureAll();
        var after = await Registries.CollectAsync(collector);

        before.Names.Should().NotContain("nodehelper_directory_size_bytes", "no size is known before the first measurement");
        after.Value("nodehelper_directory_size_bytes", ("component", "electrs"), ("path", root.FullName)).Should().Be(1000 + 2500 + 4096, "a symlink is not followed");
        after.Value("nodehelper_directory_size_timestamp_seconds", ("component", "electrs"), ("path", root.FullName)).Should().BeInRange(started - 1, started + 60);
    }
}
