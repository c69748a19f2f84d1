namespace NodeHelper.Exporter.Upstreams.Mempool;

/// <summary>What one probe of the front end saw: the final status, how long the whole answer took, and the TLS expiry.</summary>
internal sealed record FrontendProbe(int StatusCode, double DurationSeconds, DateTimeOffset? CertificateNotAfter);
