using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A real Prometheus serving a history written beforehand: the OpenMetrics text becomes blocks with Debian's promtool
/// (<c>tsdb create-blocks-from openmetrics</c>), then Prometheus starts on them in a temporary directory of its own.
/// </summary>
internal static class BackfilledPrometheus
{
    public static async Task<ServerProcess> StartAsync(string openMetrics, string name)
    {
        var directory = Directory.CreateTempSubdirectory($"nodehelper-{name}-prometheus-").FullName;
        var history = Path.Join(directory, "history.om");
        await File.WriteAllTextAsync(history, openMetrics);
        var promtool = ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus package");
        var backfill = await ExternalProcess.RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", history, Path.Join(directory, "data")],
            timeout: TimeSpan.FromMinutes(5));
        if (backfill.ExitCode != 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"promtool could not write the {name} history: {backfill.StandardError}");
        }

        File.Delete(history);
        await File.WriteAllTextAsync(Path.Join(directory, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
        return await RealServers.StartPrometheusAsync(directory);
    }
}
