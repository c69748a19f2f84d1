using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Updates;

internal static class UpdatesRegistration
{
    /// <summary>The versions the collectors read (always: they record into it), and the updates collector when a feed file is set.</summary>
    public static IServiceCollection AddUpdatesCollector(this IServiceCollection services, UpdatesOptions options)
    {
        if (options.FeedFile.Length == 0)
        {
            return services;
        }

        return services.AddCollector(s => new UpdatesCollector(options.FeedFile, s.GetRequiredService<RunningVersions>(), s.ItemLog<UpdatesCollector>("updates")));
    }
}
