using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Probe;

internal static class ProbeRegistration
{
    /// <summary>/probe's modules and the collectors it makes for their targets. /probe always answers: 400 while no module is configured.</summary>
    public static IServiceCollection AddProbe(this IServiceCollection services, ProbeOptions options) =>
        services.AddSingleton(options)
            .AddSingleton<ProbeCollectors>()
            .AddSingleton<ProbeService>();

    public static void MapProbe(this WebApplication app)
    {
        var probe = app.Services.GetRequiredService<ProbeService>();
        app.MapGet(ProbeService.Path, probe.HandleAsync);
    }
}
