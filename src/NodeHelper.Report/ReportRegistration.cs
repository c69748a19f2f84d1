using Microsoft.Extensions.DependencyInjection.Extensions;
using NodeHelper.Core.Configuration;
using NodeHelper.Report.Prometheus;

namespace NodeHelper.Report;

internal static class ReportRegistration
{
    /// <summary>The daily report in the running exporter, when Report:Schedule is set: built, kept in the outbox, mailed.</summary>
    public static IServiceCollection AddDailyReport(this IServiceCollection services, ReportOptions options)
    {
        if (options.Schedule is null)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(_ => new ReportMailer(
            options,
            new DailyReportBuilder(new PrometheusApiClient(new HttpClient { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) }, options.PrometheusUrl), options),
            new ReportOutbox(PathExpansion.Expand(options.OutboxDirectory))));
        return services.AddHostedService<DailyReportService>();
    }
}
