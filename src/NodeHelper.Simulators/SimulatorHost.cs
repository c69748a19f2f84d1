using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace NodeHelper.Simulators;

/// <summary>The loopback web host every HTTP simulator runs on.</summary>
internal static class SimulatorHost
{
    /// <summary>
    /// A quiet Kestrel host on 127.0.0.1 that leaves Ctrl+C and SIGTERM to whoever embeds it (a test run, the CLI);
    /// HTTPS with the given certificate, when there is one.
    /// </summary>
    public static WebApplication Create(int port, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null) =>
        certificate is null ? Create(port, certificateSelector: null) : Create(port, () => certificate);

    /// <summary>
    /// HTTPS with whatever certificate <paramref name="certificateSelector"/> gives at each handshake, so a simulator can
    /// change the certificate it serves while it runs (LND regenerating its tls.cert); plain HTTP when null.
    /// </summary>
    public static WebApplication Create(int port, Func<System.Security.Cryptography.X509Certificates.X509Certificate2>? certificateSelector)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        if (certificateSelector is null)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        else
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel =>
                kestrel.Listen(System.Net.IPAddress.Loopback, port, listen =>
                    listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificateSelector())));
        }

        return builder.Build();
    }

    /// <summary>
    /// Answers every request with <paramref name="handle"/>, starts the host and returns its base URL. A simulator's
    /// own bug is written to stderr and rethrown: a test double that fails quietly hides real findings.
    /// </summary>
    public static async Task<Uri> ServeAsync(WebApplication app, string name, Func<HttpContext, Task> handle, CancellationToken cancellationToken)
    {
        app.Run(async context =>
        {
            try
            {
                await handle(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"{name} simulator: {e}");
                throw;
            }
        });
        await app.StartAsync(cancellationToken);
        return BaseUrl(app);
    }

    /// <summary>
    /// A 50 MB answer: valid JSON as far as it goes (<paramref name="prefix"/>, then x's, then <paramref name="suffix"/>),
    /// chunked with no Content-Length, so only a reader that counts bytes stops it.
    /// </summary>
    public static async Task WriteHugeJsonAsync(HttpContext context, string prefix, string suffix)
    {
        const int HugeBodyBytes = 50 * 1024 * 1024;
        context.Response.ContentType = "application/json";
        var chunk = System.Text.Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        try
        {
            await context.Response.WriteAsync(prefix, context.RequestAborted);
            for (var sent = 0; sent < HugeBodyBytes; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }

            await context.Response.WriteAsync(suffix, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading, as it should.
        }
    }

    /// <summary>The base URL the started host listens on (the real port when 0 was asked for).</summary>
    public static Uri BaseUrl(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    private sealed class SignalFreeLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
