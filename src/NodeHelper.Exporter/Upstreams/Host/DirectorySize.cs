namespace NodeHelper.Exporter.Upstreams.Host;

/// <summary>The size of a data directory as last measured, and when.</summary>
internal sealed record DirectorySize(string Component, string Path, long Bytes, DateTimeOffset MeasuredAt);
