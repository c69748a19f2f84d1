using System.Globalization;
using System.Text;

namespace NodeHelper.Exporter.Upstreams.Backups;

/// <summary>
/// The last success a batch job wrote into a textfile-collector file (node_exporter's convention for batch jobs:
/// restic, borg or a script writes <c>*_last_success_timestamp_seconds</c> into a .prom file when it succeeds). The
/// file is the job's to write, so its content is input: bounded, validated, and refused whole when it is absurd.
/// </summary>
internal static class TextfileTimestamp
{
    /// <summary>A job's metrics file is a few hundred bytes; 1 MiB is far beyond any, and what is read at most.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The job runs on this host's clock; a success further ahead than this is not one.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromHours(1);

    private const string Suffix = "last_success_timestamp_seconds";

    /// <summary>Reads at most <see cref="MaxBytes"/> of the file and parses it (see <see cref="Parse"/>).</summary>
    /// <exception cref="FormatException">The file is larger, or not what a job writes.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static double Read(string path, DateTimeOffset now)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[MaxBytes + 1];
        var read = 0;
        while (read < buffer.Length && file.Read(buffer, read, buffer.Length - read) is var n and > 0)
        {
            read += n;
        }

        if (read > MaxBytes)
        {
            throw new FormatException($"is larger than {MaxBytes} bytes, not a metrics file a backup job writes");
        }

        return Parse(Encoding.UTF8.GetString(buffer, 0, read), now);
    }

    /// <summary>
    /// The oldest <c>*_last_success_timestamp_seconds</c> sample of the text (several jobs in one file: the one that
    /// succeeded longest ago is the one to worry about), in Unix seconds.
    /// </summary>
    /// <exception cref="FormatException">No such sample, or one that is not a number, negative, or in the future.</exception>
    public static double Parse(string text, DateTimeOffset now)
    {
        double? oldest = null;
        var latestAllowed = (now + MaxAhead).ToUnixTimeSeconds();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || Sample(line) is not var (name, value) || !IsLastSuccess(name))
            {
                continue;
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
            {
                throw new FormatException($"{name} is '{Clip(value)}', not a number of seconds");
            }

            if (seconds < 0 || seconds > latestAllowed)
            {
                throw new FormatException($"{name} is {seconds.ToString(CultureInfo.InvariantCulture)}, {(seconds < 0 ? "before 1970" : "in the future")}: not a time the job succeeded");
            }

            oldest = Math.Min(oldest ?? seconds, seconds);
        }

        return oldest ?? throw new FormatException($"has no *_{Suffix} sample");
    }

    private static bool IsLastSuccess(string name) =>
        name == Suffix || name.EndsWith("_" + Suffix, StringComparison.Ordinal);

    /// <summary>A sample line's metric name and value (its labels skipped, quotes and escapes respected); null for anything else.</summary>
    private static (string Name, string Value)? Sample(string line)
    {
        var end = 0;
        while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] is '_' or ':'))
        {
            end++;
        }

        if (end == 0 || char.IsAsciiDigit(line[0]))
        {
            return null;
        }

        var at = end;
        if (at < line.Length && line[at] == '{')
        {
            var quoted = false;
            for (at++; at < line.Length && (quoted || line[at] != '}'); at++)
            {
                if (line[at] == '\\')
                {
                    at++;
                }
                else if (line[at] == '"')
                {
                    quoted = !quoted;
                }
            }

            if (at >= line.Length)
            {
                return null;
            }

            at++;
        }

        var rest = line[at..];
        if (rest.Length == 0 || !char.IsWhiteSpace(rest[0]))
        {
            return null;
        }

        var fields = rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length is 1 or 2 ? (line[..end], fields[0]) : null;
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] : text;
}
