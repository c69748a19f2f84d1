using System.Text;
using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Configuration;

/// <summary>
/// <c>nodehelper --check-config</c>, as <c>promtool check config</c> and blackbox_exporter's <c>--config.check</c>:
/// reads the settings exactly as the exporter would, prints every effective setting with the source it came from
/// (secrets masked), and exits 0 when they are valid, 2 with every problem named when they are not. Starts nothing.
/// </summary>
internal static class ConfigCheck
{
    public const string Flag = "--check-config";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        IConfigurationRoot configuration;
        ExporterSettings settings;
        try
        {
            configuration = SettingsSources.Build(args);
            settings = ExporterSettings.Load(configuration);
        }
        catch (SettingsException e)
        {
            error.WriteLine($"nodehelper: {e.Message}");
            error.WriteLine("nodehelper: the settings are not valid; run nodehelper --help for every setting.");
            return 2;
        }

        output.Write(Render(settings, configuration));
        return 0;
    }

    /// <summary>Every setting, its effective value and where that value came from.</summary>
    public static string Render(ExporterSettings settings, IConfigurationRoot configuration)
    {
        var rows = new List<(string Key, string Value, string Source)>();
        foreach (var setting in settings.Catalog)
        {
            if (setting.IsMap)
            {
                var children = configuration.GetSection(setting.Key).GetChildren().ToList();
                if (children.Count == 0)
                {
                    rows.Add((setting.Key, setting.Default, "default"));
                }

                rows.AddRange(children.Select(child => ($"{setting.Key}:{child.Key}", child.Value ?? "", SettingsSources.SourceOf(configuration, child.Path))));
                continue;
            }

            if (setting.TemplateParent is { } parent)
            {
                // A setting of every named sub-section: one row per name written (Backups:Items:lnd:Path, ...).
                var names = configuration.GetSection(parent).GetChildren().Select(c => c.Key).ToList();
                if (names.Count == 0)
                {
                    rows.Add((setting.Key, setting.Default, "default"));
                }

                foreach (var key in names.Select(setting.For))
                {
                    rows.Add(configuration[key] is { } written ? (key, written, SettingsSources.SourceOf(configuration, key)) : (key, setting.Default, "default"));
                }

                continue;
            }

            var raw = configuration[setting.Key]
                      ?? (configuration.GetSection(setting.Key).GetChildren().Select(c => c.Value).ToList() is { Count: > 0 } items
                          ? string.Join(',', items)
                          : null);
            var source = raw is null ? "default" : SettingsSources.SourceOf(configuration, setting.Key);
            var value = setting.IsSecret
                ? (string.IsNullOrEmpty(raw) ? "(none)" : "(set, not shown)")
                : raw is null ? setting.Default : setting.Redact?.Invoke(raw) ?? raw;
            rows.Add((setting.Key, value.Length == 0 ? "(empty)" : value, source));
        }

        var keyWidth = rows.Max(r => r.Key.Length) + 2;
        var valueWidth = Math.Min(rows.Max(r => r.Value.Length), 48) + 2;
        var text = new StringBuilder();
        text.AppendLine("nodehelper: the settings are valid. Effective settings, and where each comes from:");
        foreach (var (key, value, source) in rows)
        {
            text.Append("  ").Append(key.PadRight(keyWidth)).Append(value.PadRight(valueWidth)).Append('(').Append(source).AppendLine(")");
        }

        foreach (var variable in SettingsSources.IgnoredVariablesSet())
        {
            text.AppendLine($"Note: {variable} is set in the environment and ignored; NodeHelper listens where urls says ({settings.Urls}).");
        }

        return text.ToString();
    }
}
