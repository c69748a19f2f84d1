using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Host;

namespace NodeHelper.Exporter.Upstreams.Systemd;

internal static class ServicesRegistration
{
    /// <summary>The stack's systemd units, when Services:Enabled; systemd is looked for under Host:Root.</summary>
    public static IServiceCollection AddServicesCollector(this IServiceCollection services, ServicesOptions options, HostViewOptions host) =>
        !options.Enabled
            ? services
            : services.AddCollector(s => new ServicesCollector(new SystemdClient(options, host), s.Stopping()));
}
