using System.Globalization;
using System.Text;

namespace NodeHelper.Stack.Servers;

/// <summary>
/// The shipped bundle running for <c>make demo</c>: Debian's Prometheus with the shipped configuration and rules
/// scraping the exporter, Debian's Alertmanager with the shipped routes and template, and an SMTP listener that keeps
/// every mail in a Maildir that outlives the demo. Only addresses differ from the shipped files.
/// </summary>
public sealed class DemoBundle : IAsyncDisposable
{
    private readonly List<ServerProcess> _servers;

    private DemoBundle(List<ServerProcess> servers, DemoBundleOptions options)
    {
        _servers = servers;
        Options = options;
    }

    public DemoBundleOptions Options { get; }

    public Uri PrometheusUrl => new($"http://127.0.0.1:{Options.PrometheusPort.ToString(CultureInfo.InvariantCulture)}/");

    public Uri AlertmanagerUrl => new($"http://127.0.0.1:{Options.AlertmanagerPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>The runbook page this Prometheus serves (prometheus/consoles/), where every alert links.</summary>
    public Uri RunbookUrl => new(PrometheusUrl, "consoles/nodehelper-runbook.html");

    /// <summary>
    /// Prometheus's page of alerts, where this Prometheus has it: /alerts in Prometheus's own builds, /classic/alerts
    /// in Debian 12's 2.42, which ships without the React UI (its /alerts is a 404). Asked, not assumed.
    /// </summary>
    public async Task<Uri> AlertsPageAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var path in new[] { "alerts", "classic/alerts" })
        {
            var page = new Uri(PrometheusUrl, path);
            using var response = await http.GetAsync(page);
            if (response.IsSuccessStatusCode)
            {
                return page;
            }
        }

        throw new InvalidOperationException($"Prometheus at {PrometheusUrl} serves neither /alerts nor /classic/alerts.");
    }

    /// <summary>Starts the listener first, then Alertmanager, then Prometheus: each finds what it sends to already there.</summary>
    public static async Task<DemoBundle> StartAsync(string directory, DemoBundleOptions options)
    {
        // A Maildir's three folders now, so `ls mail/new` works before the first mail (aiosmtpd makes them only for a new directory).
        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Join(options.Maildir, folder));
        }

        var servers = new List<ServerProcess>();
        try
        {
            servers.Add(await RealServers.StartSmtpSinkAsync(Directory.CreateDirectory(Path.Join(directory, "smtp")).FullName, options.SmtpPort, options.Maildir));

            var alertmanager = Path.Join(directory, "alertmanager");
            BundleCopy.Alertmanager(options.Repository, alertmanager, options.SmtpPort);
            servers.Add(await RealServers.StartAlertmanagerAsync(alertmanager, options.AlertmanagerPort));

            var prometheus = Path.Join(directory, "prometheus");
            BundleCopy.Prometheus(options.Repository, prometheus, options.Exporter, options.AlertmanagerPort, options.PrometheusPort);
            servers.Add(await RealServers.StartPrometheusAsync(prometheus, options.PrometheusPort));
            return new DemoBundle(servers, options);
        }
        catch
        {
            await StopAsync(servers);
            throw;
        }
    }

    /// <summary>
    /// The exporter's settings for the daily report: this Prometheus, this listener, to the address the shipped
    /// Alertmanager mails, and scheduled <paramref name="after"/> from now so the newcomer sees one arrive.
    /// </summary>
    public string ReportSettings(string outbox, TimeSpan after)
    {
        var at = DateTime.Now.Add(after).ToString("HH:mm", CultureInfo.InvariantCulture);
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Report__PrometheusUrl='{PrometheusUrl}'")
            .AppendLine("NODEHELPER_Report__To='you@example.org'")
            .AppendLine("NODEHELPER_Report__From='NodeHelper <nodehelper@example.org>'")
            .AppendLine("NODEHELPER_Report__Smtp__Host='127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Report__Smtp__Port='{Options.SmtpPort}'")
            .AppendLine("NODEHELPER_Report__Smtp__Security='none'")
            .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Report__OutboxDirectory='{outbox}'")
            .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Report__Schedule='{at}'")
            .ToString();
    }

    /// <summary>
    /// The status page's sources: this Prometheus and this Alertmanager. Silencing from the page without a password,
    /// because the demo listens on loopback only; a node would use basic auth (README, "Status page").
    /// </summary>
    public string StatusSettings() => new StringBuilder()
        .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Status__PrometheusUrl='{PrometheusUrl}'")
        .AppendLine(CultureInfo.InvariantCulture, $"NODEHELPER_Status__AlertmanagerUrl='{AlertmanagerUrl}'")
        .AppendLine("NODEHELPER_Status__AllowSilences='true'")
        .ToString();

    public async ValueTask DisposeAsync() => await StopAsync(_servers);

    /// <summary>Prometheus first, so it sends nothing more to an Alertmanager that is going.</summary>
    private static async Task StopAsync(List<ServerProcess> servers)
    {
        for (var i = servers.Count - 1; i >= 0; i--)
        {
            await servers[i].DisposeAsync();
        }
    }
}
