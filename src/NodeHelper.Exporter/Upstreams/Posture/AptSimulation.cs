namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>
/// Reads what `apt-get -s dist-upgrade` prints: one <c>Inst</c> line per package it would install or upgrade,
/// <c>Inst NAME [OLD] (NEW RELEASE[, RELEASE...] [ARCH])</c>, each RELEASE <c>Label:Version/Suite</c> as apt's
/// RelStr writes it (<c>Debian-Security:12/oldstable-security</c>, <c>Ubuntu:22.04/jammy-security</c>). A package is a
/// security upgrade when one of the releases offering its new version is a -security suite or Debian's security
/// archive, the test unattended-upgrades' default origins make. Conf, Remv and the notes around them are not counted.
/// </summary>
internal static class AptSimulation
{
    /// <exception cref="FormatException">An Inst line is not in apt's format.</exception>
    public static AptPending Parse(IEnumerable<string> lines)
    {
        int upgrades = 0, security = 0;
        foreach (var line in lines)
        {
            if (!line.StartsWith("Inst ", StringComparison.Ordinal))
            {
                continue;
            }

            var open = line.IndexOf('(', StringComparison.Ordinal);
            var close = open < 0 ? -1 : line.IndexOf(')', open);
            if (close < 0)
            {
                throw new FormatException($"not an Inst line of apt-get -s: '{(line.Length > 80 ? line[..80] : line)}'");
            }

            upgrades++;
            // "(NEW RELEASE, RELEASE [ARCH])": the new version, then the releases, then the architecture.
            var inside = line[(open + 1)..close];
            var arch = inside.LastIndexOf(" [", StringComparison.Ordinal);
            var releases = (arch < 0 ? inside : inside[..arch]).Split(' ', 2) is [_, var rest] ? rest : "";
            if (releases.Split(',', StringSplitOptions.TrimEntries).Any(IsSecurity))
            {
                security++;
            }
        }

        return new AptPending(upgrades, security);
    }

    private static bool IsSecurity(string release)
    {
        var slash = release.LastIndexOf('/');
        var suite = slash < 0 ? "" : release[(slash + 1)..];
        return suite.EndsWith("-security", StringComparison.OrdinalIgnoreCase)
               || release.StartsWith("Debian-Security:", StringComparison.OrdinalIgnoreCase);
    }
}
