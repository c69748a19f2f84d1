using System.Globalization;

namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>Reads `systemctl show` output: one block of Key=Value lines per unit, blocks separated by a blank line. Pure.</summary>
internal static class SystemdParsers
{
    public static IReadOnlyList<UnitStatus> ParseShow(string text, IReadOnlyList<string> units)
    {
        var blocks = text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var byId = new Dictionary<string, UnitStatus>(StringComparer.Ordinal);
        foreach (var block in blocks)
        {
            var values = block.Split('\n')
                .Select(line => line.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
            if (!values.TryGetValue("Id", out var id))
            {
                continue;
            }

            byId[id] = new UnitStatus(
                id,
                values.GetValueOrDefault("LoadState", ""),
                values.GetValueOrDefault("ActiveState", ""),
                values.GetValueOrDefault("SubState", ""),
                long.TryParse(values.GetValueOrDefault("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts) ? restarts : null,
                Timestamp(values.GetValueOrDefault("StateChangeTimestamp")));
        }

        // systemctl answers in the order asked; a unit missing from the answer is reported as not found.
        return [.. units.Select(unit => byId.TryGetValue(unit, out var status) ? status : new UnitStatus(unit, "not-found", "inactive", "dead", null, null))];
    }

    /// <summary>With --timestamp=unix a timestamp reads "@1732390000"; empty when the unit never changed state.</summary>
    private static long? Timestamp(string? text) =>
        text is ['@', .. var digits] && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : null;
}
