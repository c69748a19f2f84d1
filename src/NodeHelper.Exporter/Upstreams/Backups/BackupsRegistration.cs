using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Backups;

internal static class BackupsRegistration
{
    /// <summary>The backups collector, when at least one Backups:Items:&lt;name&gt;:Path is configured.</summary>
    public static IServiceCollection AddBackupsCollector(this IServiceCollection services, BackupsOptions options) =>
        options.Items.Count == 0
            ? services
            : services.AddCollector(s => new BackupsCollector(options, s.ItemLog<BackupsCollector>("backups")));
}
