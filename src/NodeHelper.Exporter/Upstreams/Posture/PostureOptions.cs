using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Posture;

/// <summary>The security posture checks: which ports belong to the stack, and whether to look at all.</summary>
internal sealed class PostureOptions
{
    public const string Section = "Posture";

    /// <summary>The stack's well-known ports, by service (the label of nodehelper_listener_exposed).</summary>
    public static readonly IReadOnlyDictionary<int, string> KnownPorts = new Dictionary<int, string>
    {
        [8332] = "bitcoind-rpc", [18332] = "bitcoind-rpc", [38332] = "bitcoind-rpc", [18443] = "bitcoind-rpc",
        [8333] = "bitcoind-p2p", [18333] = "bitcoind-p2p", [38333] = "bitcoind-p2p", [18444] = "bitcoind-p2p",
        [50001] = "electrum", [50002] = "electrum",
        [8999] = "mempool-backend",
        [3306] = "mariadb",
        [10009] = "lnd-grpc", [8080] = "lnd-rest",
        [9090] = "prometheus", [9093] = "alertmanager", [3000] = "grafana",
    };

    public bool Enabled { get; init; } = true;

    /// <summary>More ports to watch, by service: Posture:Ports:fulcrum_admin=8000 (letters, digits, _ in a name: it is also an environment variable's).</summary>
    public IReadOnlyDictionary<string, string> Ports { get; init; } = new Dictionary<string, string>();

    /// <summary>The apt-get that simulates the upgrade, counting the pending ones in the background; empty turns that check off.</summary>
    public string AptGetPath { get; init; } = "apt-get";

    public static PostureOptions Read(SettingsReader settings)
    {
        var d = new PostureOptions();
        var options = new PostureOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled,
                "Check the node's security posture: which of the stack's ports listen beyond loopback, and which secret files other users can read."),
            Ports = settings.Map($"{Section}:Ports", d.Ports,
                "More ports to watch besides the stack's well-known ones, as Posture:Ports:<service>=<port> (e.g. Posture:Ports:fulcrum_admin=8000)."),
            AptGetPath = settings.String($"{Section}:AptGetPath", d.AptGetPath,
                "The apt-get that counts pending upgrades (apt-get -s dist-upgrade, hourly, in the background; a name is looked up on PATH); none found, or empty: no such check."),
        };
        foreach (var (service, port) in options.Ports)
        {
            if (!service.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                settings.Fail($"{Section}:Ports:{service}", "a service name is letters, digits and _ (it is also part of an environment variable's name).");
            }

            if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                settings.Fail($"{Section}:Ports:{service}", $"'{port}' is not a TCP port (1 to 65535).");
            }
        }

        return options;
    }
}
