using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Scraping;

/// <summary>How long a scrape may take. Prometheus says so in a header; these cover the rest.</summary>
internal sealed class ScrapeOptions
{
    public const string Section = "Scrape";

    /// <summary>Used when the request has no X-Prometheus-Scrape-Timeout-Seconds header (curl, a browser); Prometheus's own default.</summary>
    public double DefaultTimeoutSeconds { get; init; } = 10;

    /// <summary>Kept back from Prometheus's timeout so the answer is written before Prometheus gives up (blackbox_exporter does the same).</summary>
    public double TimeoutOffsetSeconds { get; init; } = 0.5;

    public static ScrapeOptions Read(SettingsReader settings)
    {
        var d = new ScrapeOptions();
        return new ScrapeOptions
        {
            DefaultTimeoutSeconds = settings.Seconds($"{Section}:DefaultTimeoutSeconds", d.DefaultTimeoutSeconds, 0.5, 600,
                "Scrape deadline when the request carries no X-Prometheus-Scrape-Timeout-Seconds header."),
            TimeoutOffsetSeconds = settings.Seconds($"{Section}:TimeoutOffsetSeconds", d.TimeoutOffsetSeconds, 0, 10,
                "Subtracted from Prometheus's scrape timeout so the answer arrives before Prometheus gives up."),
        };
    }
}
