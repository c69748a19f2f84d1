namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// Whether apt's sources name a security suite: a <c>deb</c> line of /etc/apt/sources.list or sources.list.d/*.list
/// whose suite ends in -security (bookworm-security, jammy-security) or comes from a security archive (debian-security,
/// security.debian.org, security.ubuntu.com), or an enabled deb822 stanza of sources.list.d/*.sources doing the same in
/// Suites: or URIs:. Raspbian's archive (32-bit Raspberry Pi OS) has none: its fixes come in the main suite, so a
/// count of security upgrades there would always be 0.
/// </summary>
internal static class AptSources
{
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file may not be read.</exception>
    public static bool NameASecuritySuite(string etcApt)
    {
        var lists = Path.Join(etcApt, "sources.list.d");
        var oneLine = ((string[])[Path.Join(etcApt, "sources.list")])
            .Concat(Directory.Exists(lists) ? Directory.EnumerateFiles(lists, "*.list") : [])
            .Where(File.Exists);
        var deb822 = Directory.Exists(lists) ? Directory.EnumerateFiles(lists, "*.sources") : [];
        return oneLine.Any(f => File.ReadLines(f).Any(OneLineIsSecurity)) || deb822.Any(f => Deb822IsSecurity(File.ReadAllText(f)));
    }

    /// <summary>"deb [options] uri suite components", comments after #.</summary>
    public static bool OneLineIsSecurity(string line)
    {
        var text = line.Split('#')[0].Trim();
        if (!text.StartsWith("deb ", StringComparison.Ordinal) && !text.StartsWith("deb\t", StringComparison.Ordinal))
        {
            return false;
        }

        var close = text.IndexOf(']', StringComparison.Ordinal);
        text = text[3..].TrimStart().StartsWith('[') && close > 0 ? text[(close + 1)..] : text[3..];
        return text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is [var uri, var suite, ..] && (IsSecuritySuite(suite) || IsSecurityArchive(uri));
    }

    /// <summary>Stanzas separated by blank lines, fields "Name: value" (continuation lines indented), # comments.</summary>
    public static bool Deb822IsSecurity(string text)
    {
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string? last = null;
            foreach (var line in stanza.Split('\n').Where(l => !l.TrimStart().StartsWith('#')))
            {
                if (line.Length > 0 && char.IsWhiteSpace(line[0]) && last is not null)
                {
                    fields[last] += " " + line.Trim();
                }
                else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    last = line[..colon].Trim();
                    fields[last] = line[(colon + 1)..].Trim();
                }
            }

            static string[] Words(string? value) => (value ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (Words(fields.GetValueOrDefault("Types")).Contains("deb")
                && !fields.GetValueOrDefault("Enabled", "yes").Equals("no", StringComparison.OrdinalIgnoreCase)
                && (Words(fields.GetValueOrDefault("Suites")).Any(IsSecuritySuite) || Words(fields.GetValueOrDefault("URIs")).Any(IsSecurityArchive)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSecuritySuite(string suite) => suite.EndsWith("-security", StringComparison.OrdinalIgnoreCase);

    private static bool IsSecurityArchive(string uri) =>
        uri.Contains("debian-security", StringComparison.OrdinalIgnoreCase)
        || uri.Contains("security.debian.org", StringComparison.OrdinalIgnoreCase)
        || uri.Contains("security.ubuntu.com", StringComparison.OrdinalIgnoreCase);
}
