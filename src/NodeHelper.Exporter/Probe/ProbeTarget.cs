using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeHelper.Exporter.Probe;

/// <summary>
/// A probe target, written host:port (a name, an IPv4 address, or an IPv6 address in brackets) and kept in one
/// normal form (the host in lower case, IPv6 compressed), so the allow-list and a request compare as equal strings.
/// Nothing else is a target: no scheme, no path, no user or password, no port left out.
/// </summary>
internal sealed record ProbeTarget(string Host, int Port)
{
    /// <summary>The longest target read: a DNS name is at most 253 characters, and the port and brackets add a few.</summary>
    public const int MaxLength = 270;

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out ProbeTarget? target, out string problem)
    {
        target = null;
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "is empty; write host:port.";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = "is too long for host:port.";
            return false;
        }

        if (text.Contains('@', StringComparison.Ordinal) || text.Contains("://", StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            // Said without echoing it: a URL with user:password@ in it would otherwise be repeated.
            problem = "is not host:port: no scheme, path, user or password (credentials come from the module's settings).";
            return false;
        }

        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = "is not [IPv6 address]:port.";
                return false;
            }

            host = v6.ToString();
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                problem = "has no port, or is an IPv6 address without brackets; write host:port or [IPv6]:port.";
                return false;
            }

            host = text[..colon].ToLowerInvariant();
            port = text[(colon + 1)..];
            // Uri's own check too: a host it refuses (a..b) would fail every probe of it rather than the start.
            if (!host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_') || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                problem = "has a host that is neither a DNS name nor an IPv4 address.";
                return false;
            }
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            problem = "has no port from 1 to 65535.";
            return false;
        }

        target = new ProbeTarget(host, number);
        return true;
    }
}
