using System.Globalization;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Probe;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Upstreams.Backups;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Exporter.Upstreams.Updates;
using NodeHelper.Exporter.Web;
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

    /// <summary>The web configuration file (TLS, basic auth, headers), or null when none is given.</summary>
    public required WebConfig? Web { get; init; }

    public required ScrapeOptions Scrape { get; init; }

    public required BitcoindOptions Bitcoind { get; init; }

    public required ElectrumOptions Electrum { get; init; }

    public required MempoolOptions Mempool { get; init; }

    public required MariaDbOptions MariaDb { get; init; }

    public required LndOptions Lnd { get; init; }

    public required HostViewOptions Host { get; init; }

    public required ServicesOptions Services { get; init; }

    public required PostureOptions Posture { get; init; }

    public required UpdatesOptions Updates { get; init; }

    public required BackupsOptions Backups { get; init; }

    public required ReportOptions Report { get; init; }

    public required StatusOptions Status { get; init; }

    public required ProbeOptions Probe { get; init; }

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
        var written = configuration.AsEnumerable().Where(setting => setting.Value is not null);
        problems.AddRange(FindUnknownKeys(written, settings.Value.Catalog));
        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }

        return settings.Value;
    }

    private static readonly string[] LevelNames = Enum.GetNames<LogLevel>();

    /// <summary>
    /// Each address of <c>urls</c> as Kestrel would read it, checked before Kestrel does: plain http, an IP address
    /// (or localhost, or * and + for every interface), a port written out, no path; or http://unix:/absolute/path.
    /// Kestrel would fail on the others only when it starts listening, with a stack trace, or worse, accept them: it
    /// reads "127.0.0.1:93a8" as a host name on port 80 and listens on every interface for any host name. (An address
    /// is written http:// even when it serves TLS: tls_server_config in Web:ConfigFile puts TLS on every address, as
    /// exporter-toolkit's does on its --web.listen-address.)
    /// </summary>
    /// <returns>The addresses, trimmed, as Kestrel is given them.</returns>
    private static string CheckUrls(SettingsReader reader, string urls)
    {
        var addresses = urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (addresses.Length == 0)
        {
            reader.Fail("urls", "is empty; give at least one address such as http://127.0.0.1:9338.");
        }

        foreach (var address in addresses)
        {
            if (AddressProblem(address) is { } problem)
            {
                reader.Fail("urls", $"'{address}' {problem}");
            }
        }

        return string.Join(';', addresses);
    }

    private static string? AddressProblem(string address)
    {
        const string Example = "such as http://127.0.0.1:9338";
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return $"is not an address {Example}.";
        }

        if (!string.Equals(address[..schemeEnd], "http", StringComparison.OrdinalIgnoreCase))
        {
            return $"is not written http://: for TLS, give {WebConfig.Key} a file with tls_server_config (every address then serves TLS), or put a reverse proxy in front.";
        }

        var rest = address[(schemeEnd + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return rest.Length > 6 && rest[5] == '/' ? null : "names no socket; write http://unix:/run/nodehelper/nodehelper.sock.";
        }

        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        if (slash >= 0 && slash < rest.Length - 1)
        {
            return $"has a path ({rest[slash..]}); NodeHelper serves at the root of its address.";
        }

        // host:port, or [v6]:port.
        var colon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (colon <= 0)
        {
            return $"has no port; write one, {Example}.";
        }

        var host = authority[..colon].Trim('[', ']');
        if (!int.TryParse(authority.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return $"has no valid port ('{authority[(colon + 1)..]}'), {Example}.";
        }

        return host is "localhost" or "*" or "+" || System.Net.IPAddress.TryParse(host, out _)
            ? null
            : $"has a host name ({host}): Kestrel would listen on every interface for it. Write an IP address of this machine, localhost, or 0.0.0.0 for every interface.";
    }

    /// <summary>The catalog alone, with every default: for --help and the README check.</summary>
    public static IReadOnlyList<SettingInfo> DescribeAll() =>
        Read(new ConfigurationBuilder().Build()).Value.Catalog;

    private static (ExporterSettings Value, IReadOnlyList<string> Errors) Read(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        var urls = reader.String("urls", DefaultUrls,
            "Where the exporter listens, e.g. http://0.0.0.0:9338 to serve other hosts (';' separates several): written http://, an IP address or localhost, a port. Every address serves TLS when Web:ConfigFile has tls_server_config; otherwise TLS belongs to a reverse proxy.");
        var web = WebConfig.Read(reader);
        var scrape = ScrapeOptions.Read(reader);
        var value = new ExporterSettings
        {
            Urls = CheckUrls(reader, urls),
            Web = web,
            Scrape = scrape,
            Bitcoind = BitcoindOptions.Read(reader),
            Electrum = ElectrumOptions.Read(reader),
            Mempool = MempoolOptions.Read(reader),
            MariaDb = MariaDbOptions.Read(reader),
            Lnd = LndOptions.Read(reader),
            Host = HostViewOptions.Read(reader),
            Services = ServicesOptions.Read(reader),
            Posture = PostureOptions.Read(reader),
            Updates = UpdatesOptions.Read(reader),
            Backups = BackupsOptions.Read(reader),
            Report = ReportOptions.Read(reader),
            Status = StatusOptions.Read(reader),
            Probe = ProbeOptions.Read(reader),
            Catalog = reader.Settings,
        };
        return (value, reader.Errors);
    }

    /// <summary>
    /// Of ASP.NET Core's Logging section, NodeHelper takes the levels only: Logging:LogLevel:&lt;category&gt; and
    /// Logging:Console:LogLevel:&lt;category&gt;, as the README says. The console's format is NodeHelper's (one line,
    /// UTC); other keys there are not documented settings, so they are refused like any unknown key. A level is read
    /// as the host reads it, a name in any case or its number, empty for not set; the host would throw on any other.
    /// </summary>
    private static string? LoggingProblem(string key, string value)
    {
        var parts = key.Split(':');
        var levelAt = parts.Length switch
        {
            3 => 1,
            4 when string.Equals(parts[1], "Console", StringComparison.OrdinalIgnoreCase) => 2,
            _ => -1,
        };
        if (levelAt < 0 || !string.Equals(parts[levelAt], "LogLevel", StringComparison.OrdinalIgnoreCase))
        {
            return $"{key}: unknown setting. Logging knows LogLevel:<category> and Console:LogLevel:<category>.";
        }

        var level = value.Trim();
        return level.Length == 0 || LevelNames.Contains(level, StringComparer.OrdinalIgnoreCase)
               || (int.TryParse(level, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && Enum.IsDefined((LogLevel)number))
            ? null
            : $"{key}: '{value}' is not a log level; use one of {string.Join(", ", LevelNames)}.";
    }

    private static IEnumerable<string> FindUnknownKeys(IEnumerable<KeyValuePair<string, string?>> written, IReadOnlyList<SettingInfo> catalog)
    {
        var known = catalog.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ourSections = catalog.Select(s => s.Key.Split(':')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in written)
        {
            var top = key.Split(':')[0];
            if (known.Contains(key))
            {
                continue;
            }

            if (string.Equals(top, LoggingSection, StringComparison.OrdinalIgnoreCase))
            {
                if (LoggingProblem(key, value ?? "") is { } problem)
                {
                    yield return problem;
                }

                continue;
            }

            // A map takes any child: Host:Paths:electrs; a named sub-section's setting any name: Backups:Items:lnd:Path.
            if (catalog.Any(s => (s.IsMap && key.StartsWith(s.Key + ":", StringComparison.OrdinalIgnoreCase)) || (s.IsTemplate && s.Matches(key))))
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
