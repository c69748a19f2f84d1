namespace NodeHelper.Stack.Servers;

/// <summary>
/// Working copies of the shipped Prometheus and Alertmanager files, pointed at programs on loopback, for the demo and
/// the end-to-end tests. Only addresses change (and whatever a caller's edit changes): the rules, routes,
/// inhibitions and templates are the shipped ones. Every edit names a line that must be there, so a shipped file
/// that changed fails here, with the line, not later in a puzzling way.
/// </summary>
public static class BundleCopy
{
    /// <summary>
    /// <c>prometheus.yml</c>, <c>rules/</c> and <c>consoles/</c> (the runbook page) from <paramref name="repository"/>'s <c>prometheus/</c> into
    /// <paramref name="directory"/>, scraping the exporter at <paramref name="exporter"/> (host:port) and alerting
    /// the Alertmanager on <paramref name="alertmanagerPort"/>; with <paramref name="selfPort"/> it scrapes itself there.
    /// </summary>
    public static void Prometheus(string repository, string directory, string exporter, int alertmanagerPort, int? selfPort = null,
        Func<string, string>? editConfig = null, Func<string, string>? editRules = null)
    {
        var config = File.ReadAllText(Path.Join(repository, "prometheus", "prometheus.yml"));
        config = Replace(config, "targets: [\"127.0.0.1:9338\"]", $"targets: [\"{exporter}\"]");
        config = Replace(config, "targets: [\"127.0.0.1:9093\"]", $"targets: [\"127.0.0.1:{alertmanagerPort}\"]");
        if (selfPort is { } self)
        {
            config = Replace(config, "targets: [\"127.0.0.1:9090\"]", $"targets: [\"127.0.0.1:{self}\"]");
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, "prometheus.yml"), editConfig is null ? config : editConfig(config));
        var rules = Directory.CreateDirectory(Path.Join(directory, "rules")).FullName;
        foreach (var file in Directory.GetFiles(Path.Join(repository, "prometheus", "rules"), "*.yml"))
        {
            var text = File.ReadAllText(file);
            File.WriteAllText(Path.Join(rules, Path.GetFileName(file)), editRules is null ? text : editRules(text));
        }

        var consoles = Directory.CreateDirectory(Path.Join(directory, "consoles")).FullName;
        foreach (var file in Directory.GetFiles(Path.Join(repository, "prometheus", "consoles")))
        {
            File.Copy(file, Path.Join(consoles, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>
    /// <c>alertmanager.yml</c> and <c>templates/</c> from <paramref name="repository"/>'s <c>alertmanager/</c> into
    /// <paramref name="directory"/>, delivering mail to an SMTP listener on <paramref name="smtpPort"/> of loopback,
    /// without TLS or a login (nothing leaves the machine).
    /// </summary>
    public static void Alertmanager(string repository, string directory, int smtpPort, Func<string, string>? editConfig = null)
    {
        var config = File.ReadAllText(Path.Join(repository, "alertmanager", "alertmanager.yml"));
        config = Replace(config, "smtp_smarthost: \"smtp.example.org:587\"", $"smtp_smarthost: \"127.0.0.1:{smtpPort}\"");
        config = Replace(config, "smtp_require_tls: true", "smtp_require_tls: false");
        config = Replace(config, "  smtp_auth_username: \"nodehelper@example.org\"\n", "");
        config = Replace(config, "  smtp_auth_password_file: \"/etc/prometheus/alertmanager-smtp-password\"\n", "");

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, "alertmanager.yml"), editConfig is null ? config : editConfig(config));
        var templates = Directory.CreateDirectory(Path.Join(directory, "templates")).FullName;
        foreach (var template in Directory.GetFiles(Path.Join(repository, "alertmanager", "templates")))
        {
            File.Copy(template, Path.Join(templates, Path.GetFileName(template)), overwrite: true);
        }
    }

    /// <summary>Replaces a line that must be in the shipped file.</summary>
    public static string Replace(string text, string what, string with) =>
        text.Contains(what, StringComparison.Ordinal)
            ? text.Replace(what, with, StringComparison.Ordinal)
            : throw new InvalidOperationException($"The shipped file no longer contains `{what.TrimEnd()}`, which its working copy edits.");
}
