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

    /// <param name="basicAuth">Basic auth guards every request (Web:ConfigFile's basic_auth_users).</param>
    /// <param name="allowSilences">Status:AllowSilences.</param>
    public static void MapStatusPage(this WebApplication app, bool basicAuth, bool allowSilences)
    {
        var silencesAllowed = basicAuth || allowSilences;
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
        var sources = app.Services.GetRequiredService<IStatusSources>();
        app.MapPost("/status/silences", context => SilenceFormAsync(context, status, sources, silencesAllowed, basicAuth, expire: false));
        app.MapPost("/status/silences/expire", context => SilenceFormAsync(context, status, sources, silencesAllowed, basicAuth, expire: true));
    }

    /// <summary>
    /// The page's two forms. Refused (403) unless silencing is allowed; basic auth, when on, has already refused a
    /// request without the password (401). A form posted from another site is refused too: a browser that holds the
    /// password would otherwise let any page it visits silence this node's alerts.
    /// </summary>
    private static async Task SilenceFormAsync(HttpContext context, StatusService status, IStatusSources sources, bool silencesAllowed, bool basicAuth, bool expire)
    {
        if (!silencesAllowed)
        {
            await PlainAsync(context, StatusCodes.Status403Forbidden,
                "Silencing from the status page is off: give the exporter basic auth (basic_auth_users in Web:ConfigFile) or set Status:AllowSilences=true.");
            return;
        }

        if (!basicAuth && !AddressedByAddress(context.Request))
        {
            // Without a password, a page of another site that made its name resolve to this machine (DNS rebinding)
            // would be "same-origin"; it cannot make the browser send an IP address or localhost as the Host.
            await PlainAsync(context, StatusCodes.Status403Forbidden,
                "Without basic auth, silences are taken only from the page opened at an IP address or localhost (a name could be another site's, rebound to this machine).");
            return;
        }

        if (!FromThisPage(context.Request))
        {
            await PlainAsync(context, StatusCodes.Status403Forbidden, "This form was posted from another site; open the status page and silence from there.");
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, "Expected a form (application/x-www-form-urlencoded).");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        try
        {
            if (expire)
            {
                await sources.ExpireSilenceAsync(form["id"].ToString(), context.RequestAborted);
            }
            else
            {
                if (!TryDuration(form["duration"].ToString(), out var duration))
                {
                    throw new StatusActionException("duration: choose one of the page's durations (e.g. 1h, 24h).");
                }

                await sources.SilenceAsync(form["fingerprint"].ToString(), duration, form["comment"].ToString().Trim(), basicAuth ? CreatedBy(context.Request) : "NodeHelper status page", context.RequestAborted);
            }
        }
        catch (StatusActionException e)
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }

        status.Invalidate();
        // Relative, so a reverse proxy's path prefix is kept: back to the page, at its alerts.
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = (expire ? "../../" : "../") + "#alerts";
    }

    /// <summary>A browser says where a form came from (Sec-Fetch-Site, else Origin); a client that says nothing is not a browser's cross-site form.</summary>
    internal static bool FromThisPage(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the request names this machine by an IP address or localhost, not by a DNS name.</summary>
    internal static bool AddressedByAddress(HttpRequest request)
    {
        var host = request.Host.Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _);
    }

    /// <summary>"1h", "4h", "24h", "168h": hours, from 1 to 30 days.</summary>
    internal static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.EndsWith('h') && int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hours)
            && hours is >= 1 and <= 720)
        {
            duration = TimeSpan.FromHours(hours);
            return true;
        }

        return false;
    }

    /// <summary>Who silenced: the basic auth user (already checked by the middleware), else the page itself. Never the password.</summary>
    private static string CreatedBy(HttpRequest request) =>
        Web.BasicAuthentication.TryReadCredentials(request.Headers.Authorization, out var user, out _) && user.Length > 0
            ? $"{user[..Math.Min(user.Length, 64)]} (NodeHelper status page)"
            : "NodeHelper status page";

    private static async Task PlainAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
