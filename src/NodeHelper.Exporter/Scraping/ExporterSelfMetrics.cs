using System.Reflection;
using System.Runtime.InteropServices;
using Prometheus;

namespace NodeHelper.Exporter.Scraping;

/// <summary>
/// The exporter's own metrics, in a registry of its own (not prometheus-net's global default, whose .NET meters
/// fail <c>promtool check metrics</c>): build info and the process's health, cheap in-process values only.
/// </summary>
internal sealed class ExporterSelfMetrics
{
    public ExporterSelfMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        factory.CreateGauge("nodehelper_build_info", "NodeHelper's version and the .NET runtime it runs on.", "version", "runtime")
            .WithLabels(Version, RuntimeInformation.FrameworkDescription).Set(1);

        DotNetStats.Register(Registry);

        // The .NET twin of go_memstats_alloc_bytes_total: how much the exporter allocates, scrape after scrape.
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the exporter started.");
        Registry.AddBeforeCollectCallback(() => allocated.IncTo(GC.GetTotalAllocatedBytes()));
    }

    public static string Version { get; } =
        typeof(ExporterSelfMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public CollectorRegistry Registry { get; }
}
