using System.Globalization;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Report;

/// <summary>
/// The running exporter's daily report (Report:Schedule): at the scheduled local time it makes the report of the
/// 24 hours before and mails it; while the mail server refuses, it offers the report again every Report:RetrySeconds.
/// A report left pending by a stop goes out when the exporter starts again, and a day's report is made only once.
/// </summary>
internal sealed partial class DailyReportService(ReportOptions options, ReportMailer mailer, TimeProvider time, ILogger<DailyReportService> logger)
    : BackgroundService
{
    private readonly string _recipients = string.Join(", ", options.To);

    /// <summary>The first scheduled time strictly after <paramref name="now"/>, in <paramref name="zone"/>'s local time; a time skipped by a DST change moves forward.</summary>
    public static DateTimeOffset NextRun(DateTimeOffset now, TimeOnly at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var candidate = local.Date + at.ToTimeSpan();
        while (true)
        {
            var wall = candidate;
            while (zone.IsInvalidTime(wall))
            {
                wall = wall.AddMinutes(30);
            }

            var utc = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, zone), TimeSpan.Zero);
            if (utc > now)
            {
                return utc;
            }

            candidate = candidate.AddDays(1);
        }
    }

    /// <summary>The id of the report for the day a scheduled run falls on: one per local date.</summary>
    public static string DailyId(DateTimeOffset run, TimeZoneInfo zone) =>
        "daily-" + TimeZoneInfo.ConvertTime(run, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var at = options.Schedule!.Value;
        var zone = time.LocalTimeZone.Id;
        var atText = at.ToString("HH:mm", CultureInfo.InvariantCulture);
        LogScheduled(logger, atText, zone, _recipients, options.SmtpHost);
        try
        {
            await RunAsync(at, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, also mid-send after a start that failed (the host then cancels without StopAsync).
        }
    }

    private async Task RunAsync(TimeOnly at, CancellationToken stoppingToken)
    {
        await SendAsync(stoppingToken);
        var next = NextRun(time.GetUtcNow(), at, time.LocalTimeZone);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = next - time.GetUtcNow();
            if (mailer.Outbox.PendingIds().Count > 0)
            {
                wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds, options.RetrySeconds));
            }

            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (time.GetUtcNow() >= next)
            {
                await MakeAsync(next, stoppingToken);
                next = NextRun(next, at, time.LocalTimeZone);
            }

            await SendAsync(stoppingToken);
        }
    }

    private async Task MakeAsync(DateTimeOffset run, CancellationToken stoppingToken)
    {
        var id = DailyId(run, time.LocalTimeZone);
        try
        {
            if (await mailer.EnqueueAsync(id, run, stoppingToken) is { } report)
            {
                if (report.BuildError is { } error)
                {
                    LogCannotMake(logger, error, id);
                }

                LogMade(logger, id, mailer.Outbox.Directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCannotKeep(logger, id, mailer.Outbox.Directory, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A fault of the report's own must never stop the exporter, whose /metrics matters more than one mail.
            LogCannotMake(logger, e, id);
        }
    }

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var id in await mailer.SendPendingAsync(stoppingToken))
            {
                LogSent(logger, id, _recipients);
            }
        }
        catch (ReportDeliveryException e)
        {
            LogNotSent(logger, e.Message, mailer.Outbox.Directory, options.RetrySeconds);
        }
        catch (ReportOutboxException e)
        {
            LogOutboxFailing(logger, e.Message, options.RetrySeconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotSent(logger, e.Message, mailer.Outbox.Directory, options.RetrySeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotSent(logger, $"{e.GetType().Name}: {UpstreamException.Clip(e.Message)}.", mailer.Outbox.Directory, options.RetrySeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily report at {At} local time ({Zone}) to {To} via {Server}")]
    private static partial void LogScheduled(ILogger logger, string at, string zone, string to, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily report {Id} made, in {Outbox}")]
    private static partial void LogMade(ILogger logger, string id, string outbox);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily report {Id} sent to {To}")]
    private static partial void LogSent(ILogger logger, string id, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Daily report not sent: {Reason} It waits in {Outbox}; next try in {Seconds} s.")]
    private static partial void LogNotSent(ILogger logger, string reason, string outbox, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Daily report outbox (Report:OutboxDirectory): {Problem}; next try in {Seconds} s.")]
    private static partial void LogOutboxFailing(ILogger logger, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Daily report {Id} could not be made; a mail that says so goes instead, and the exporter goes on")]
    private static partial void LogCannotMake(ILogger logger, Exception error, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Daily report {Id} cannot be kept in {Outbox}: {Reason}")]
    private static partial void LogCannotKeep(ILogger logger, string id, string outbox, string reason);
}
