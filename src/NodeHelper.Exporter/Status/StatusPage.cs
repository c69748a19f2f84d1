using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using NodeHelper.Report;

namespace NodeHelper.Exporter.Status;

/// <summary>
/// The page at <c>/</c>: the verdict, the alerts, a card per component, the history. Server-rendered and whole without
/// JavaScript (it then reloads itself); with it, a few lines refresh the figures from <c>/api/v1/status</c> in place
/// and reload when the set of cards or alerts changed, never while a silence form is being filled in. Every string
/// that came from an upstream is HTML-encoded, links are relative (a reverse proxy's prefix keeps working), and
/// nothing is loaded from elsewhere: the Content-Security-Policy allows this page's own style and script only.
/// </summary>
internal static class StatusPage
{
    private const string Script = """
        (function () {
          var every = +document.body.dataset.refresh * 1000, shape = document.body.dataset.shape;
          function busy() {
            var a = document.activeElement;
            return (a && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(a.tagName)) || document.querySelector('details.silence[open]');
          }
          function tick() {
            if (busy()) { return; }
            fetch('api/v1/status', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
              .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
              .then(function (s) {
                if (shapeOf(s) !== shape) { location.reload(); return; }
                var v = document.getElementById('verdict');
                v.className = 'verdict v-' + s.verdict.level;
                v.querySelector('h1').textContent = s.verdict.headline;
                s.components.forEach(function (c) {
                  var card = document.getElementById('c-' + c.name);
                  card.className = 'card t-' + c.tone;
                  card.querySelector('.state').textContent = c.state;
                  c.facts.forEach(function (f) {
                    var d = card.querySelector('[data-k="' + CSS.escape(f.key) + '"] dd');
                    d.textContent = f.text; d.className = 't-' + f.tone;
                  });
                });
                document.getElementById('generated').textContent = s.generatedAt.substring(11, 19) + ' UTC';
              })
              .catch(function () { document.getElementById('generated').textContent = 'not refreshed: the exporter did not answer'; });
          }
          function shapeOf(s) {
            return s.verdict.reasons.join('|') + '#' + s.components.map(function (c) {
              return c.name + ':' + c.state + ':' + c.facts.map(function (f) { return f.key; }).join(',');
            }).join(';') + '#' + s.alerts.items.map(function (a) { return a.fingerprint + a.state; }).join(',');
          }
          setInterval(tick, every);
        })();
        """;

    /// <summary>The Content-Security-Policy of the page: its own inline style and this script, by hash; nothing else.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Script)))}'; " +
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>What the refresh script compares with /api/v1/status to decide whether a reload is needed.</summary>
    public static string Shape(StatusDocument s) =>
        string.Join('|', s.Verdict.Reasons) + "#" +
        string.Join(';', s.Components.Select(c => $"{c.Name}:{c.State}:{string.Join(',', c.Facts.Select(f => f.Key))}")) + "#" +
        string.Join(',', s.Alerts.Items.Select(a => a.Fingerprint + a.State));

    public static string Render(StatusDocument s, bool silencesAllowed)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(s.Verdict.Headline)}} · NodeHelper</title>
            <noscript><meta http-equiv="refresh" content="{{Num(s.RefreshSeconds)}}"></noscript>
            <style>
              :root { --good: #15803d; --attention: #b45309; --bad: #b91c1c; --muted: #5b6470; --line: #dde1e6; }
              * { box-sizing: border-box; }
              body { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d232a; background: #f5f6f8; }
              main { max-width: 72rem; margin: 0 auto; padding: .75rem; }
              a { color: #1d4ed8; }
              .verdict { color: #fff; border-radius: 8px; padding: .8rem 1rem; margin-bottom: .75rem; }
              .verdict h1 { margin: 0; font-size: 1.5rem; } .verdict ul { margin: .4rem 0 0; padding-left: 1.2rem; }
              .v-healthy { background: var(--good); } .v-needs_attention { background: var(--attention); }
              .v-problems { background: var(--bad); } .v-cannot_tell { background: #4b5563; }
              .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: .75rem; }
              .card, .panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; border-top: 4px solid var(--line); }
              .panel { margin-bottom: .75rem; }
              .card.t-good { border-top-color: var(--good); } .card.t-attention { border-top-color: var(--attention); } .card.t-bad { border-top-color: var(--bad); }
              h2 { font-size: 1.05rem; margin: 0 0 .35rem; display: flex; justify-content: space-between; gap: .5rem; }
              .state { font-size: .8rem; font-weight: 600; text-transform: uppercase; color: var(--muted); }
              .since, .meta { color: var(--muted); font-size: .85rem; margin: 0 0 .4rem; }
              dl { margin: 0; } dl div { display: flex; justify-content: space-between; gap: .75rem; border-bottom: 1px solid #eef0f3; padding: .18rem 0; }
              dt { color: var(--muted); } dd { margin: 0; text-align: right; overflow-wrap: anywhere; }
              dd.t-good { color: var(--good); } dd.t-attention { color: var(--attention); font-weight: 600; } dd.t-bad { color: var(--bad); font-weight: 600; }
              .card.t-bad h2 .state { color: var(--bad); } .card.t-attention h2 .state { color: var(--attention); }
              .problem { color: var(--bad); overflow-wrap: anywhere; margin: 0 0 .4rem; }
              table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid #eef0f3; vertical-align: top; }
              .sev { font-size: .75rem; font-weight: 700; text-transform: uppercase; padding: .05rem .35rem; border-radius: 4px; color: #fff; background: var(--muted); }
              .sev-critical { background: var(--bad); } .sev-warning { background: var(--attention); }
              .sparks { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .5rem; }
              .spark svg { width: 100%; height: 48px; display: block; }
              form { margin: .3rem 0; } input[type=text] { width: 100%; max-width: 24rem; }
              footer { color: var(--muted); font-size: .85rem; margin: 1rem 0; }
              @media (max-width: 40rem) { .hide-narrow { display: none; } }
            </style>
            </head>
            <body data-refresh="{{Num(s.RefreshSeconds)}}" data-shape="{{E(Shape(s))}}">
            <main>
            <section id="verdict" class="verdict v-{{s.Verdict.Level}}">
            <h1>{{E(s.Verdict.Headline)}}</h1>

            """);
        if (s.Verdict.Reasons.Count > 0)
        {
            html.Append("<ul>");
            foreach (var reason in s.Verdict.Reasons)
            {
                html.Append("<li>").Append(E(reason)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n");
        Alerts(html, s, silencesAllowed);
        html.Append("<div class=\"cards\">\n");
        foreach (var c in s.Components)
        {
            Card(html, c, s.GeneratedAt);
        }

        if (s.Components.Count == 0)
        {
            html.Append("<section class=\"card\"><h2>No collector is enabled</h2><p>Set &lt;Section&gt;:Enabled=true; run <code>nodehelper --help</code> for every setting.</p></section>\n");
        }

        html.Append("</div>\n");
        History(html, s.History);
        html.Append("<details class=\"panel\"><summary>Collectors and their metrics</summary><table>\n");
        foreach (var c in s.Components)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"metrics?collect[]={Uri.EscapeDataString(c.Name)}\">{E(c.Name)}</a></td><td>{E(c.Description)}</td></tr>\n");
        }

        html.Append("</table></details>\n");
        html.Append(CultureInfo.InvariantCulture, $"""
            <footer>NodeHelper {E(s.NodeHelperVersion)} · read <span id="generated">{Formats.Time(s.GeneratedAt)}</span>, refreshes every {Num(s.RefreshSeconds)} s ·
            <a href="metrics">metrics</a> · <a href="api/v1/status">api/v1/status</a></footer>
            </main>
            <script>{Script}</script>
            </body>
            </html>

            """);
        return html.ToString();
    }

    private static void Card(StringBuilder html, ComponentStatus c, DateTimeOffset now)
    {
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"card t-{c.Tone}\" id=\"c-{E(c.Name)}\" data-state=\"{c.State}\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<h2><span>{E(c.Title)}</span><span class=\"state\">{c.State}</span></h2>\n");
        if (c.Since is { } since)
        {
            var what = c.State == "up" ? "Answering" : "Not answering";
            var span = now - since;
            var when = c.SinceFirstReading
                ? $"{what} since NodeHelper's first reading, {(span < TimeSpan.FromMinutes(1) ? "just now" : Formats.Duration(span) + " ago")}"
                : $"{what} since {Formats.Time(since)} ({Formats.Duration(span)})";
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"since\" title=\"{Formats.DateTime(since)}\">{E(when)}</p>\n");
        }

        if (c.Problem is { } problem)
        {
            html.Append("<p class=\"problem\">").Append(E(problem)).Append("</p>\n");
        }

        if (c.Facts.Count > 0)
        {
            html.Append("<dl>\n");
            foreach (var f in c.Facts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div data-k=\"{E(f.Key)}\"><dt>{E(f.Label)}</dt><dd class=\"t-{f.Tone}\">{E(f.Text)}</dd></div>\n");
            }

            html.Append("</dl>\n");
        }

        html.Append("</section>\n");
    }

    private static void Alerts(StringBuilder html, StatusDocument s, bool silencesAllowed)
    {
        var a = s.Alerts;
        html.Append("<section class=\"panel\" id=\"alerts\">\n<h2><span>Alerts</span>");
        html.Append(CultureInfo.InvariantCulture, $"<span class=\"state\">{(a.Source == "none" ? "not connected" : "from " + a.Source)}</span></h2>\n");
        if (a.Hint is { } hint)
        {
            html.Append("<p class=\"meta\">").Append(E(hint)).Append("</p>\n");
        }

        if (a.Problem is { } problem)
        {
            html.Append("<p class=\"problem\">").Append(E(problem)).Append("</p>\n");
        }
        var shown = a.Items.Where(i => i.Name != StatusService.Watchdog).ToList();
        if (a.Problem is null && a.Items.Any(i => i.Name == StatusService.Watchdog))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">The alerting pipeline works: {StatusService.Watchdog} arrives.</p>\n");
        }

        if (a.Problem is null && a.Source != "none" && shown.Count == 0)
        {
            html.Append("<p class=\"meta\">No alert is firing.</p>\n");
        }

        var canSilence = silencesAllowed && a.CanSilence;
        if (shown.Count > 0)
        {
            html.Append("<table>\n<tr><th>Severity</th><th>Alert</th><th class=\"hide-narrow\">For</th></tr>\n");
            foreach (var alert in shown)
            {
                var since = alert.Since is { } t ? Formats.Duration(s.GeneratedAt - t) : "";
                var state = alert.State == "firing" ? "" : $" <span class=\"state\">{E(alert.State)}</span>";
                var runbook = alert.RunbookUrl is { } url ? $" <a href=\"{E(url)}\" rel=\"noreferrer\">runbook</a>" : "";
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr data-alert=\"{E(alert.Name)}\" data-state=\"{E(alert.State)}\"><td><span class=\"sev sev-{E(alert.Severity)}\">{E(alert.Severity)}</span></td>" +
                    $"<td><strong>{E(alert.Name)}</strong>{state}<br>{E(alert.Summary)}{runbook}");
                if (canSilence && alert.State == "firing")
                {
                    html.Append(CultureInfo.InvariantCulture, $"""
                        <details class="silence"><summary>Silence</summary>
                        <form method="post" action="status/silences">
                        <input type="hidden" name="fingerprint" value="{E(alert.Fingerprint)}">
                        <label>For <select name="duration"><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="24h">1 day</option><option value="168h">7 days</option></select></label><br>
                        <label>Why <input type="text" name="comment" required maxlength="500" placeholder="maintenance: moving the disk"></label>
                        <button type="submit">Silence</button></form></details>
                        """);
                }

                html.Append(CultureInfo.InvariantCulture, $"</td><td class=\"hide-narrow\">{since}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (a.Silences.Count > 0)
        {
            html.Append("<h2><span>Silences</span></h2>\n<table>\n");
            foreach (var silence in a.Silences)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr data-silence=\"{E(silence.Id)}\"><td>{E(silence.Matchers)}<br><span class=\"meta\">until {Formats.DateTime(silence.EndsAt)}, by {E(silence.CreatedBy)}: {E(silence.Comment)}</span>");
                if (canSilence)
                {
                    html.Append(CultureInfo.InvariantCulture,
                        $"<form method=\"post\" action=\"status/silences/expire\"><input type=\"hidden\" name=\"id\" value=\"{E(silence.Id)}\"><button type=\"submit\">End this silence</button></form>");
                }

                html.Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        if (a.CanSilence && !silencesAllowed)
        {
            html.Append("<p class=\"meta\">Silencing from this page needs basic auth (basic_auth_users in Web:ConfigFile) or Status:AllowSilences=true.</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void History(StringBuilder html, HistorySection h)
    {
        if (h.Sparklines.Count == 0 && h.Forecasts.Count == 0 && h.Problem is null)
        {
            return;
        }

        html.Append("<section class=\"panel\" id=\"history\">\n<h2><span>The last 24 hours</span></h2>\n");
        if (h.Problem is { } problem)
        {
            html.Append("<p class=\"problem\">").Append(E(problem)).Append("</p>\n");
        }

        html.Append("<div class=\"sparks\">\n");
        foreach (var spark in h.Sparklines)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<div class=\"spark\" data-k=\"{E(spark.Key)}\"><strong>{E(spark.Title)}</strong> {E(spark.Latest)}{SparklineHtml(spark)}<span class=\"meta\">{E(spark.Low)} – {E(spark.High)}</span></div>\n");
        }

        html.Append("</div>\n");
        foreach (var forecast in h.Forecasts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\" data-forecast=\"{E(forecast.Component)}\">Disk of {E(forecast.Component)} ({E(forecast.Path)}): {E(forecast.Text)}</p>\n");
        }

        html.Append("</section>\n");
    }

    /// <summary>The inline SVG of a sparkline; drawn by the history's renderer once it is wired in.</summary>
    private static string SparklineHtml(SparklineItem spark) => Sparklines.Svg(spark);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
