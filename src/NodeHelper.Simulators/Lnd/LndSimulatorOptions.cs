namespace NodeHelper.Simulators.Lnd;

/// <summary>Where and how the simulated LND listens and writes its tls.cert and macaroon.</summary>
public sealed class LndSimulatorOptions
{
    /// <summary>0 picks a free loopback port.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Where <c>tls.cert</c> and <c>readonly.macaroon</c> are written; a new temporary directory (removed on dispose)
    /// when not set.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>End of the certificate's validity; LND's default (tlscertduration) is 14 months from its creation.</summary>
    public DateTimeOffset? CertificateNotAfter { get; init; }
}
