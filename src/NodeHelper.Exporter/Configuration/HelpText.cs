using System.Text;
using NodeHelper.Report;

namespace NodeHelper.Exporter.Configuration;

/// <summary>What <c>nodehelper --help</c> prints: usage, then every setting with its default, from the same declarations the exporter reads.</summary>
internal static class HelpText
{
    public static string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("nodehelper: one Prometheus exporter for a self-hosted Bitcoin node's whole stack.");
        text.AppendLine();
        text.AppendLine("Usage:");
        text.AppendLine("  nodehelper [--Section:Key=value ...]   run the exporter");
        text.AppendLine($"  {ReportCommand.Usage}");
        text.AppendLine("                                         mail the report of the last 24 hours now (Report:),");
        text.AppendLine("                                         or write it to FILE; exit 1 when the mail server refused it");
        text.AppendLine("  nodehelper --check-config [--Section:Key=value ...]");
        text.AppendLine("                                         print the effective settings and where each comes from;");
        text.AppendLine("                                         exit 0 when they are valid, 2 when not");
        text.AppendLine($"  {BundleInstallCommand.Usage}");
        text.AppendLine("                                         copy the rules, runbook page and mail templates beside an");
        text.AppendLine("                                         existing Prometheus/Alertmanager (backing up what differs),");
        text.AppendLine("                                         print the prometheus.yml lines, check with promtool/amtool");
        text.AppendLine("  nodehelper healthcheck [--Section:Key=value ...]");
        text.AppendLine("                                         exit 0 when the exporter at urls answers /-/healthy, 1 when not");
        text.AppendLine("                                         (a container's HEALTHCHECK; over TLS, pinning cert_file, when the");
        text.AppendLine("                                         web configuration file has tls_server_config)");
        text.AppendLine($"  {UpdateFeedCommand.Usage}");
        text.AppendLine("                                         write the version feed (Updates:FeedFile) from each project's");
        text.AppendLine("                                         highest published GitHub release; for cron, not the running exporter");
        text.AppendLine("  nodehelper --help                      this text");
        text.AppendLine("  nodehelper --version                   the version and the git commit it was built from");
        text.AppendLine();
        text.AppendLine("Endpoints: /  (landing page)   /metrics  (all collectors; ?collect[]=bitcoind picks some)   /-/healthy");
        text.AppendLine();
        text.AppendLine("Settings come from appsettings.json next to the binary, then environment variables");
        text.AppendLine("NODEHELPER_Section__Key, then the command line --Section:Key=value (later wins); nowhere else:");
        text.AppendLine("other environment variables (DOTNET_*, ASPNETCORE_*, ASPNETCORE_URLS among them) are ignored.");
        text.AppendLine("An unknown or invalid setting stops the exporter with a message naming it. One flag is not written");
        text.AppendLine("--Section:Key: --web.config.file=PATH, exporter-toolkit's name, sets Web:ConfigFile.");
        text.AppendLine();
        var settings = ExporterSettings.DescribeAll();
        var width = settings.Max(s => s.Key.Length) + 2;
        foreach (var setting in settings)
        {
            text.Append("  ").Append(setting.Key.PadRight(width)).Append("default: ").AppendLine(setting.Default);
            text.Append("  ").Append(new string(' ', width)).AppendLine(setting.Description);
        }

        return text.ToString();
    }
}
