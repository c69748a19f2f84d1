using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Report;

namespace NodeHelper.Exporter.Configuration;

/// <summary>
/// Every setting of the exporter, read and validated once at start. A wrong or unknown key stops the exporter
/// with a message naming it; nothing falls back silently to a default.
/// </summary>
internal sealed class ExporterSettings
{
    public const string DefaultUrls = "http://127.0.0.1:9338";

    /// <summary>
    /// The one section that is not NodeHelper's own: ASP.NET Core's logging levels (the README documents it).
    /// Everything else a user writes must be a NodeHelper setting.
    /// </summary>
    private const string LoggingSection = "Logging";

    public required string Urls { get; init; }

    public required ScrapeOptions Scrape { get; init; }

    public required BitcoindOptions Bitcoind { get; init; }

    public required ElectrumOptions Electrum { get; init; }

    public required MempoolOptions Mempool { get; init; }

    public required MariaDbOptions MariaDb { get; init; }

    public required HostViewOptions Host { get; init; }

    public required ServicesOptions Services { get; init; }

    public required ReportOptions Report { get; init; }

    /// <summary>Every documented setting, in the order --help and the README show them.</summary>
    public required IReadOnlyList<SettingInfo> Catalog { get; init; }

    /// <summary>
    /// Reads and checks everything; throws <see cref="SettingsException"/> listing every problem at once. Every key
    /// of <paramref name="configuration"/> (see <see cref="SettingsSources"/>) is checked for typos: the values and
    /// the check come from the same configuration.
    /// </summary>
    public static ExporterSettings Load(IConfiguration configuration)
    {
        var settings = Read(configuration);
        var problems = new List<string>(settings.Errors);
        var written = configuration.AsEnumerable().Where(setting => setting.Value is not null).Select(setting => setting.Key);
        problems.AddRange(FindUnknownKeys(written, settings.Value.Catalog));
        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }

        return settings.Value;
    }

    /// <summary>The catalog alone, with every default: for --help and the README check.</summary>
    public static IReadOnlyList<SettingInfo> DescribeAll() =>
        Read(new ConfigurationBuilder().Build()).Value.Catalog;

    private static (ExporterSettings Value, IReadOnlyList<string> Errors) Read(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        var urls = reader.String("urls", DefaultUrls,
            "Where the exporter listens, e.g. http://0.0.0.0:9338 to serve other hosts (';' separates several).");
        var scrape = ScrapeOptions.Read(reader);
        var value = new ExporterSettings
        {
            Urls = urls,
            Scrape = scrape,
            Bitcoind = BitcoindOptions.Read(reader),
            Electrum = ElectrumOptions.Read(reader),
            Mempool = MempoolOptions.Read(reader),
            MariaDb = MariaDbOptions.Read(reader),
            Host = HostViewOptions.Read(reader),
            Services = ServicesOptions.Read(reader),
            Report = ReportOptions.Read(reader),
            Catalog = reader.Settings,
        };
        return (value, reader.Errors);
    }

    private static IEnumerable<string> FindUnknownKeys(IEnumerable<string> userKeys, IReadOnlyList<SettingInfo> catalog)
    {
        var known = catalog.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ourSections = catalog.Select(s => s.Key.Split(':')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in userKeys)
        {
            var top = key.Split(':')[0];
            if (known.Contains(key) || string.Equals(top, LoggingSection, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // A map takes any child: Host:Paths:electrs.
            if (catalog.Any(s => s.IsMap && key.StartsWith(s.Key + ":", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            // A list written as a JSON array arrives as Key:0, Key:1, ...
            var lastColon = key.LastIndexOf(':');
            if (lastColon > 0 && int.TryParse(key.AsSpan(lastColon + 1), out _) && known.Contains(key[..lastColon]))
            {
                continue;
            }

            if (ourSections.Contains(top))
            {
                var siblings = catalog.Where(s => s.Key.StartsWith(top + ":", StringComparison.OrdinalIgnoreCase))
                    .Select(s => s.Key[(top.Length + 1)..]);
                yield return $"{key}: unknown setting. {top} knows: {string.Join(", ", siblings)}.";
            }
            else
            {
                yield return $"{key}: unknown setting. Known sections: {string.Join(", ", ourSections)}, {LoggingSection}; see --help.";
            }
        }
    }
}
