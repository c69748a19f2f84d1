namespace NodeHelper.Exporter.Upstreams.Updates;

/// <summary>
/// Orders the version strings the stack's projects publish: dotted numbers (30.0, 0.10.10, 2.1.1), LND's 0.19.3-beta,
/// Knots' 29.2.knots20251110. Each is cut into runs of digits and runs of letters; numbers compare as numbers, words
/// as words, a missing number as 0 (29.0 = 29.0.0), and a version that goes on where the other has ended is the later
/// one. Pre-releases are not known as such: 30.0rc1 sorts after 30.0 (a feed lists releases; bitcoind reports a
/// candidate as its plain version).
/// </summary>
internal static class VersionOrder
{
    public const int MaxLength = 64;

    /// <summary>Starts with a digit (a leading v aside), at most <see cref="MaxLength"/> characters of letters, digits and . - + _.</summary>
    public static bool IsVersion(string value)
    {
        var v = value.StartsWith('v') ? value[1..] : value;
        return v.Length is > 0 and <= MaxLength && char.IsAsciiDigit(v[0]) && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' or '_');
    }

    public static int Compare(string a, string b)
    {
        var x = Runs(a.TrimStart('v'));
        var y = Runs(b.TrimStart('v'));
        for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
        {
            var p = i < x.Count ? x[i] : null;
            var q = i < y.Count ? y[i] : null;
            var order = (p, q) switch
            {
                (null, { Number: not null } n) => -Sign(n.Number.Value),
                ({ Number: not null } n, null) => Sign(n.Number.Value),
                (null, _) => -1,
                (_, null) => 1,
                ({ Number: { } m }, { Number: { } n }) => m.CompareTo(n),
                ({ Number: not null }, _) => 1, // 1.0.1 after 1.0.beta
                (_, { Number: not null }) => -1,
                _ => string.CompareOrdinal(p.Word, q.Word),
            };
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }

        return 0;
    }

    private static int Sign(ulong number) => number > 0 ? 1 : 0;

    private sealed record Run(ulong? Number, string Word);

    private static List<Run> Runs(string version)
    {
        var runs = new List<Run>();
        var i = 0;
        while (i < version.Length)
        {
            if (!char.IsAsciiLetterOrDigit(version[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = char.IsAsciiDigit(version[i]);
            while (i < version.Length && char.IsAsciiLetterOrDigit(version[i]) && char.IsAsciiDigit(version[i]) == digits)
            {
                i++;
            }

            var text = version[start..i];
            runs.Add(digits
                ? new Run(ulong.TryParse(text, out var n) ? n : ulong.MaxValue, text)
                : new Run(null, text.ToLowerInvariant()));
        }

        return runs;
    }
}
