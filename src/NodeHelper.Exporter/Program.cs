using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Probe;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Status;
using NodeHelper.Exporter.Upstreams.Backups;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Posture;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Exporter.Upstreams.Updates;
using NodeHelper.Exporter.Web;
using NodeHelper.Report;

namespace NodeHelper.Exporter;

internal static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Every collector starts at once; on a two-core node the pool's default (one thread per core, more only
        // after a delay) would queue light collectors behind a TLS handshake or a process start.
        ThreadPool.GetMinThreads(out var workers, out var completion);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completion);

        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.Out.Write(HelpText.Render());
            return 0;
        }

        if (args is ["--version"])
        {
            Console.Out.WriteLine($"nodehelper {ExporterSelfMetrics.Version} (commit {ExporterSelfMetrics.Commit})");
            return 0;
        }

        if (args.Contains(ConfigCheck.Flag))
        {
            return ConfigCheck.Run([.. args.Where(a => a != ConfigCheck.Flag)], Console.Out, Console.Error);
        }

        if (args is ["bundle", "install", .. var bundleArgs])
        {
            return await BundleInstallCommand.RunAsync(bundleArgs, Console.Out, Console.Error);
        }

        if (args is [HealthCheckCommand.Name, .. var healthArgs])
        {
            return await HealthCheckCommand.RunAsync(healthArgs, Console.Out, Console.Error);
        }

        if (args is [UpdateFeedCommand.Name, .. var feedArgs])
        {
            return await UpdateFeedCommand.RunAsync(feedArgs, Console.Out, Console.Error);
        }

        if (args is ["report", .. var reportArgs])
        {
            return await ReportCommand.RunAsync(reportArgs, a => LoadSettings(a).Report, Console.Out, Console.Error);
        }

        WebApplication app;
        try
        {
            app = BuildApp(args);
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync($"nodehelper: {e.Message}{Environment.NewLine}Run nodehelper --help for every setting.");
            return 2;
        }

        // Read before running: once the host has failed, its services are disposed.
        var listenOn = app.Configuration["urls"];
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // Kestrel could not listen (the port is taken, the address is not this machine's).
            await Console.Error.WriteLineAsync($"nodehelper: cannot listen on {listenOn}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The whole exporter, in the order it is put together. Tests and the benchmark build the same app.</summary>
    public static WebApplication BuildApp(string[] args, Action<WebApplicationBuilder>? adjust = null)
    {
        // Settings from the documented sources only, read once (SettingsSources). The host gets an empty builder:
        // no DOTNET_ or ASPNETCORE_ variables, no appsettings.{Environment}.json, no hosting startup assemblies,
        // nothing that the unknown-key check does not also see.
        var configuration = SettingsSources.Build(args);
        var settings = ExporterSettings.Load(configuration);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            ApplicationName = "nodehelper",
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.WebHost.UseUrls(settings.Urls);
        // TLS on every address when the web configuration file asks for it (exporter-toolkit's format).
        builder.UseWebConfig(settings.Web);
        builder.Services.AddRoutingCore();
        // Quiet by default, as appsettings.json used to say (none is shipped now: the binary needs no file beside it);
        // the Logging section of the settings overrides these.
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The host logs a start that failed (a port taken) with its stack trace; Main says it in one line instead.
        // A background service that crashes is still logged: that is Critical.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        // Under systemd: tell it when the exporter listens and when it stops (Type=notify), and log in journald's format
        // (priority prefixes, no timestamp). Elsewhere: nothing.
        if (RunBySystemd())
        {
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Systemd);
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        adjust?.Invoke(builder);

        // The scrape machinery, then one collector per upstream (each only when enabled), in the order scrapes list them.
        builder.Services
            .AddScraping(settings.Scrape)
            .AddBitcoindCollector(settings.Bitcoind)
            .AddElectrumCollector(settings.Electrum)
            .AddMempoolCollector(settings.Mempool)
            .AddMariaDbCollector(settings.MariaDb)
            .AddLndCollector(settings.Lnd)
            .AddHostCollector(settings.Host)
            .AddServicesCollector(settings.Services, settings.Host)
            .AddPostureCollector(settings)
            .AddUpdatesCollector(settings.Updates)
            .AddBackupsCollector(settings.Backups)
            .AddMempoolFrontendCollector(settings.Mempool);

        // The daily report, when scheduled (NodeHelper.Report); the status page at / (Status/).
        builder.Services.AddDailyReport(settings.Report);
        builder.Services.AddStatusPage(settings.Status);
        // /probe: other nodes' upstreams, one target per request, with the modules' credentials (Probe/).
        builder.Services.AddProbe(settings.Probe);

        // Endpoints.
        var app = builder.Build();
        var scrape = app.Services.GetRequiredService<ScrapeService>();
        // Basic auth and headers, only when the web configuration file asks for them: without it the scrape path is as it was.
        app.UseWebConfig(settings.Web);
        app.MapGet("/metrics", scrape.HandleAsync);
        app.MapProbe();
        // The status page and its JSON: read through the collectors' own shared fetches, never on the scrape path.
        app.MapStatusPage(basicAuth: settings.Web?.HasUsers == true, allowSilences: settings.Status.AllowSilences);
        // Liveness, as Prometheus's own /-/healthy: the process serves. Costs no upstream call (nodehelper healthcheck).
        app.MapGet(HealthCheckCommand.Path, context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("NodeHelper is healthy.\n", context.RequestAborted);
        });

        var collectorNames = string.Join(", ", scrape.Collectors.Select(c => c.Name));
        LogStarting(app.Logger, ExporterSelfMetrics.Version, collectorNames);
        var urlsSource = SettingsSources.SourceOf(configuration, "urls");
        LogListenAddress(app.Logger, settings.Urls, urlsSource);
        foreach (var variable in SettingsSources.IgnoredVariablesSet())
        {
            LogIgnoredVariable(app.Logger, variable);
        }

        if (settings.Bitcoind.Enabled)
        {
            var credentials = settings.Bitcoind.UsesCookie ? $"cookie {settings.Bitcoind.CookieFile}" : $"user {settings.Bitcoind.User}";
            LogBitcoind(app.Logger, settings.Bitcoind.Url, credentials);
        }

        return app;
    }

    /// <summary>
    /// Whether systemd started this process. Microsoft.Extensions.Hosting.Systemd's own test (AddSystemd) reads the
    /// parent's name from /proc, which the unit's ProtectProc=invisible hides (PID 1 is root's), so it would say no
    /// and READY=1 would never be sent (dotnet/runtime#125368, fixed after 10.0.0). systemd 248 and later also say
    /// so themselves: SYSTEMD_EXEC_PID is the process they started.
    /// </summary>
    private static bool RunBySystemd() =>
        Environment.GetEnvironmentVariable("SYSTEMD_EXEC_PID") == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        || SystemdHelpers.IsSystemdService();

    /// <summary>The settings alone, read as the exporter reads them, for commands that do not serve (<c>report</c>).</summary>
    public static ExporterSettings LoadSettings(string[] args) => ExporterSettings.Load(SettingsSources.Build(args));

    [LoggerMessage(Level = LogLevel.Information, Message = "NodeHelper {Version} starting; collectors: {Collectors}")]
    private static partial void LogStarting(ILogger logger, string version, string collectors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening on {Urls} (urls, from: {Source})")]
    private static partial void LogListenAddress(ILogger logger, string urls, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Variable} is set in the environment and ignored: NodeHelper listens where its setting urls says (--urls or NODEHELPER_urls)")]
    private static partial void LogIgnoredVariable(ILogger logger, string variable);

    [LoggerMessage(Level = LogLevel.Information, Message = "bitcoind at {Upstream}, authenticating with {Credentials}")]
    private static partial void LogBitcoind(ILogger logger, Uri upstream, string credentials);
}
