using System.Net;
using System.Net.Sockets;

namespace NodeHelper.Stack.Servers;

/// <summary>Ports on 127.0.0.1 for servers started by the tests and the demo.</summary>
public static class LoopbackPort
{
    /// <summary>A port free right now. Another process may take it before ours binds it: <see cref="ServerProcess"/> retries.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first of <paramref name="count"/> consecutive ports free right now (the simulated stack's five).</summary>
    public static int FreeRun(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Free();
            if (first + count > IPEndPoint.MaxPort)
            {
                continue;
            }

            var listeners = new List<TcpListener>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
                // One of them is taken: another run.
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports on 127.0.0.1.");
    }

    /// <summary>Whether something accepts TCP connections on the port.</summary>
    public static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
