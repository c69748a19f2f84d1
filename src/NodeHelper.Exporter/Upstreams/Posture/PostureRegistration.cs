using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Posture;

internal static class PostureRegistration
{
    private static readonly string[] LndNetworks = ["mainnet", "testnet", "testnet4", "signet", "regtest"];

    private static readonly string[] LndMacaroons = ["admin.macaroon", "readonly.macaroon", "invoice.macaroon", "chainnotifier.macaroon", "invoices.macaroon", "router.macaroon", "signer.macaroon", "walletkit.macaroon"];

    /// <summary>The posture checks, when Posture:Enabled: the stack's ports (and NodeHelper's own), and the secret files the settings name.</summary>
    public static IServiceCollection AddPostureCollector(this IServiceCollection services, ExporterSettings settings)
    {
        var options = settings.Posture;
        if (!options.Enabled)
        {
            return services;
        }

        var ports = new Dictionary<int, string>(PostureOptions.KnownPorts);
        foreach (var address in settings.Urls.Split(';'))
        {
            if (ListenAddress.Parse(address) is { SocketPath: null, Port: > 0 } listen)
            {
                ports[listen.Port] = "nodehelper";
            }
        }

        foreach (var (service, port) in options.Ports)
        {
            ports[int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)] = service;
        }

        var secrets = new List<SecretPath>();
        if (settings.Bitcoind.Enabled && settings.Bitcoind.UsesCookie)
        {
            secrets.Add(new("bitcoind", settings.Bitcoind.CookieFile));
        }

        if (settings.Host.Paths.TryGetValue("bitcoind", out var datadir))
        {
            secrets.Add(new("bitcoind", Path.Join(datadir, "wallets")));
        }

        // LND's keys to the node: its TLS key, and the macaroons that grant RPC access (admin: everything, funds
        // included), for each chain network it may run on; only those that exist have a series.
        if (settings.Host.Paths.TryGetValue("lnd", out var lnd))
        {
            secrets.Add(new("lnd", Path.Join(lnd, "tls.key")));
            foreach (var network in LndNetworks)
            {
                foreach (var macaroon in LndMacaroons)
                {
                    secrets.Add(new("lnd", Path.Join(lnd, "data", "chain", "bitcoin", network, macaroon)));
                }
            }
        }

        // The macaroon NodeHelper itself holds for LND (one baked for it may live outside LND's directory).
        if (settings.Lnd.Enabled && !secrets.Any(s => PathExpansion.Full(s.Path) == PathExpansion.Full(settings.Lnd.MacaroonFile)))
        {
            secrets.Add(new("lnd", settings.Lnd.MacaroonFile));
        }

        foreach (var (component, file) in new[]
                 {
                     ("nodehelper", settings.Bitcoind.PasswordFile), ("nodehelper", settings.MariaDb.PasswordFile), ("nodehelper", settings.Report.SmtpPasswordFile),
                     // The web configuration file holds the basic auth hashes; the TLS key is the exporter's identity.
                     ("nodehelper", settings.Web?.File ?? ""), ("nodehelper", settings.Web?.Tls?.KeyFile ?? ""),
                 })
        {
            if (file.Length > 0)
            {
                secrets.Add(new(component, file));
            }
        }

        // Pending upgrades: only where apt-get is (Debian and its derivatives), counted in the background.
        AptUpgradeMonitor? apt = null;
        if (AptUpgradeMonitor.Find(options.AptGetPath) is { } aptGet)
        {
            apt = new AptUpgradeMonitor(aptGet);
            services.AddHostedService(_ => apt);
        }

        return services.AddCollector(s => new PostureCollector(ports, secrets, settings.Host, s.ItemLog<PostureCollector>("posture"), apt));
    }
}
