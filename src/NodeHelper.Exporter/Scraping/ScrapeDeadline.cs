using System.Globalization;

namespace NodeHelper.Exporter.Scraping;

/// <summary>How long this scrape may take: Prometheus's timeout minus a small offset, or a default for other clients.</summary>
internal static class ScrapeDeadline
{
    public const string TimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    /// <summary>
    /// The longest deadline a header can ask for: ten minutes, as Scrape:DefaultTimeoutSeconds allows. A header of
    /// 1e9 seconds is clamped rather than trusted (a timer cannot even count that far: it answered HTTP 500).
    /// </summary>
    public const double MaxSeconds = 600;

    public static TimeSpan From(string? timeoutHeader, ScrapeOptions options)
    {
        if (double.TryParse(timeoutHeader, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds > 0)
        {
            // A timeout shorter than the offset keeps half of itself rather than none.
            seconds = Math.Min(seconds, MaxSeconds);
            var budget = Math.Max(seconds - options.TimeoutOffsetSeconds, seconds / 2);
            return TimeSpan.FromSeconds(budget);
        }

        return TimeSpan.FromSeconds(options.DefaultTimeoutSeconds);
    }
}
