using Microsoft.Extensions.DependencyInjection.Extensions;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Report;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Host;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Exporter.Upstreams.Mempool;
using NodeHelper.Exporter.Upstreams.Prometheus;
using NodeHelper.Exporter.Upstreams.Systemd;
using NodeHelper.Exporter.Web;

namespace NodeHelper.Exporter;

internal static partial class Program
{
    /// <summary>Environment variables with this prefix are settings: NODEHELPER_Bitcoind__Url sets Bitcoind:Url.</summary>
    public const string EnvironmentPrefix = "NODEHELPER_";

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
            Console.Out.WriteLine($"nodehelper {ExporterSelfMetrics.Version}");
            return 0;
        }

        if (args is ["report", .. var reportArgs])
        {
            return await ReportCommand.RunAsync(reportArgs, Console.Out, Console.Error);
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
        catch (IOException e)
        {
            // Kestrel could not listen (the port is taken, the address is not this machine's).
            await Console.Error.WriteLineAsync($"nodehelper: cannot listen on {listenOn}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The whole exporter, in the order it is put together. Tests and the benchmark build the same app.</summary>
    public static WebApplication BuildApp(string[] args, Action<WebApplicationBuilder>? adjust = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Settings: appsettings.json, then NODEHELPER_ variables, then the command line, which wins.
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddCommandLine(args);
        adjust?.Invoke(builder);
        var settings = ExporterSettings.Load(builder.Configuration, UserWrittenKeys(builder.Environment.ContentRootPath, builder.Environment.EnvironmentName, args));
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        // The scrape machinery.
        builder.Services.AddSingleton(settings.Scrape);
        builder.Services.AddSingleton<ExporterSelfMetrics>();
        builder.Services.AddSingleton<ScrapeService>();

        // One collector per upstream, each only when enabled.
        if (settings.Bitcoind.Enabled)
        {
            builder.Services.AddSingleton(settings.Bitcoind);
            builder.Services.AddSingleton<BitcoindCredentials>();
            builder.Services.AddSingleton<BitcoindRpcClient>();
            builder.Services.AddSingleton<BitcoindSnapshotSource>();
            builder.Services.AddSingleton<IMetricsCollector>(services => new BitcoindCollector(
                services.GetRequiredService<BitcoindSnapshotSource>(),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        if (settings.Electrum.Enabled)
        {
            builder.Services.AddSingleton(new ElectrumClient(settings.Electrum));
            builder.Services.AddSingleton<IMetricsCollector>(services => new ElectrumCollector(
                services.GetRequiredService<ElectrumClient>(),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        if (settings.Mempool.Enabled)
        {
            builder.Services.AddSingleton(new MempoolClient(settings.Mempool));
            builder.Services.AddSingleton<IMetricsCollector>(services => new MempoolCollector(
                services.GetRequiredService<MempoolClient>(),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        if (settings.MariaDb.Enabled)
        {
            builder.Services.AddSingleton<IMetricsCollector>(services => new MariaDbCollector(
                new MariaDbClient(settings.MariaDb),
                new ItemLog(services.GetRequiredService<ILogger<MariaDbCollector>>(), "mariadb"),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        if (settings.Host.Enabled)
        {
            builder.Services.AddSingleton(settings.Host);
            builder.Services.AddSingleton<DirectorySizeMonitor>();
            builder.Services.AddHostedService(services => services.GetRequiredService<DirectorySizeMonitor>());
            builder.Services.AddSingleton<IMetricsCollector>(services => new HostCollector(
                settings.Host,
                services.GetRequiredService<DirectorySizeMonitor>(),
                new ItemLog(services.GetRequiredService<ILogger<HostCollector>>(), "host")));
        }

        if (settings.Services.Enabled)
        {
            builder.Services.AddSingleton<IMetricsCollector>(services => new ServicesCollector(
                new SystemdClient(settings.Services, settings.Host),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        // The front end is probed whenever its URL is set: it stands in front of the backend, not inside it.
        if (settings.Mempool.FrontendUrl is not null)
        {
            builder.Services.AddSingleton<IMetricsCollector>(services => new MempoolFrontendCollector(
                new MempoolFrontendClient(settings.Mempool),
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }

        // The daily report, when scheduled.
        if (settings.Report.Schedule is not null)
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(settings.Report);
            builder.Services.AddSingleton(services => new ReportMailer(
                settings.Report,
                new DailyReportBuilder(new PrometheusApiClient(new HttpClient { Timeout = TimeSpan.FromSeconds(settings.Report.TimeoutSeconds) }, settings.Report.PrometheusUrl), settings.Report),
                new ReportOutbox(PathExpansion.Expand(settings.Report.OutboxDirectory))));
            builder.Services.AddHostedService<DailyReportService>();
        }

        // Endpoints.
        var app = builder.Build();
        var scrape = app.Services.GetRequiredService<ScrapeService>();
        var landing = LandingPage.Render(scrape.Collectors);
        app.MapGet("/", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(landing, context.RequestAborted);
        });
        app.MapGet("/metrics", scrape.HandleAsync);

        var collectorNames = string.Join(", ", scrape.Collectors.Select(c => c.Name));
        LogStarting(app.Logger, ExporterSelfMetrics.Version, collectorNames);
        if (settings.Bitcoind.Enabled)
        {
            var credentials = settings.Bitcoind.UsesCookie ? $"cookie {settings.Bitcoind.CookieFile}" : $"user {settings.Bitcoind.User}";
            LogBitcoind(app.Logger, settings.Bitcoind.Url, credentials);
        }

        return app;
    }

    /// <summary>The settings alone, read as the exporter reads them, for commands that do not serve (<c>report</c>).</summary>
    public static ExporterSettings LoadSettings(string[] args)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                          ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        var configuration = Sources(new ConfigurationBuilder(), AppContext.BaseDirectory, environment, args).Build();
        return ExporterSettings.Load(configuration, UserWrittenKeys(AppContext.BaseDirectory, environment, args));
    }

    /// <summary>The keys the user wrote down, which are checked for typos. Other environment variables are not ours to judge.</summary>
    private static IEnumerable<string> UserWrittenKeys(string contentRoot, string environment, string[] args) =>
        Sources(new ConfigurationBuilder(), contentRoot, environment, args)
            .Build()
            .AsEnumerable()
            .Where(setting => setting.Value is not null)
            .Select(setting => setting.Key);

    /// <summary>Where settings come from, lowest priority first: the settings files, NODEHELPER_ variables, the command line.</summary>
    private static IConfigurationBuilder Sources(IConfigurationBuilder configuration, string contentRoot, string environment, string[] args) =>
        configuration
            .SetBasePath(contentRoot)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args);

    [LoggerMessage(Level = LogLevel.Information, Message = "NodeHelper {Version} starting; collectors: {Collectors}")]
    private static partial void LogStarting(ILogger logger, string version, string collectors);

    [LoggerMessage(Level = LogLevel.Information, Message = "bitcoind at {Upstream}, authenticating with {Credentials}")]
    private static partial void LogBitcoind(ILogger logger, Uri upstream, string credentials);
}
