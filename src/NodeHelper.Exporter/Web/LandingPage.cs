using System.Net;
using System.Text;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Web;

/// <summary>The page at <c>/</c>: what this is, which collectors run, and where the metrics are.</summary>
internal static class LandingPage
{
    public static string Render(IReadOnlyList<IMetricsCollector> collectors)
    {
        var rows = new StringBuilder();
        foreach (var c in collectors)
        {
            var name = WebUtility.HtmlEncode(c.Name);
            rows.Append(FormattableString.Invariant($"<tr><td><a href=\"metrics?collect[]={Uri.EscapeDataString(c.Name)}\">{name}</a></td><td>{WebUtility.HtmlEncode(c.Description)}</td></tr>\n"));
        }

        if (collectors.Count == 0)
        {
            rows.Append("<tr><td colspan=\"2\">No collector is enabled: set &lt;Section&gt;:Enabled=true.</td></tr>\n");
        }

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>NodeHelper exporter</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #1d232a; }
              h1 { font-size: 1.5rem; } table { border-collapse: collapse; width: 100%; }
              td, th { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde1e6; }
              code { background: #f2f4f7; padding: .1rem .3rem; border-radius: 3px; }
            </style>
            </head>
            <body>
            <h1>NodeHelper exporter</h1>
            <p>One Prometheus exporter for a self-hosted Bitcoin node's stack. Version {{WebUtility.HtmlEncode(ExporterSelfMetrics.Version)}}.</p>
            <p><a href="metrics">Metrics</a>: every collector, read fresh on each scrape.</p>
            <h2>Collectors</h2>
            <table>
            <tr><th>Name</th><th>Watches</th></tr>
            {{rows}}</table>
            <p>Each collector reports <code>nodehelper_scrape_collector_success{collector="…"}</code>; pick some with
            <code>/metrics?collect[]=name</code>. Run <code>nodehelper --help</code> for every setting.</p>
            </body>
            </html>

            """;
    }
}
