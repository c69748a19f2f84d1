using System.Collections.Concurrent;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.Bitcoind;
using NodeHelper.Exporter.Upstreams.Electrum;
using NodeHelper.Exporter.Upstreams.Lnd;
using NodeHelper.Exporter.Upstreams.Mempool;

namespace NodeHelper.Exporter.Probe;

/// <summary>
/// One collector per allowed (module, target), made at its first probe and kept: the same collector this node runs for
/// its own upstream, given the target's address and the module's credentials. Keeping it keeps what makes a probe
/// cheap and right (the connection pool, bitcoind's block stats asked once per block, the single flight shared by
/// concurrent probes); each probe still writes a fresh output. The allow-list bounds how many there can be.
/// </summary>
internal sealed class ProbeCollectors(ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IDisposable
{
    private readonly ConcurrentDictionary<(string Module, string Target), Lazy<IMetricsCollector>> _collectors = new();
    private readonly List<IDisposable> _clients = [];
    private readonly Lock _lock = new();

    public IMetricsCollector For(ProbeModule module, ProbeTarget target) =>
        // PublicationOnly: a creation that threw is not kept, so it is tried again rather than failing every probe after.
        _collectors.GetOrAdd((module.Name, target.ToString()),
            _ => new Lazy<IMetricsCollector>(() => new ProbedCollector(Create(module, target), module, target), LazyThreadSafetyMode.PublicationOnly)).Value;

    private IMetricsCollector Create(ProbeModule module, ProbeTarget target)
    {
        var stopping = lifetime.ApplicationStopping;
        var subject = $"probe of {target}";
        switch (module.Kind)
        {
            case ProbeKind.Bitcoind:
            {
                var options = new BitcoindOptions
                {
                    Url = new UriBuilder(Uri.UriSchemeHttp, target.Host, target.Port).Uri,
                    User = module.User,
                    PasswordFile = module.PasswordFile,
                    TimeoutSeconds = module.TimeoutSeconds,
                };
                var client = Keep(new BitcoindRpcClient(options, new BitcoindCredentials(options)));
                return new BitcoindCollector(new BitcoindSnapshotSource(client, options), Items<BitcoindCollector>("bitcoind", subject), stopping);
            }

            case ProbeKind.Electrum:
                return new ElectrumCollector(new ElectrumClient(new ElectrumOptions
                {
                    Enabled = true,
                    Host = target.Host,
                    Port = target.Port,
                    Tls = module.Tls,
                    TimeoutSeconds = module.TimeoutSeconds,
                }), stopping);

            case ProbeKind.Mempool:
            {
                var url = new UriBuilder(module.Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, target.Host, target.Port, "/api/v1/").Uri;
                var client = Keep(new MempoolClient(new MempoolOptions { Enabled = true, Url = url, TimeoutSeconds = module.TimeoutSeconds }));
                return new MempoolCollector(client, Items<MempoolCollector>("mempool", subject), stopping);
            }

            default:
            {
                // The channel backup is the probed node's own file, not this machine's: only the pinned certificate is read here.
                var options = new LndOptions
                {
                    Enabled = true,
                    Url = new UriBuilder(Uri.UriSchemeHttps, target.Host, target.Port).Uri,
                    MacaroonFile = module.MacaroonFile,
                    TlsCertFile = module.TlsCertFile,
                    TimeoutSeconds = module.TimeoutSeconds,
                    ChannelBackupFile = "",
                };
                var client = Keep(new LndRestClient(options.Url, options.MacaroonFile, options.TlsCertFile, TimeSpan.FromSeconds(options.TimeoutSeconds)));
                return new LndCollector(new LndSnapshotSource(client, options.TimeoutSeconds, TimeProvider.System), new LndLocalFiles(options),
                    perChannel: false, Items<LndCollector>("lnd", subject), stopping);
            }
        }
    }

    private ItemLog Items<TCollector>(string collector, string subject) => new(loggers.CreateLogger<TCollector>(), $"{collector} ({subject})");

    private T Keep<T>(T client)
        where T : IDisposable
    {
        lock (_lock)
        {
            _clients.Add(client);
        }

        return client;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }
}
