namespace NodeHelper.Exporter.Upstreams.Electrum;

/// <summary>What one probe of the Electrum server learned.</summary>
internal sealed record ElectrumProbe(string ServerVersion, string ProtocolVersion, long TipHeight, long TipTimestamp, double DurationSeconds);
