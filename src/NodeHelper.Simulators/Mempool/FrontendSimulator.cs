using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Mempool;

/// <summary>The public front end behind nginx: an HTML page over HTTP or HTTPS, with a status and a certificate of the test's choosing.</summary>
public sealed class FrontendSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private int _disposed;

    private FrontendSimulator(WebApplication app, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    public int StatusCode { get; set; } = 200;

    public TimeSpan Latency { get; set; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Plain HTTP, or HTTPS with a self-signed certificate that expires at <paramref name="certificateNotAfter"/>.</summary>
    public static async Task<FrontendSimulator> StartAsync(DateTimeOffset? certificateNotAfter = null, int port = 0)
    {
        var certificate = certificateNotAfter is { } notAfter ? SelfSignedCertificate.Create(notAfter) : null;
        var app = SimulatorHost.Create(port, certificate);
        var simulator = new FrontendSimulator(app, certificate);
        app.Run(simulator.HandleAsync);
        await app.StartAsync();
        simulator.Url = SimulatorHost.BaseUrl(app);
        return simulator;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _certificate?.Dispose();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, context.RequestAborted);
        }

        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(StatusCode < 400
            ? "<!DOCTYPE html><html><head><title>mempool - Bitcoin Explorer</title></head><body><app-root></app-root></body></html>"
            : "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
            Encoding.UTF8);
    }
}
