using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// The status page at <c>/</c> and <c>/api/v1/status</c>: where its alerts and history come from, and whether it may
/// silence. Without PrometheusUrl and AlertmanagerUrl the page still shows every component; it says how to connect them.
/// </summary>
internal sealed class StatusOptions
{
    public const string Section = "Status";

    /// <summary>Prometheus, for the alerts (when no Alertmanager is set) and the sparklines; null: neither.</summary>
    public Uri? PrometheusUrl { get; init; }

    /// <summary>Alertmanager, for the alerts and their silences; null: alerts from Prometheus, no silences.</summary>
    public Uri? AlertmanagerUrl { get; init; }

    /// <summary>Prometheus's scrape job of this exporter: the history is of its series.</summary>
    public string Job { get; init; } = "nodehelper";

    /// <summary>This exporter's instance label in Prometheus; empty: every instance of <see cref="Job"/> (a single node).</summary>
    public string Instance { get; init; } = "";

    /// <summary>Silencing from the page without the web configuration's basic auth: only when asked for explicitly.</summary>
    public bool AllowSilences { get; init; }

    public double TimeoutSeconds { get; init; } = 3;

    public double RefreshSeconds { get; init; } = 30;

    public static StatusOptions Read(SettingsReader settings)
    {
        var d = new StatusOptions();
        return new StatusOptions
        {
            PrometheusUrl = settings.OptionalHttpUrl($"{Section}:PrometheusUrl",
                "The Prometheus that scrapes NodeHelper, e.g. http://127.0.0.1:9090/: the status page shows its firing alerts (when Status:AlertmanagerUrl is empty) and 24 hours of history. Empty: neither."),
            AlertmanagerUrl = settings.OptionalHttpUrl($"{Section}:AlertmanagerUrl",
                "The Alertmanager Prometheus sends to, e.g. http://127.0.0.1:9093/: the status page lists its alerts and can silence them (see Status:AllowSilences). Empty: alerts from Status:PrometheusUrl, no silences."),
            Job = settings.String($"{Section}:Job", d.Job, "The scrape job of NodeHelper in Prometheus, whose series the status page's history shows."),
            Instance = settings.String($"{Section}:Instance", d.Instance,
                "This exporter's instance label in Prometheus (e.g. node1:9338), when one Prometheus or Alertmanager watches several nodes: the page shows only its alerts and history. Empty: all of them."),
            AllowSilences = settings.Bool($"{Section}:AllowSilences", d.AllowSilences,
                "Let anyone who can open the page silence alerts. Without it, silencing needs the basic auth of Web:ConfigFile; with neither, the page shows no silence form and refuses one."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 60,
                "How long the status page waits for Alertmanager or Prometheus before it says they did not answer."),
            RefreshSeconds = settings.Seconds($"{Section}:RefreshSeconds", d.RefreshSeconds, 5, 3600, "How often an open status page refreshes itself."),
        };
    }
}
