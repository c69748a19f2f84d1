using System.Globalization;
using NodeHelper.Core.Configuration;
using NodeHelper.Report.Prometheus;

namespace NodeHelper.Report;

/// <summary>
/// <c>nodehelper report</c>: makes the report of the last 24 hours now and mails it (for cron or a systemd timer),
/// or with <c>--dry-run</c> writes it to a file instead. The same settings as the exporter, passed the same way.
/// Exit codes: 0 sent or written, 1 not sent (it waits in the outbox for the next run), 2 a wrong setting.
/// </summary>
internal static class ReportCommand
{
    public const string Usage = "nodehelper report [--dry-run [--out FILE]] [--again] [--Section:Key=value ...]";

    /// <param name="loadSettings">Reads the settings from their arguments as the exporter does (its sources, its typo check), Report: among them.</param>
    public static async Task<int> RunAsync(string[] args, Func<string[], ReportOptions> loadSettings, TextWriter output, TextWriter error, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var dryRun = false;
        var again = false;
        var file = "nodehelper-report.html";
        var settingsArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--again":
                    again = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    file = args[++i];
                    break;
                case "--out":
                    await error.WriteLineAsync("nodehelper report: --out needs a file name.");
                    return 2;
                default:
                    settingsArgs.Add(args[i]);
                    break;
            }
        }

        ReportOptions options;
        try
        {
            options = loadSettings([.. settingsArgs]);
        }
        catch (SettingsException e)
        {
            await error.WriteLineAsync($"nodehelper report: {e.Message}{Environment.NewLine}Run nodehelper --help for every setting.");
            return 2;
        }

        if (!dryRun && !options.CanSend)
        {
            await error.WriteLineAsync("nodehelper report: Report:To, Report:From and Report:Smtp:Host are needed to mail the report; --dry-run --out FILE writes it instead.");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
        var builder = new DailyReportBuilder(new PrometheusApiClient(http, options.PrometheusUrl), options);
        var now = time.GetUtcNow();
        if (dryRun)
        {
            var report = await builder.BuildAsync(now, CancellationToken.None);
            if (report.BuildError is { } failure)
            {
                await error.WriteLineAsync($"nodehelper report: making the report failed, and it says so: {failure}");
            }

            try
            {
                await File.WriteAllTextAsync(file, ReportRenderer.Standalone(report));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"nodehelper report: --out {file} cannot be written: {e.Message}");
                return 2;
            }

            await output.WriteLineAsync($"nodehelper report: {report.Headline}; written to {file} (not sent).");
            return 0;
        }

        var mailer = new ReportMailer(options, builder, new ReportOutbox(PathExpansion.Expand(options.OutboxDirectory)));
        var id = again
            ? "manual-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
            : DailyReportService.DailyId(now, time.LocalTimeZone);
        HealthReport? made;
        try
        {
            made = await mailer.EnqueueAsync(id, now, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"nodehelper report: Report:OutboxDirectory {mailer.Outbox.Directory} cannot be written, so nothing was sent: {e.Message}");
            return 2;
        }

        if (made?.BuildError is { } buildError)
        {
            await error.WriteLineAsync($"nodehelper report: making the report failed, so the mail says so: {buildError}");
        }

        if (made is null && mailer.Outbox.PendingIds().Count == 0)
        {
            await output.WriteLineAsync($"nodehelper report: today's report ({id}) was sent already; --again makes and sends a new one.");
            return 0;
        }

        try
        {
            var sent = await mailer.SendPendingAsync(CancellationToken.None);
            await output.WriteLineAsync($"nodehelper report: sent {string.Join(", ", sent)} to {string.Join(", ", options.To)}.");
            return 0;
        }
        catch (ReportDeliveryException e)
        {
            await error.WriteLineAsync($"nodehelper report: not sent: {e.Message} It waits in {mailer.Outbox.Directory}/pending and goes with the next run.");
            return 1;
        }
        catch (ReportOutboxException e)
        {
            await error.WriteLineAsync($"nodehelper report: {e.Message} (Report:OutboxDirectory)");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"nodehelper report: the outbox {mailer.Outbox.Directory} (Report:OutboxDirectory) cannot be read or written: {e.Message}");
            return 1;
        }
    }
}
