using System.Diagnostics;
using System.Globalization;

namespace NodeHelper.Exporter;

/// <summary>
/// <c>nodehelper bundle install</c>: puts the alerting bundle beside an existing Prometheus and Alertmanager (Debian's
/// layout by default: both read /etc/prometheus): the rules, the runbook page, the mail templates, and an
/// alertmanager.yml only where there is none. A file of the operator's that differs is first copied to
/// FILE.bak-TIMESTAMP; an existing alertmanager.yml is never replaced (the bundle's goes beside it to merge). Then it
/// prints the lines prometheus.yml needs and checks the result with promtool and amtool when they are installed.
/// </summary>
internal static class BundleInstallCommand
{
    public const string Usage = "nodehelper bundle install [--prometheus-dir DIR] [--alertmanager-dir DIR] [--bundle-dir DIR]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (Parse(args) is not { } options)
        {
            await error.WriteLineAsync($"usage: {Usage}");
            await error.WriteLineAsync("  --prometheus-dir    where prometheus.yml is (default /etc/prometheus)");
            await error.WriteLineAsync("  --alertmanager-dir  where alertmanager.yml is (default /etc/prometheus, as Debian's Alertmanager)");
            await error.WriteLineAsync("  --bundle-dir        the bundle (default: share/nodehelper beside the binary's bin/, /usr/share/nodehelper for the package)");
            return 2;
        }

        var (prometheusDir, alertmanagerDir, bundleDir) = options;
        var rules = Path.Join(bundleDir, "prometheus", "rules");
        if (!Directory.Exists(rules))
        {
            await error.WriteLineAsync($"nodehelper bundle install: no bundle at {bundleDir} (no prometheus/rules/ there); give --bundle-dir");
            return 2;
        }

        if (!File.Exists(Path.Join(prometheusDir, "prometheus.yml")))
        {
            await error.WriteLineAsync($"nodehelper bundle install: no prometheus.yml in {prometheusDir}; give --prometheus-dir");
            return 2;
        }

        var stamp = DateTime.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var installed = new List<string>();
        try
        {
            foreach (var file in Directory.GetFiles(rules, "nodehelper-*.yml").Order(StringComparer.Ordinal))
            {
                installed.Add(await PlaceAsync(file, Path.Join(prometheusDir, "rules", Path.GetFileName(file)), stamp, output));
            }

            await PlaceAsync(Path.Join(bundleDir, "prometheus", "consoles", "nodehelper-runbook.html"),
                Path.Join(prometheusDir, "consoles", "nodehelper-runbook.html"), stamp, output);
            foreach (var file in Directory.GetFiles(Path.Join(bundleDir, "alertmanager", "templates"), "nodehelper*.tmpl").Order(StringComparer.Ordinal))
            {
                await PlaceAsync(file, Path.Join(alertmanagerDir, "templates", Path.GetFileName(file)), stamp, output);
            }

            var alertmanagerYml = Path.Join(alertmanagerDir, "alertmanager.yml");
            if (File.Exists(alertmanagerYml))
            {
                var beside = alertmanagerYml + ".nodehelper";
                await PlaceAsync(Path.Join(bundleDir, "alertmanager", "alertmanager.yml"), beside, stamp, output);
                await output.WriteLineAsync($"kept     {alertmanagerYml} (yours): merge route, inhibit_rules, receivers and templates from {beside}");
            }
            else
            {
                await PlaceAsync(Path.Join(bundleDir, "alertmanager", "alertmanager.yml"), alertmanagerYml, stamp, output);
                await output.WriteLineAsync($"         edit the four lines marked SET in {alertmanagerYml}: mail server, sender, login, recipient");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"nodehelper bundle install: {e.Message} (run it with sudo for /etc/prometheus)");
            return 1;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync($"Add to {Path.Join(prometheusDir, "prometheus.yml")} (the bundle's prometheus/prometheus.yml has it all):");
        await output.WriteLineAsync("""
            rule_files:
              - rules/nodehelper-*.yml
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["127.0.0.1:9093"]
            scrape_configs:
              - job_name: nodehelper   # keep the name: NodeHelperTargetDown looks for it
                static_configs:
                  - targets: ["127.0.0.1:9338"]
            """);
        await output.WriteLineAsync("Then: promtool check config prometheus.yml, and reload Prometheus and Alertmanager.");
        await output.WriteLineAsync();

        var ok = await CheckAsync("promtool", ["check", "rules", .. installed], output);
        ok &= await CheckAsync("amtool", ["check-config", Path.Join(alertmanagerDir, "alertmanager.yml")], output);
        return ok ? 0 : 1;
    }

    private static (string Prometheus, string Alertmanager, string Bundle)? Parse(string[] args)
    {
        var values = new Dictionary<string, string>
        {
            ["--prometheus-dir"] = "/etc/prometheus",
            ["--alertmanager-dir"] = "/etc/prometheus",
            ["--bundle-dir"] = Path.GetFullPath(Path.Join(AppContext.BaseDirectory, "..", "share", "nodehelper")),
        };
        for (var i = 0; i < args.Length; i++)
        {
            var (key, value) = args[i].Split('=', 2) is [var k, var v] ? (k, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            if (!values.ContainsKey(key) || string.IsNullOrEmpty(value))
            {
                return null;
            }

            values[key] = value;
        }

        return (values["--prometheus-dir"], values["--alertmanager-dir"], values["--bundle-dir"]);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>, keeping a differing target as target.bak-STAMP first.</summary>
    private static async Task<string> PlaceAsync(string source, string target, string stamp, TextWriter output)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            var (mine, theirs) = (await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(target));
            if (mine.AsSpan().SequenceEqual(theirs))
            {
                await output.WriteLineAsync($"same     {target}");
                return target;
            }

            var backup = $"{target}.bak-{stamp}";
            File.Copy(target, backup, overwrite: false);
            await output.WriteLineAsync($"backup   {backup}");
        }

        File.Copy(source, target, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        await output.WriteLineAsync($"wrote    {target}");
        return target;
    }

    /// <summary>Runs a checker if it is on PATH; false only when it ran and found a problem.</summary>
    private static async Task<bool> CheckAsync(string program, string[] arguments, TextWriter output)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            await output.WriteLineAsync($"{program} is not installed: not checked");
            return true;
        }

        using (process)
        {
            if (process is null)
            {
                return true;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await output.WriteLineAsync($"{program} {arguments[0]}: {(process.ExitCode == 0 ? "passed" : "FAILED")}");
            if (process.ExitCode != 0)
            {
                await output.WriteAsync(await stdout + await stderr);
            }

            return process.ExitCode == 0;
        }
    }
}
