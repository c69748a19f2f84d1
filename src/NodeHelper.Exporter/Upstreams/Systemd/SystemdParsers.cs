using System.Globalization;

namespace NodeHelper.Exporter.Upstreams.Systemd;

/// <summary>Reads `systemctl show` output: one block of Key=Value lines per unit, blocks separated by a blank line. Pure.</summary>
internal static class SystemdParsers
{
    /// <summary>
    /// systemctl prints one block per unit asked, in the order asked, and names it by its Id, which for an alias
    /// (bitcoin.service → bitcoind.service) is not the name asked. So blocks are matched by position when there is
    /// one per unit, and by Id otherwise; each is reported under the name asked, so a rule on it keeps matching.
    /// </summary>
    public static IReadOnlyList<UnitStatus> ParseShow(string text, IReadOnlyList<string> units)
    {
        var blocks = text.Replace("\r", "", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n')
                .Select(line => line.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal))
            .Where(values => values.ContainsKey("Id"))
            .ToList();

        if (blocks.Count == units.Count)
        {
            return [.. units.Select((unit, i) => Status(unit, blocks[i]))];
        }

        var byId = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var values in blocks)
        {
            byId[values["Id"]] = values;
        }

        // A unit missing from the answer is reported as not found.
        return [.. units.Select(unit => byId.TryGetValue(unit, out var values) ? Status(unit, values) : new UnitStatus(unit, "not-found", "inactive", "dead", null, null))];
    }

    private static UnitStatus Status(string unit, Dictionary<string, string> values) => new(
        unit,
        values.GetValueOrDefault("LoadState", ""),
        values.GetValueOrDefault("ActiveState", ""),
        values.GetValueOrDefault("SubState", ""),
        long.TryParse(values.GetValueOrDefault("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var restarts) ? restarts : null,
        Timestamp(values.GetValueOrDefault("StateChangeTimestamp")));

    /// <summary>With --timestamp=unix a timestamp reads "@1732390000"; empty when the unit never changed state.</summary>
    private static long? Timestamp(string? text) =>
        text is ['@', .. var digits] && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : null;
}
