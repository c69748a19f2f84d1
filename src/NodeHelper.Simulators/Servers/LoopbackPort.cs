using System.Net;
using System.Net.Sockets;

namespace NodeHelper.Simulators.Servers;

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
