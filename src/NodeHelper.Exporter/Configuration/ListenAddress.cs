using System.Globalization;

namespace NodeHelper.Exporter.Configuration;

/// <summary>
/// One address of the <c>urls</c> setting, as ExporterSettings has already checked it: http://host:port (host an IP
/// address, localhost, * or +) or http://unix:/path. Read by the health check (where to ask) and the posture collector
/// (which port is NodeHelper's own).
/// </summary>
internal sealed record ListenAddress(string Host, int Port, string? SocketPath)
{
    public static ListenAddress Parse(string address)
    {
        var rest = address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenAddress("localhost", 0, rest[5..]);
        }

        var colon = rest.LastIndexOf(':');
        return new ListenAddress(rest[..colon], int.Parse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture), null);
    }

    /// <summary>Where this machine reaches it: an address on every interface is asked on loopback.</summary>
    public string LoopbackHost => Host switch
    {
        "*" or "+" or "0.0.0.0" => "127.0.0.1",
        "[::]" => "[::1]",
        var host => host,
    };
}
