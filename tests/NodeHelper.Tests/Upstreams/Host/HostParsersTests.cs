using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Systemd;

namespace NodeHelper.Tests.Upstreams.Host;

/// <summary>Layer 1: the kernel's files and systemctl's answer, parsed.</summary>
public sealed class HostParsersTests
{
    internal static readonly string HostRoot = Path.Join(AppContext.BaseDirectory, "Fixtures", "host");

    private static string Read(string relative) => File.ReadAllText(Path.Join(AppContext.BaseDirectory, "Fixtures", relative));

    [Fact]
    public void MeminfoGivesBytes()
    {
        HostParsers.ParseMeminfo(Read("host/proc/meminfo")).Should().Be(new MemoryInfo(24683620L * 1024, 24315912L * 1024, 0, 0));
    }

    [Fact]
    public void MeminfoOfAnOldKernelWithoutMemAvailableEstimatesIt()
    {
        const string Old = "MemTotal:  1000 kB\nMemFree:  200 kB\nBuffers:  50 kB\nCached:  300 kB\nSwapTotal:  400 kB\nSwapFree:  100 kB\n";

        HostParsers.ParseMeminfo(Old).Should().Be(new MemoryInfo(1000 * 1024, 550 * 1024, 400 * 1024, 100 * 1024));
    }

    [Fact]
    public void StatGivesSecondsByModeCpusAndBootTime()
    {
        var cpu = HostParsers.ParseStat(Read("host/proc/stat"));

        cpu.SecondsByMode.Should().Equal(new Dictionary<string, double>
        {
            ["user"] = 1739.58,
            ["nice"] = 0,
            ["system"] = 477.44,
            ["idle"] = 6309.65,
            ["iowait"] = 11.63,
            ["irq"] = 0,
            ["softirq"] = 20.46,
            ["steal"] = 0,
        });
        cpu.Cpus.Should().Be(2);
        cpu.BootTime.Should().Be(1795471519);
    }

    [Fact]
    public void LoadavgGivesThreeAverages()
    {
        HostParsers.ParseLoadavg(Read("host/proc/loadavg")).Should().Be(new LoadAverage(1.24, 1.19, 1.10));
    }

    [Theory]
    [InlineData("50005", 0x50005u)]
    [InlineData("0x0\n", 0u)]
    [InlineData("throttled=0x80008", 0x80008u)]
    public void ThrottledIsHexadecimal(string text, uint expected)
    {
        HostParsers.ParseThrottled(text).Should().Be(expected);
    }

    [Fact]
    public void AMalformedKernelFileIsAClearError()
    {
        var act = () => HostParsers.ParseLoadavg("nonsense");

        act.Should().Throw<UpstreamException>().WithMessage("/proc/loadavg does not start with three load averages.");
    }

    [Fact]
    public void SystemctlShowGivesEachUnitInTheOrderAsked()
    {
        string[] units = ["bitcoind.service", "electrs.service", "fulcrum.service", "mempool.service", "mariadb.service", "nginx.service", "lnd.service"];

        var parsed = SystemdParsers.ParseShow(Read("systemd/show.txt"), units);

        parsed.Should().Equal(
            new UnitStatus("bitcoind.service", "loaded", "active", "running", 0, 1795400000),
            new UnitStatus("electrs.service", "loaded", "activating", "auto-restart", 7, 1795470300),
            new UnitStatus("fulcrum.service", "not-found", "inactive", "dead", 0, null),
            new UnitStatus("mempool.service", "loaded", "failed", "failed", 3, 1795470000),
            new UnitStatus("mariadb.service", "loaded", "active", "running", 0, 1795399000),
            new UnitStatus("nginx.service", "loaded", "active", "running", 0, 1795399500),
            new UnitStatus("lnd.service", "not-found", "inactive", "dead", null, null));
    }
}
