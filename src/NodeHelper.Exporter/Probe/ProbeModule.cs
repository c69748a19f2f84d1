using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Probe;

/// <summary>
/// One named probe module (Probe:Modules:&lt;name&gt;), as blackbox_exporter's modules: which collector it runs, the
/// targets it may read (the allow-list: any other is refused) and the credentials it reads them with. Credentials
/// come only from here, never from a request. A class, not a record: a record's ToString would print its fields.
/// </summary>
internal sealed class ProbeModule
{
    public required string Name { get; init; }

    public required ProbeKind Kind { get; init; }

    /// <summary>The allowed targets, each in <see cref="ProbeTarget"/>'s normal form.</summary>
    public required IReadOnlySet<string> Targets { get; init; }

    public double TimeoutSeconds { get; init; } = 8;

    /// <summary>bitcoind: the RPC user (an rpcauth line on each probed node).</summary>
    public string User { get; init; } = "";

    /// <summary>bitcoind: the file whose first line is the RPC user's password.</summary>
    public string PasswordFile { get; init; } = "";

    /// <summary>electrum: connect with TLS; mempool: https.</summary>
    public bool Tls { get; init; }

    /// <summary>lnd: the macaroon, and the certificate pinned as the only root.</summary>
    public string MacaroonFile { get; init; } = "";

    public string TlsCertFile { get; init; } = "";

    public static ProbeModule Read(SettingsReader settings, string prefix)
    {
        var name = prefix[(prefix.LastIndexOf(':') + 1)..];
        var prober = settings.String($"{prefix}:Prober", "",
            "What the module probes: bitcoind, electrum, mempool or lnd (the same readings as this node's own collector of that name). Empty: the module's name, when it is one of those.");
        var targets = settings.StringList($"{prefix}:Targets", [],
            "The targets the module may probe, host:port each (',' between them): the allow-list. /probe answers 403 for any other, so the exporter never reads an address a request chose.");
        var module = new ProbeModule
        {
            Name = name,
            Kind = ReadKind(settings, prefix, prober.Length > 0 ? prober : name),
            Targets = ReadTargets(settings, $"{prefix}:Targets", targets),
            TimeoutSeconds = settings.Seconds($"{prefix}:TimeoutSeconds", 8, 0.1, 300,
                "Longest wait for the target's answers in one probe; the probe's own deadline (Prometheus's scrape timeout) can cut it shorter."),
            User = settings.String($"{prefix}:User", "", "bitcoind: the RPC user on the probed nodes (an rpcauth line in each bitcoin.conf; a cookie file is readable only on its own machine)."),
            PasswordFile = settings.String($"{prefix}:PasswordFile", "", "bitcoind: the file whose first line is that user's password."),
            Tls = settings.Bool($"{prefix}:Tls", false, "electrum: connect with TLS, verifying the server's certificate; mempool: use https."),
            MacaroonFile = settings.String($"{prefix}:MacaroonFile", "", "lnd: the macaroon sent to the probed LND (readonly.macaroon, or one baked with the read permissions NodeHelper uses)."),
            TlsCertFile = settings.String($"{prefix}:TlsCertFile", "", "lnd: the probed LND's tls.cert, pinned as the only root (a module per LND, unless their certificates share a CA)."),
        };

        Check(settings, prefix, module);
        return module;
    }

    private static ProbeKind ReadKind(SettingsReader settings, string prefix, string prober)
    {
        ProbeKind? kind = prober.Trim().ToLowerInvariant() switch
        {
            "bitcoind" => ProbeKind.Bitcoind,
            "electrum" => ProbeKind.Electrum,
            "mempool" => ProbeKind.Mempool,
            "lnd" => ProbeKind.Lnd,
            _ => null,
        };
        if (kind is null)
        {
            settings.Fail($"{prefix}:Prober", $"'{prober}' is not bitcoind, electrum, mempool or lnd.");
        }

        return kind ?? ProbeKind.Bitcoind;
    }

    private static HashSet<string> ReadTargets(SettingsReader settings, string key, IReadOnlyList<string> written)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in written)
        {
            if (ProbeTarget.TryParse(text, out var target, out var problem))
            {
                targets.Add(target.ToString());
            }
            else
            {
                settings.Fail(key, $"a target {problem}");
            }
        }

        return targets;
    }

    private static void Check(SettingsReader settings, string prefix, ProbeModule module)
    {
        if (module.Targets.Count == 0)
        {
            settings.Fail($"{prefix}:Targets", "is empty: name the host:port of each node this module may probe.");
        }

        // A setting of another prober is a mistake (a macaroon for bitcoind), not something to ignore.
        void NotFor(string key, bool written)
        {
            if (written)
            {
                settings.Fail($"{prefix}:{key}", $"does not apply to a {module.Kind.ToString().ToLowerInvariant()} module.");
            }
        }

        switch (module.Kind)
        {
            case ProbeKind.Bitcoind:
                if (module.User.Length == 0 || module.PasswordFile.Length == 0)
                {
                    settings.Fail($"{prefix}:{(module.User.Length == 0 ? "User" : "PasswordFile")}",
                        "is required for a bitcoind module: a probed bitcoind is reached with a user and password file (rpcauth).");
                }
                else if (!File.Exists(PathExpansion.Expand(module.PasswordFile)))
                {
                    settings.Fail($"{prefix}:PasswordFile", $"'{module.PasswordFile}' does not exist or cannot be read.");
                }

                NotFor("Tls", module.Tls);
                NotFor("MacaroonFile", module.MacaroonFile.Length > 0);
                NotFor("TlsCertFile", module.TlsCertFile.Length > 0);
                break;
            case ProbeKind.Lnd:
                if (module.MacaroonFile.Length == 0)
                {
                    settings.Fail($"{prefix}:MacaroonFile", "is required for an lnd module.");
                }

                if (module.TlsCertFile.Length == 0)
                {
                    settings.Fail($"{prefix}:TlsCertFile", "is required for an lnd module: LND's certificate is self-signed, so it is pinned.");
                }

                NotFor("User", module.User.Length > 0);
                NotFor("PasswordFile", module.PasswordFile.Length > 0);
                NotFor("Tls", module.Tls);
                break;
            default:
                NotFor("User", module.User.Length > 0);
                NotFor("PasswordFile", module.PasswordFile.Length > 0);
                NotFor("MacaroonFile", module.MacaroonFile.Length > 0);
                NotFor("TlsCertFile", module.TlsCertFile.Length > 0);
                break;
        }
    }
}
