using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter;

/// <summary>
/// <c>nodehelper healthcheck</c>: asks the running exporter's <c>/-/healthy</c> at the first address of its own
/// <c>urls</c> setting, for a container's HEALTHCHECK (an image without a shell or curl). It does not scrape: an
/// upstream that is down is the metrics' business, not a reason to restart the exporter. With tls_server_config it
/// asks over TLS and trusts exactly the certificate in cert_file (pinned, read now: a renewed one too), whatever its
/// name or issuer; basic auth does not stand in its way, as /-/healthy needs no password.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    public const string Path = "/-/healthy";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string urls;
        X509Certificate2? pinned;
        try
        {
            var settings = Program.LoadSettings(args);
            urls = settings.Urls;
            pinned = settings.Web?.Tls is { } tls ? X509Certificate2.CreateFromPem(File.ReadAllText(tls.CertFile)) : null;
        }
        catch (SettingsException e)
        {
            await error.WriteLineAsync($"nodehelper healthcheck: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            await error.WriteLineAsync($"nodehelper healthcheck: cannot read the certificate to pin: {e.Message}");
            return 2;
        }

        using var _ = pinned;
        var scheme = pinned is null ? "http" : "https";
        var address = ListenAddress.Parse(urls.Split(';')[0]);
        var socketPath = address.SocketPath;
        var target = new Uri(socketPath is null ? $"{scheme}://{address.LoopbackHost}:{address.Port}{Path}" : $"{scheme}://localhost{Path}");
        using var handler = new SocketsHttpHandler { UseProxy = false };
        if (pinned is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
        }

        if (socketPath is not null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(target);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await output.WriteLineAsync($"healthy: {target}");
                return 0;
            }

            await error.WriteLineAsync($"nodehelper healthcheck: {target} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"nodehelper healthcheck: {target}: {e.Message}");
        }

        return 1;
    }
}
