using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeHelper.Tests.Support;

/// <summary>
/// An HTTP server on loopback that answers every request by running <c>respond</c> on the raw connection: for
/// upstreams that misbehave below what a web framework lets one write (a body that stops half-way, a body without
/// end, a Content-Length that lies). The request is read up to its blank line and otherwise ignored.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RawHttpServer(Func<Stream, CancellationToken, Task> respond)
    {
        _listener.Start();
        _accepting = AcceptAsync(respond);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>A whole answer with the given status, content type and body.</summary>
    public static Func<Stream, CancellationToken, Task> Answer(int status, string contentType, string body) => async (stream, cancel) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} X\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"), cancel);
        await stream.WriteAsync(bytes, cancel);
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Stream, CancellationToken, Task> respond)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        await ReadRequestHeadAsync(stream, _stop.Token);
                        await respond(stream, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The client gave up, which is what some answers are for.
                    }
                }
            });
        }
    }

    private static async Task ReadRequestHeadAsync(Stream stream, CancellationToken cancel)
    {
        var seen = new StringBuilder();
        var buffer = new byte[1];
        while (!seen.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, cancel) == 1)
        {
            seen.Append((char)buffer[0]);
        }
    }
}
