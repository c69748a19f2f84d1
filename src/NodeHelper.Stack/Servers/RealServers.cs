namespace NodeHelper.Stack.Servers;

/// <summary>Debian's Prometheus, Alertmanager, SMTP listener and VictoriaMetrics, as the tests and the demo start them.</summary>
public static class RealServers
{
    private const string InstallHint = "run `make test-deps` (Debian's prometheus, prometheus-alertmanager, python3-aiosmtpd and victoria-metrics)";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>
    /// Prometheus with <c>prometheus.yml</c> from <paramref name="directory"/>, serving the console pages of its
    /// <c>consoles/</c> (the runbook) at its own loopback address, which is also the external URL its alerts link to.
    /// Alerts are sent as soon as they fire (no one-minute resend wait).
    /// </summary>
    public static Task<ServerProcess> StartPrometheusAsync(string directory, int? port = null) =>
        StartWithConfigAsync("Prometheus", "prometheus", directory, port, "prometheus.yml", "--storage.tsdb.path",
            (_, dir) => ["--rules.alert.resend-delay=1s", $"--web.console.templates={Path.Join(dir, "consoles")}"]);

    /// <summary>Alertmanager with <c>alertmanager.yml</c> from <paramref name="directory"/>, without clustering, its external URL its loopback address.</summary>
    public static Task<ServerProcess> StartAlertmanagerAsync(string directory, int? port = null) =>
        StartWithConfigAsync("Alertmanager", "prometheus-alertmanager", directory, port, "alertmanager.yml", "--storage.path",
            (_, _) => ["--cluster.listen-address="]);

    /// <summary>
    /// An SMTP listener (aiosmtpd) that keeps every mail it receives as a file in a Maildir: <c>mail</c> in
    /// <paramref name="directory"/>, or <paramref name="maildir"/>, which outlives the listener (the demo's inbox).
    /// </summary>
    public static Task<ServerProcess> StartSmtpSinkAsync(string directory, int? port = null, string? maildir = null) => ServerProcess.StartAsync(
        new ServerLaunch("SMTP listener", "/usr/bin/python3",
            (listen, dir) => ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{listen}", "-c", "aiosmtpd.handlers.Mailbox", maildir ?? Path.Join(dir, "mail")],
            LoopbackPort.AcceptsAsync,
            InstallHint),
        directory,
        port);

    /// <summary>
    /// VictoriaMetrics single node (Debian's victoria-metrics 1.79) storing in <paramref name="directory"/>, receiving
    /// Prometheus's remote_write at <c>api/v1/write</c> and answering PromQL at <c>api/v1/query</c> and <c>api/v1/series</c>.
    /// </summary>
    /// <remarks>
    /// <c>-search.latencyOffset=0</c>: by default an instant query is evaluated 30 s in the past, so that samples still
    /// on their way are not half there; a sample Prometheus has just written would stay invisible for those 30 s. The
    /// tests wait until the sample they ask about is there, so they need no such margin.
    /// </remarks>
    public static Task<ServerProcess> StartVictoriaMetricsAsync(string directory, int? port = null) => ServerProcess.StartAsync(
        new ServerLaunch("VictoriaMetrics", "victoria-metrics",
            (listen, dir) =>
            [
                $"-httpListenAddr=127.0.0.1:{listen}", $"-storageDataPath={Path.Join(dir, "data")}", "-retentionPeriod=1d",
                "-search.latencyOffset=0", "-loggerLevel=WARN",
            ],
            HealthyAsync,
            InstallHint),
        directory,
        port);

    /// <summary>Prometheus and Alertmanager share their flags for a configuration file, a data directory, an address and readiness.</summary>
    private static Task<ServerProcess> StartWithConfigAsync(string name, string program, string directory, int? port, string config, string storageFlag,
        Func<int, string, IEnumerable<string>> extra) =>
        ServerProcess.StartAsync(
            new ServerLaunch(name, program,
                (listen, dir) =>
                [
                    $"--config.file={Path.Join(dir, config)}", $"{storageFlag}={Path.Join(dir, "data")}",
                    $"--web.listen-address=127.0.0.1:{listen}", $"--web.external-url=http://127.0.0.1:{listen}/", .. extra(listen, dir), "--log.level=warn",
                ],
                ReadyAsync,
                InstallHint),
            directory,
            port);

    private static async Task<bool> HealthyAsync(int port)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
        return response.IsSuccessStatusCode;
    }

    private static async Task<bool> ReadyAsync(int port)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"));
        return response.IsSuccessStatusCode;
    }
}
