using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Electrum;

/// <summary>Where the Electrum server (electrs, Fulcrum, ElectrumX) listens.</summary>
internal sealed class ElectrumOptions
{
    public const string Section = "Electrum";

    public bool Enabled { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 50001;

    public bool Tls { get; init; }

    public bool TlsVerify { get; init; } = true;

    public double TimeoutSeconds { get; init; } = 5;

    public static ElectrumOptions Read(SettingsReader settings)
    {
        var d = new ElectrumOptions();
        var options = new ElectrumOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Probe the Electrum server (electrs, Fulcrum, ElectrumX). Off unless you run one."),
            Host = settings.String($"{Section}:Host", d.Host, "The Electrum server's host."),
            Port = settings.Port($"{Section}:Port", d.Port, "The Electrum server's TCP port (50001 plain, 50002 TLS by convention)."),
            Tls = settings.Bool($"{Section}:Tls", d.Tls, "Connect with TLS."),
            TlsVerify = settings.Bool($"{Section}:TlsVerify", d.TlsVerify,
                "Verify the server's TLS certificate. false accepts a self-signed one, and is allowed only for a loopback Host."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300,
                "Longest wait for the whole probe (connect, version, tip, ping)."),
        };

        if (options.Host.Length == 0)
        {
            settings.Fail($"{Section}:Host", "is empty.");
        }

        if (options.Tls && !options.TlsVerify && !Loopback.IsLoopbackHost(options.Host))
        {
            settings.Fail($"{Section}:TlsVerify", $"may be false only for a loopback Host (127.0.0.1, ::1, localhost), not '{options.Host}'.");
        }

        return options;
    }
}
