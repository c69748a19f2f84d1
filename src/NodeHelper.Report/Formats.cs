using System.Globalization;

namespace NodeHelper.Report;

/// <summary>How the report writes numbers: as a person would say them, the same in the HTML and the text part.</summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>97.92%, and 100% only when nothing at all was missed.</summary>
    public static string Percent(double ratio)
    {
        if (ratio >= 1)
        {
            return "100%";
        }

        var percent = ratio * 100;
        return (percent >= 99.995 ? "99.99" : percent.ToString(percent >= 10 ? "0.##" : "0.###", Invariant)) + "%";
    }

    public static string Count(double value) => Math.Round(value).ToString("#,0", Invariant);

    public static string Number(double value) =>
        Math.Abs(value) >= 100 ? value.ToString("#,0", Invariant) : value.ToString(Math.Abs(value) >= 10 ? "0.#" : "0.##", Invariant);

    /// <summary>Decimal units, as disks are sold: 312 GB, 1.2 TB.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        var unit = 0;
        while (Math.Abs(bytes) >= 1000 && unit < units.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }

        return $"{bytes.ToString(Math.Abs(bytes) >= 100 || unit == 0 ? "0" : "0.#", Invariant)} {units[unit]}";
    }

    public static string FeeRate(double satPerVbyte) => $"{Number(satPerVbyte)} sat/vB";

    /// <summary>Satoshis, as bitcoin tools show amounts: 250,000 sat.</summary>
    public static string Sat(double sat) => $"{Count(sat)} sat";

    /// <summary>45 s, 28 min, 2 h 05 min, 3 d 4 h.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return $"{Math.Max(0, Math.Round(span.TotalSeconds)).ToString(Invariant)} s";
        }

        if (span < TimeSpan.FromHours(1))
        {
            return $"{Math.Round(span.TotalMinutes).ToString(Invariant)} min";
        }

        if (span < TimeSpan.FromDays(1))
        {
            var minutes = (int)Math.Round(span.TotalMinutes);
            return $"{(minutes / 60).ToString(Invariant)} h {(minutes % 60).ToString("00", Invariant)} min";
        }

        var hours = (int)Math.Round(span.TotalHours);
        return $"{(hours / 24).ToString(Invariant)} d {(hours % 24).ToString(Invariant)} h";
    }

    public static string Seconds(double seconds) =>
        seconds is > 0 and < 1 ? $"{Math.Round(seconds * 1000).ToString(Invariant)} ms" : Duration(TimeSpan.FromSeconds(seconds));

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm", Invariant) + " UTC";

    public static string DateTime(DateTimeOffset time) => time.UtcDateTime.ToString("d MMM yyyy HH:mm", Invariant) + " UTC";

    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("d MMM yyyy", Invariant);

    public static string Plural(double count, string one, string many) => Count(count) == "1" ? $"1 {one}" : $"{Count(count)} {many}";
}
