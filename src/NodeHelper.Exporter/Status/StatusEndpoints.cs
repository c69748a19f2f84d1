using System.Text.Json;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Status;

/// <summary>The status page's registration and endpoints: <c>/</c> and <c>/api/v1/status</c> (docs/status-api.md).</summary>
internal static class StatusEndpoints
{
    public const string ApiPath = "/api/v1/status";

    public static IServiceCollection AddStatusPage(this IServiceCollection services, StatusOptions options) =>
        services.AddSingleton(options)
            .AddSingleton<IStatusSources, StatusSources>()
            .AddSingleton<StatusService>();

    /// <param name="silencesAllowed">Whether the page may silence: basic auth guards every request, or Status:AllowSilences.</param>
    public static void MapStatusPage(this WebApplication app, bool silencesAllowed)
    {
        var status = app.Services.GetRequiredService<StatusService>();
        app.MapGet("/", async context =>
        {
            var document = await status.GetAsync(context.RequestAborted);
            NoStore(context.Response);
            context.Response.Headers.ContentSecurityPolicy = StatusPage.ContentSecurityPolicy;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(StatusPage.Render(document, silencesAllowed), context.RequestAborted);
        });
        app.MapGet(ApiPath, async context =>
        {
            var document = await status.GetAsync(context.RequestAborted);
            NoStore(context.Response);
            context.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(context.Response.Body, document, StatusJsonContext.Default.StatusDocument, context.RequestAborted);
        });
    }

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
