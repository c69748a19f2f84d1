namespace NodeHelper.Core.Upstreams;

/// <summary>Unix seconds from an upstream as a time, refusing what no clock can show (negative, past year 9999, not finite).</summary>
internal static class UnixTime
{
    /// <summary>The last second DateTimeOffset can hold.</summary>
    private const double Last = 253402300799;

    public static DateTimeOffset? From(double seconds) =>
        seconds is >= 0 and < Last ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
}
