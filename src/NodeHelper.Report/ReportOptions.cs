using System.Globalization;
using MailKit.Security;
using MimeKit;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report;

/// <summary>
/// The daily health report: where its numbers come from (Prometheus), where it goes (SMTP), when (the schedule),
/// and where it waits while the mail server is away (the outbox). A class, not a record: it names a password file.
/// </summary>
internal sealed class ReportOptions
{
    public const string Section = "Report";

    public Uri PrometheusUrl { get; init; } = new("http://127.0.0.1:9090/");

    public string Job { get; init; } = "nodehelper";

    /// <summary>The scrape job of NodeHelper's /probe (prometheus/probe.yml): each of its instances is a probed node. Empty: none.</summary>
    public string ProbeJob { get; init; } = "nodehelper_probe";

    /// <summary>The local time of day the running exporter sends the report; null: no schedule.</summary>
    public TimeOnly? Schedule { get; init; }

    public IReadOnlyList<string> To { get; init; } = [];

    public string From { get; init; } = "";

    public string SmtpHost { get; init; } = "";

    public int SmtpPort { get; init; } = 587;

    public SecureSocketOptions SmtpSecurity { get; init; } = SecureSocketOptions.Auto;

    public string SmtpUser { get; init; } = "";

    public string SmtpPasswordFile { get; init; } = "";

    public bool SmtpTlsVerify { get; init; } = true;

    public string OutboxDirectory { get; init; } = "~/.local/state/nodehelper/reports";

    public double RetrySeconds { get; init; } = 900;

    public double TimeoutSeconds { get; init; } = 30;

    /// <summary>Whether mail can be sent: a recipient, a sender and a server.</summary>
    public bool CanSend => To.Count > 0 && From.Length > 0 && SmtpHost.Length > 0;

    public static ReportOptions Read(SettingsReader settings)
    {
        var d = new ReportOptions();
        var prometheus = settings.HttpUrl($"{Section}:PrometheusUrl", d.PrometheusUrl.ToString(),
            "The Prometheus that scrapes NodeHelper, whose last 24 hours the report summarises.");
        var job = settings.String($"{Section}:Job", d.Job, "The scrape job of NodeHelper in Prometheus; the report covers each of its instances.");
        var probeJob = settings.String($"{Section}:ProbeJob", d.ProbeJob,
            "The scrape job of NodeHelper's /probe (prometheus/probe.yml); the report also covers each node it probes. Empty: no probed nodes.");
        var schedule = ParseSchedule(settings, settings.String($"{Section}:Schedule", "",
            "Local time of day, HH:mm, at which the running exporter mails the report of the last 24 hours (e.g. 07:00). Empty: no scheduled report."));
        var to = settings.StringList($"{Section}:To", d.To, "Recipients of the report, e.g. you@example.org (several: a,b).");
        var from = settings.String($"{Section}:From", d.From, "The sender, e.g. NodeHelper <nodehelper@example.org>.");
        var host = settings.String($"{Section}:Smtp:Host", d.SmtpHost, "The mail server that sends the report.");
        var port = settings.Port($"{Section}:Smtp:Port", d.SmtpPort, "Its port: 587 (submission, STARTTLS), 465 (TLS), 25 (a local MTA).");
        var security = ParseSecurity(settings, settings.String($"{Section}:Smtp:Security", "auto",
            "auto (TLS on port 465, STARTTLS when the server offers it), starttls (required), tls (port 465 style), or none."));
        var options = new ReportOptions
        {
            PrometheusUrl = prometheus,
            Job = job,
            ProbeJob = probeJob.Trim(),
            Schedule = schedule,
            To = to,
            From = from,
            SmtpHost = host,
            SmtpPort = port,
            SmtpSecurity = security,
            SmtpUser = settings.String($"{Section}:Smtp:User", d.SmtpUser, "The login at the mail server; empty: no authentication."),
            SmtpPasswordFile = settings.String($"{Section}:Smtp:PasswordFile", d.SmtpPasswordFile, "File whose first line is the mail server password."),
            SmtpTlsVerify = settings.Bool($"{Section}:Smtp:TlsVerify", d.SmtpTlsVerify,
                "Verify the mail server's certificate; false is allowed only for a loopback server."),
            OutboxDirectory = settings.String($"{Section}:OutboxDirectory", d.OutboxDirectory,
                "Where a report waits until the mail server takes it (pending/), and the last ones sent (sent/). Under systemd: StateDirectory."),
            RetrySeconds = settings.Seconds($"{Section}:RetrySeconds", d.RetrySeconds, 1, 86400,
                "How long the running exporter waits before it offers a report the mail server refused again."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 1, 600,
                "Longest wait for each Prometheus query and for the mail server."),
        };

        if (options.Job.Trim().Length == 0)
        {
            settings.Fail($"{Section}:Job", "is empty; the report needs the job Prometheus scrapes NodeHelper's /metrics under (nodehelper in the shipped prometheus.yml).");
        }
        else if (options.ProbeJob == options.Job)
        {
            settings.Fail($"{Section}:ProbeJob", $"is the same job as Report:Job ('{options.Job}'): /probe is scraped under a job of its own (nodehelper_probe in prometheus/probe.yml).");
        }

        CheckAddresses(settings, options);
        if (options.Schedule is not null && !options.CanSend)
        {
            settings.Fail($"{Section}:Schedule", "needs Report:To, Report:From and Report:Smtp:Host to mail the report.");
        }

        if (options.SmtpPasswordFile.Length > 0 && options.SmtpUser.Length == 0)
        {
            settings.Fail($"{Section}:Smtp:PasswordFile", "is set but Report:Smtp:User is empty.");
        }

        if (options.SmtpPasswordFile.Length > 0 && !File.Exists(PathExpansion.Expand(options.SmtpPasswordFile)))
        {
            settings.Fail($"{Section}:Smtp:PasswordFile", $"'{options.SmtpPasswordFile}' does not exist or cannot be read.");
        }

        if (!options.SmtpTlsVerify && options.SmtpHost.Length > 0 && !Loopback.IsLoopbackHost(options.SmtpHost))
        {
            settings.Fail($"{Section}:Smtp:TlsVerify", $"may be false only for a loopback mail server, not '{options.SmtpHost}'.");
        }

        return options;
    }

    private static TimeOnly? ParseSchedule(SettingsReader settings, string raw)
    {
        if (raw.Trim().Length == 0)
        {
            return null;
        }

        if (TimeOnly.TryParseExact(raw.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }

        settings.Fail($"{Section}:Schedule", $"'{raw}' is not a time of day as HH:mm (for example 07:00).");
        return null;
    }

    private static SecureSocketOptions ParseSecurity(SettingsReader settings, string raw)
    {
        switch (raw.Trim().ToLowerInvariant())
        {
            case "auto":
                return SecureSocketOptions.Auto;
            case "starttls":
                return SecureSocketOptions.StartTls;
            case "tls":
                return SecureSocketOptions.SslOnConnect;
            case "none":
                return SecureSocketOptions.None;
            default:
                settings.Fail($"{Section}:Smtp:Security", $"'{raw}' is not auto, starttls, tls or none.");
                return SecureSocketOptions.Auto;
        }
    }

    /// <summary>A mailbox with a domain: MimeKit alone would take a bare "root", which no mail server outside this machine delivers.</summary>
    private static bool IsAddress(string text) =>
        MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < mailbox.Address.Length - 1;

    private static void CheckAddresses(SettingsReader settings, ReportOptions options)
    {
        foreach (var to in options.To)
        {
            if (!IsAddress(to))
            {
                settings.Fail($"{Section}:To", $"'{to}' is not a mail address.");
            }
        }

        if (options.From.Length > 0 && !IsAddress(options.From))
        {
            settings.Fail($"{Section}:From", $"'{options.From}' is not a mail address.");
        }
    }
}
