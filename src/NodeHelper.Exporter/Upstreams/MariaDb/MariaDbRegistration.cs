using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.MariaDb;

internal static class MariaDbRegistration
{
    /// <summary>The MariaDB collector, when MariaDb:Enabled.</summary>
    public static IServiceCollection AddMariaDbCollector(this IServiceCollection services, MariaDbOptions options) =>
        !options.Enabled
            ? services
            : services.AddCollector(s => new MariaDbCollector(new MariaDbClient(options), s.ItemLog<MariaDbCollector>("mariadb"), s.Stopping()));
}
