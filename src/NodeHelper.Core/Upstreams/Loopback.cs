using System.Net;

namespace NodeHelper.Core.Upstreams;

internal static class Loopback
{
    /// <summary>localhost, 127.0.0.0/8 or ::1: where relaxing TLS verification for a self-signed certificate is safe.</summary>
    public static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
