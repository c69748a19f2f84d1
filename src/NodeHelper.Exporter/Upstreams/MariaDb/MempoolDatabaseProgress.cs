namespace NodeHelper.Exporter.Upstreams.MariaDb;

/// <summary>The mempool backend's own progress, read from its tables; a value is null while its table is empty.</summary>
internal sealed record MempoolDatabaseProgress(long? IndexedBlockHeight, long? NewestStatisticsTimestamp, long? SchemaVersion);
