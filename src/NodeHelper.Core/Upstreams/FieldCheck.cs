using System.Globalization;

namespace NodeHelper.Core.Upstreams;

/// <summary>
/// Checks of values in well-formed answers: what is absurd for its field (a negative height, a fee rate beyond all
/// the bitcoin there is, a ratio of 7.5, NaN) is a problem of that item, said in words; null means the value is fine.
/// </summary>
internal static class FieldCheck
{
    /// <summary>All the bitcoin there will ever be: no amount (or fee rate per kvB) in BTC can exceed it.</summary>
    public const decimal MaxBtc = 21_000_000m;

    /// <summary>The first problem of several checks, or null when all passed.</summary>
    public static string? First(params string?[] problems)
    {
        foreach (var problem in problems)
        {
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>
    /// A list without null elements. System.Text.Json lets <c>[null]</c> through into a list of records whatever
    /// the annotation says, so every list a collector walks is checked before it is walked.
    /// </summary>
    public static string? NoNulls<T>(IEnumerable<T?> list, string field)
        where T : class =>
        list.Any(e => e is null) ? $"{field} holds a null" : null;

    /// <summary>A count, a height, a size in bytes, a timestamp: zero or more.</summary>
    public static string? NotNegative(long value, string field) =>
        value < 0 ? $"{field} is {value.ToString(CultureInfo.InvariantCulture)}, which cannot be negative" : null;

    public static string? NotNegative(long? value, string field) => value is { } v ? NotNegative(v, field) : null;

    /// <summary>A finite number, zero or more.</summary>
    public static string? NotNegative(double value, string field) =>
        !double.IsFinite(value) || value < 0 ? $"{field} is {value.ToString(CultureInfo.InvariantCulture)}, not a number of zero or more" : null;

    public static string? NotNegative(double? value, string field) => value is { } v ? NotNegative(v, field) : null;

    /// <summary>A finite number, of any sign (a clock offset, a difficulty change).</summary>
    public static string? Finite(double value, string field) =>
        double.IsFinite(value) ? null : $"{field} is {value.ToString(CultureInfo.InvariantCulture)}, not a finite number";

    /// <summary>A ratio, 0 to 1.</summary>
    public static string? Ratio(double value, string field) =>
        double.IsFinite(value) && value is >= 0 and <= 1 ? null : $"{field} is {value.ToString(CultureInfo.InvariantCulture)}, not a ratio from 0 to 1";

    /// <summary>An amount in BTC, or a fee rate in BTC/kvB: from 0 to all the bitcoin there is.</summary>
    public static string? Btc(decimal value, string field) =>
        value is >= 0 and <= MaxBtc ? null : $"{field} is {value.ToString(CultureInfo.InvariantCulture)}, beyond any amount of bitcoin";

    public static string? Btc(decimal? value, string field) => value is { } v ? Btc(v, field) : null;
}
