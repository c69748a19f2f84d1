using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Host;

internal static class HostRegistration
{
    /// <summary>The host view, when Host:Enabled, with the background walk that measures the data directories.</summary>
    public static IServiceCollection AddHostCollector(this IServiceCollection services, HostViewOptions options)
    {
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(options);
        services.AddSingleton<DirectorySizeMonitor>();
        services.AddHostedService(s => s.GetRequiredService<DirectorySizeMonitor>());
        return services.AddCollector(s => new HostCollector(options, s.GetRequiredService<DirectorySizeMonitor>(), s.ItemLog<HostCollector>("host")));
    }
}
