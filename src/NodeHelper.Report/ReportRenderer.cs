using System.Net;
using System.Text;
using MimeKit;
using MimeKit.Utils;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report;

/// <summary>
/// Writes a <see cref="HealthReport"/> as a mail: the verdict first, then what happened, then each node's components,
/// alerts and charts. HTML for phones (one column, inline styles, as the alert mail) with a plain-text alternative
/// that says the same; the charts are inline images, so nothing is loaded from anywhere.
/// </summary>
internal static class ReportRenderer
{
    private const string Grey = "#6b7280";

    /// <summary>"[NodeHelper] Healthy: node:9338, 2026-11-23"; of several nodes, which are not healthy: "Problems: vps-b of 3 nodes".</summary>
    public static string Subject(HealthReport report)
    {
        var nodes = report.Nodes.Count switch
        {
            0 => report.Job,
            1 => report.Nodes[0].Name,
            _ => OfSeveral(report),
        };
        return $"[NodeHelper] {report.Headline}: {nodes}, {Formats.Date(report.To)}";
    }

    /// <summary>"3 nodes", or the ones that are not healthy: "vps-b of 3 nodes (vps-a needs attention)".</summary>
    private static string OfSeveral(HealthReport report)
    {
        var problems = Names(report.NodesJudged(Verdict.Problems));
        var attention = report.NodesJudged(Verdict.NeedsAttention);
        var count = $"{report.Nodes.Count} nodes";
        return (problems.Length, attention.Count) switch
        {
            (0, 0) => count,
            (0, _) => $"{Names(attention)} of {count}",
            (_, 0) => $"{problems} of {count}",
            _ => $"{problems} of {count} ({Names(attention)} {(attention.Count == 1 ? "needs" : "need")} attention)",
        };
    }

    /// <summary>At most three names, so a subject stays a subject when a whole fleet is down.</summary>
    private static string Names(IReadOnlyList<NodeSection> nodes) =>
        nodes.Count <= 3 ? string.Join(", ", nodes.Select(n => n.Name)) : $"{string.Join(", ", nodes.Take(3).Select(n => n.Name))} and {nodes.Count - 3} more";

    /// <summary>The mail: text and HTML alternatives, each chart a PNG in the HTML part (multipart/related).</summary>
    public static MimeMessage Compose(HealthReport report, string from, IEnumerable<string> to, string id)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Subject = Subject(report);
        message.Date = report.To;
        // Fixed per report: a copy sent twice (a crash between the server's yes and the outbox's note of it) is one mail to a client that deduplicates.
        message.MessageId = $"{id}.{Fingerprint(report)}@nodehelper";

        var body = new BodyBuilder { TextBody = Text(report) };
        var sources = new Dictionary<ReportChart, string>();
        foreach (var chart in report.Nodes.SelectMany(n => n.Charts))
        {
            var image = body.LinkedResources.Add($"{chart.Id}.png", PngChart.Render(chart.Series, chart.Min, chart.Max), new ContentType("image", "png"));
            image.ContentId = MimeUtils.GenerateMessageId("nodehelper");
            sources[chart] = "cid:" + image.ContentId;
        }

        body.HtmlBody = Html(report, chart => sources[chart]);
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>The HTML alone, with the charts inside it as data: URIs, for --dry-run and a browser.</summary>
    public static string Standalone(HealthReport report) =>
        Html(report, chart => "data:image/png;base64," + Convert.ToBase64String(PngChart.Render(chart.Series, chart.Min, chart.Max)));

    public static string Html(HealthReport report, Func<ReportChart, string> imageSource)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(Subject(report))).Append("</title>\n</head>\n")
            .Append("<body style=\"margin:0;padding:0;background:#f3f4f6;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#111827;\">\n")
            .Append("<div style=\"max-width:640px;margin:0 auto;padding:16px;\">\n")
            .Append(Css.P(13, Grey, "0 0 12px 0")).Append("NodeHelper daily report &middot; ")
            .Append(E($"{Formats.DateTime(report.From)} to {Formats.DateTime(report.To)}")).Append("</p>\n");

        var (banner, bannerText) = VerdictColors(report.Verdict);
        html.Append("<div style=\"background:").Append(banner).Append(";color:").Append(bannerText)
            .Append(";border-radius:8px;padding:16px 18px;margin:0 0 16px 0;\">\n")
            .Append("<p style=\"margin:0;font-size:24px;font-weight:bold;\">").Append(E(report.Headline)).Append("</p>\n")
            .Append("<p style=\"margin:4px 0 0 0;font-size:14px;\">").Append(E(Scope(report))).Append("</p>\n</div>\n");

        html.Append(Css.H2("What happened"));
        if (report.Findings.Count == 0)
        {
            html.Append(Css.P(15, "#111827", "0 0 16px 0")).Append(E(NothingToReport(report))).Append("</p>\n");
        }
        else
        {
            html.Append("<ul style=\"margin:0 0 16px 0;padding:0 0 0 20px;font-size:15px;line-height:1.5;\">\n");
            foreach (var finding in report.Findings)
            {
                html.Append("<li style=\"margin:0 0 6px 0;color:").Append(ToneColor(finding.Tone)).Append(";\"><span style=\"color:#111827;\">")
                    .Append(E(finding.Text)).Append("</span></li>\n");
            }

            html.Append("</ul>\n");
        }

        foreach (var node in report.Nodes)
        {
            html.Append("<h2 style=\"margin:24px 0 8px 0;font-size:20px;\">").Append(E(node.Name)).Append("</h2>\n");
            if (Whereabouts(report, node) is { } whereabouts)
            {
                html.Append(Css.P(13, Grey, "-4px 0 10px 0"));
                if (report.Nodes.Count > 1)
                {
                    html.Append("<span style=\"color:").Append(ToneColor(VerdictTone(node.Verdict))).Append(";font-weight:bold;\">")
                        .Append(E(HealthReport.HeadlineOf(node.Verdict))).Append("</span> &middot; ");
                }

                html.Append(E(whereabouts)).Append("</p>\n");
            }

            foreach (var component in node.Components)
            {
                AppendComponent(html, component);
            }

            AppendAlerts(html, node.Alerts);
            if (node.Charts.Count > 0)
            {
                html.Append(Css.H2("The day in charts"));
                foreach (var chart in node.Charts)
                {
                    AppendChart(html, chart, imageSource(chart));
                }
            }
        }

        html.Append(Css.P(12, Grey, "20px 0 0 0")).Append("From the Prometheus at ").Append(E(report.Prometheus.ToString()))
            .Append(", ").Append(E(Jobs(report))).Append(". This mail is also NodeHelper's heartbeat: if it stops arriving, NodeHelper, ")
            .Append("its Prometheus or this machine has stopped.</p>\n</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string Text(HealthReport report)
    {
        var text = new StringBuilder();
        text.Append("NodeHelper daily report, ").Append(Formats.DateTime(report.From)).Append(" to ").Append(Formats.DateTime(report.To)).Append('\n')
            .Append('\n').Append(report.Headline.ToUpperInvariant()).Append(": ").Append(Scope(report)).Append("\n\n")
            .Append("What happened\n");
        if (report.Findings.Count == 0)
        {
            text.Append("  ").Append(NothingToReport(report)).Append('\n');
        }

        foreach (var finding in report.Findings)
        {
            text.Append("  - ").Append(finding.Text).Append('\n');
        }

        foreach (var node in report.Nodes)
        {
            text.Append('\n').Append(node.Name).Append('\n').Append(new string('=', node.Name.Length)).Append('\n');
            if (Whereabouts(report, node) is { } whereabouts)
            {
                text.Append(report.Nodes.Count > 1 ? $"{HealthReport.HeadlineOf(node.Verdict)}; " : "").Append(whereabouts).Append('\n');
            }

            foreach (var component in node.Components)
            {
                text.Append('\n').Append(component.Title);
                if (Availability(component) is { } availability)
                {
                    text.Append(" (").Append(availability).Append(')');
                }

                text.Append('\n');
                foreach (var fact in component.Facts)
                {
                    text.Append("  ").Append(fact.Label).Append(": ").Append(fact.Value).Append('\n');
                }
            }

            text.Append("\nAlerts\n");
            if (node.Alerts.Count == 0)
            {
                text.Append("  No alert fired.\n");
            }

            foreach (var alert in node.Alerts)
            {
                text.Append("  ").Append(alert.Alert).Append(" (").Append(alert.Severity).Append(')')
                    .Append(alert.Detail.Length > 0 ? $", {alert.Detail}" : "").Append(": ").Append(Formats.Time(alert.Start))
                    .Append(alert.StillFiring ? ", still firing" : $", {Formats.Duration(alert.Duration)}").Append('\n');
            }

            foreach (var chart in node.Charts)
            {
                text.Append('\n').Append(chart.Title).Append(": ").Append(ChartCaption(chart)).Append('\n');
            }
        }

        text.Append("\nFrom the Prometheus at ").Append(report.Prometheus).Append(", ").Append(Jobs(report)).Append(".\n")
            .Append("This mail is also NodeHelper's heartbeat: if it stops arriving, NodeHelper, its Prometheus or this machine has stopped.\n");
        return text.ToString();
    }

    private static void AppendComponent(StringBuilder html, ComponentSection component)
    {
        html.Append("<div style=\"background:#ffffff;border-radius:8px;padding:12px 16px;margin:0 0 10px 0;\">\n")
            .Append("<p style=\"margin:0 0 8px 0;font-size:16px;font-weight:bold;\">").Append(E(component.Title));
        if (Availability(component) is { } availability)
        {
            // Not read now is a problem, however much of the day it was available.
            var tone = component.NotRead ? Tone.Bad : component.Availability >= 1 ? Tone.Good : component.Availability >= 0.99 ? Tone.Attention : Tone.Bad;
            html.Append(" <span style=\"font-size:13px;font-weight:normal;color:").Append(ToneColor(tone)).Append(";\">")
                .Append(E(availability)).Append("</span>");
        }

        html.Append("</p>\n<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;font-size:14px;line-height:1.4;\">\n");
        foreach (var fact in component.Facts)
        {
            html.Append("<tr><td style=\"padding:3px 8px 3px 0;color:").Append(Grey).Append(";vertical-align:top;width:40%;\">").Append(E(fact.Label))
                .Append("</td><td style=\"padding:3px 0;vertical-align:top;color:").Append(fact.Tone is Tone.Attention or Tone.Bad ? ToneColor(fact.Tone) : "#111827")
                .Append(";\">").Append(E(fact.Value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n</div>\n");
    }

    /// <summary>"99.72% available", and whether it is read now when it is not: beside a card's title.</summary>
    private static string? Availability(ComponentSection component) =>
        (component.Availability, component.NotRead) switch
        {
            ({ } availability, true) => $"{Formats.Percent(availability)} available, not read now",
            ({ } availability, false) => $"{Formats.Percent(availability)} available",
            (null, true) => "not read now",
            _ => null,
        };

    private static void AppendAlerts(StringBuilder html, IReadOnlyList<AlertEpisode> alerts)
    {
        html.Append(Css.H2("Alerts"));
        if (alerts.Count == 0)
        {
            html.Append(Css.P(15, "#111827", "0 0 12px 0")).Append("No alert fired.</p>\n");
            return;
        }

        html.Append("<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;background:#ffffff;border-radius:8px;font-size:14px;margin:0 0 12px 0;\">\n");
        foreach (var alert in alerts)
        {
            var tone = alert.Severity switch { "critical" => Tone.Bad, "warning" => Tone.Attention, _ => Tone.Neutral };
            html.Append("<tr><td style=\"padding:8px 12px;border-left:4px solid ").Append(ToneColor(tone)).Append(";\">")
                .Append("<span style=\"font-weight:bold;\">").Append(E(alert.Alert)).Append("</span> <span style=\"color:").Append(Grey).Append(";\">")
                .Append(E(alert.Severity)).Append(alert.Detail.Length > 0 ? E($", {alert.Detail}") : "").Append("</span><br>")
                .Append(E(Formats.Time(alert.Start))).Append(alert.StillFiring ? ", still firing" : E($", {Formats.Duration(alert.Duration)}"))
                .Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendChart(StringBuilder html, ReportChart chart, string source)
    {
        html.Append("<div style=\"background:#ffffff;border-radius:8px;padding:12px 16px;margin:0 0 10px 0;\">\n")
            .Append("<p style=\"margin:0 0 6px 0;font-size:15px;font-weight:bold;\">").Append(E(chart.Title)).Append("</p>\n")
            .Append("<img src=\"").Append(WebUtility.HtmlEncode(source)).Append("\" width=\"560\" alt=\"").Append(E($"{chart.Title}: {ChartCaption(chart)}"))
            .Append("\" style=\"display:block;width:100%;max-width:560px;height:auto;\">\n")
            .Append(Css.P(13, Grey, "6px 0 0 0"));
        for (var i = 0; i < chart.Series.Count; i++)
        {
            var (r, g, b) = PngChart.Palette[i % PngChart.Palette.Length];
            html.Append("<span style=\"color:#").Append($"{r:x2}{g:x2}{b:x2}").Append(";\">&#9632;</span> ")
                .Append(E(SeriesCaption(chart, chart.Series[i]))).Append("<br>");
        }

        html.Append("24 hours ago on the left, now on the right.</p>\n</div>\n");
    }

    /// <summary>"All day" only when Prometheus watched all day.</summary>
    private static string NothingToReport(HealthReport report) =>
        report.Watched >= DailyReportBuilder.Window - TimeSpan.FromMinutes(30)
            ? "Nothing to report: every component answered all day and no alert fired."
            : $"Nothing to report: every component answered and no alert fired in the {Formats.Duration(report.Watched)} Prometheus has watched.";

    private static string ChartCaption(ReportChart chart) => string.Join("; ", chart.Series.Select(s => SeriesCaption(chart, s)));

    private static string SeriesCaption(ReportChart chart, ChartSeries series)
    {
        var values = series.Points.Select(p => p.Value).Where(double.IsFinite).ToList();
        // A chart of one series is named by its title ("Age of bitcoind's tip: now 4 min"), not twice.
        var name = series.Name.Length > 0 ? $"{series.Name}: " : "";
        if (values.Count == 0)
        {
            return $"{name}no data";
        }

        var last = series.Points.LastOrDefault(p => double.IsFinite(p.Value)).Value;
        var gaps = series.Points.Any(p => !double.IsFinite(p.Value)) ? " (no data for part of the day)" : "";
        // A series that stopped (bitcoind down at the end of the day) has no "now": its last value is older.
        var latest = double.IsFinite(series.Points[^1].Value) ? $"now {chart.Format(last)}" : $"no data now (last {chart.Format(last)})";
        return $"{name}{latest}, lowest {chart.Format(values.Min())}, highest {chart.Format(values.Max())}{gaps}";
    }

    private static string Scope(HealthReport report)
    {
        if (report.Nodes.Count <= 1)
        {
            return report.Nodes.Count == 0 ? $"job {report.Job}, no node reported" : $"{report.Nodes[0].Name}, the last 24 hours";
        }

        var scope = report.Nodes.Any(n => n.Probed)
            ? $"{report.Nodes.Count} nodes of jobs {report.Job} and {report.ProbeJob}, the last 24 hours"
            : $"{report.Nodes.Count} nodes of job {report.Job}, the last 24 hours";
        var problems = report.NodesJudged(Verdict.Problems);
        var attention = report.NodesJudged(Verdict.NeedsAttention);
        return scope + (problems.Count > 0 ? $"; problems: {string.Join(", ", problems.Select(n => n.Name))}" : "")
                     + (attention.Count > 0 ? $"; needs attention: {string.Join(", ", attention.Select(n => n.Name))}" : "");
    }

    /// <summary>
    /// Where a node's numbers come from, when that is more than its name says: its job and instance in a report of
    /// several nodes (a probed node's are the /probe job's), or the instance a <c>node</c> label renamed.
    /// </summary>
    private static string? Whereabouts(HealthReport report, NodeSection node) =>
        report.Nodes.Count == 1 && node.Name == node.Instance ? null
        : node.Probed ? $"probed by NodeHelper (job {node.Job}, instance {node.Instance})"
        : $"job {node.Job}, instance {node.Instance}";

    private static string Jobs(HealthReport report) =>
        report.Nodes.Any(n => n.Probed) ? $"jobs {report.Job} and {report.ProbeJob}" : $"job {report.Job}";

    private static Tone VerdictTone(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => Tone.Good,
        Verdict.NeedsAttention => Tone.Attention,
        Verdict.Problems => Tone.Bad,
        _ => Tone.Neutral,
    };

    private static (string Background, string Text) VerdictColors(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => ("#15803d", "#ffffff"),
        Verdict.NeedsAttention => ("#b45309", "#ffffff"),
        Verdict.Problems => ("#b91c1c", "#ffffff"),
        _ => ("#111827", "#ffffff"),
    };

    private static string ToneColor(Tone tone) => tone switch
    {
        Tone.Good => "#15803d",
        Tone.Attention => "#b45309",
        Tone.Bad => "#b91c1c",
        _ => Grey,
    };

    /// <summary>A short stable hash of the report's window and verdict, so each report has its own Message-ID.</summary>
    private static string Fingerprint(HealthReport report) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{report.From:O}|{report.To:O}|{report.Job}")))[..12];

    /// <summary>HTML-escapes text that came from Prometheus (labels, versions) or was built from it.</summary>
    private static string E(string text) => WebUtility.HtmlEncode(UpstreamException.Clip(text, 500));

    private static class Css
    {
        public static string P(int size, string color, string margin) =>
            $"<p style=\"margin:{margin};font-size:{size}px;line-height:1.5;color:{color};\">";

        public static string H2(string title) =>
            $"<h3 style=\"margin:16px 0 8px 0;font-size:16px;color:#374151;\">{E(title)}</h3>\n";
    }
}
