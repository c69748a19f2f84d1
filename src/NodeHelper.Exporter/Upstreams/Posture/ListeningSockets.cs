using System.Globalization;
using System.Net;

namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>One TCP socket in the LISTEN state, as the kernel lists it in /proc/net/tcp or /proc/net/tcp6.</summary>
internal readonly record struct ListeningSocket(IPAddress Address, int Port)
{
    /// <summary>Reachable only from this machine: 127.0.0.0/8, ::1, or an IPv4-mapped loopback address.</summary>
    public bool LoopbackOnly => IPAddress.IsLoopback(Address) || (Address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(Address.MapToIPv4()));
}

/// <summary>Reads the kernel's socket tables, which every user may read: no root, no ss or netstat.</summary>
internal static class ListeningSockets
{
    private const string ListenState = "0A";

    /// <summary>The LISTEN sockets of one table's text (the header line first, then one socket per line).</summary>
    /// <exception cref="FormatException">A line is not what the kernel writes.</exception>
    public static List<ListeningSocket> Parse(string table) => Parse(table.Split('\n'));

    /// <summary>The LISTEN sockets of a table read line by line (File.ReadLines: a busy host's table is megabytes).</summary>
    /// <exception cref="FormatException">A line is not what the kernel writes.</exception>
    public static List<ListeningSocket> Parse(IEnumerable<string> lines)
    {
        var sockets = new List<ListeningSocket>();
        foreach (var line in lines.Skip(1))
        {
            // A socket line is ~150 characters with its state (the fourth field, two hex digits) between spaces; most
            // lines of a busy table are connections, skipped without splitting. " 0A " appears in no other field (the
            // others are longer hex words or decimal). Short lines go to the full check below.
            if (line.Length >= 100 && !line.Contains(" 0A ", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (fields.Length < 4 || fields[1].Split(':') is not [var address, var port])
            {
                throw new FormatException($"not a socket line: '{UpstreamText(line)}'");
            }

            if (fields[3] != ListenState)
            {
                continue;
            }

            sockets.Add(new ListeningSocket(ParseAddress(address), int.Parse(port, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)));
        }

        return sockets;
    }

    /// <summary>The kernel prints each 32-bit word of the address in the machine's byte order (little-endian here and on a Pi).</summary>
    private static IPAddress ParseAddress(string hex)
    {
        if (hex.Length is not (8 or 32) || !hex.All(char.IsAsciiHexDigit))
        {
            throw new FormatException($"not an address: '{UpstreamText(hex)}'");
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (!BitConverter.IsLittleEndian)
            {
                value = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
            }

            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        return new IPAddress(bytes);
    }

    private static string UpstreamText(string text) => text.Length > 80 ? text[..80] : text;
}
