using System.Globalization;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.MariaDb;

namespace NodeHelper.Exporter.Collectors;

/// <summary>
/// MariaDB, the mempool backend's database: up, load, InnoDB buffer pool, the size of each database, and how far
/// the mempool backend has indexed. Needs only PROCESS, REPLICATION CLIENT and SELECT (see the README).
/// </summary>
internal sealed class MariaDbCollector(MariaDbClient client, ItemLog items, CancellationToken stopping)
    : SnapshotCollector<MariaDbSnapshot>(client.FetchAsync, stopping)
{
    private static readonly UpGauge UpGauge = new("mariadb_up", "Whether MariaDB accepted the connection and answered SHOW GLOBAL STATUS (1) or not (0).");

    public override string Name => "mariadb";

    public override string Description => "MariaDB: connections, queries, InnoDB, database sizes, the mempool database's progress";

    public override UpGauge Up => UpGauge;

    protected override void Write(MetricSet metrics, MariaDbSnapshot snapshot)
    {
        items.NoteAll(snapshot.ItemProblems);

        WriteSnapshot(metrics, snapshot);
    }

    /// <summary>Every series of one snapshot but mariadb_up.</summary>
    internal static void WriteSnapshot(MetricSet metrics, MariaDbSnapshot snapshot)
    {
        var m = metrics;
        var status = snapshot.Status;
        var variables = snapshot.Variables;
        if (variables.TryGetValue("version", out var version))
        {
            m.Family("mariadb_build_info", "The server's version (variable version).", "version").WithLabels(LabelValue.Clip(version)).Set(1);
        }

        void Status(string name, string help, string field)
        {
            if (status.TryGetValue(field, out var value))
            {
                m.Gauge(name, $"{help} (status {field}).", value);
            }
        }

        void Counter(string name, string help, string field)
        {
            if (status.TryGetValue(field, out var value))
            {
                m.Counter(name, $"{help} (status {field}).", value);
            }
        }

        Status("mariadb_uptime_seconds", "Seconds since the server started", "Uptime");
        Status("mariadb_connections", "Open client connections", "Threads_connected");
        Status("mariadb_threads_running", "Threads executing a query now", "Threads_running");
        Status("mariadb_max_used_connections", "Most connections open at once since the server started", "Max_used_connections");
        if (Number(variables, "max_connections") is { } maxConnections)
        {
            m.Gauge("mariadb_max_connections", "Most client connections the server allows (variable max_connections).", maxConnections);
        }

        Counter("mariadb_connections_total", "Connection attempts, successful or not", "Connections");
        Counter("mariadb_queries_total", "Statements executed, including those inside stored programs", "Queries");
        Counter("mariadb_slow_queries_total", "Queries slower than long_query_time", "Slow_queries");
        Counter("mariadb_aborted_connects_total", "Failed connection attempts (wrong password, no privilege, bad packet)", "Aborted_connects");
        Counter("mariadb_aborted_clients_total", "Connections dropped without closing properly", "Aborted_clients");

        if (Number(variables, "innodb_buffer_pool_size") is { } poolSize)
        {
            m.Gauge("mariadb_innodb_buffer_pool_size_bytes", "Size of the InnoDB buffer pool (variable innodb_buffer_pool_size).", poolSize);
        }

        if (Number(variables, "innodb_page_size") is { } pageSize
            && status.TryGetValue("Innodb_buffer_pool_pages_total", out var total) && status.TryGetValue("Innodb_buffer_pool_pages_free", out var free))
        {
            m.Gauge("mariadb_innodb_buffer_pool_used_bytes",
                "Bytes of the InnoDB buffer pool in use (status Innodb_buffer_pool_pages_total minus _free, times innodb_page_size).", (total - free) * pageSize);
        }

        Counter("mariadb_innodb_buffer_pool_read_requests_total", "Logical reads from the InnoDB buffer pool", "Innodb_buffer_pool_read_requests");
        Counter("mariadb_innodb_buffer_pool_disk_reads_total", "Reads the buffer pool could not serve and took from disk", "Innodb_buffer_pool_reads");

        if (snapshot.DatabaseSizes is { } sizes)
        {
            var size = m.Family("mariadb_database_size_bytes", "Data and index size of each database the user may read (information_schema.TABLES).", "database");
            foreach (var (database, bytes) in sizes.Take(LabelValue.MaxDistinct))
            {
                size.WithLabels(LabelValue.Clip(database)).Set(bytes);
            }
        }

        if (snapshot.Mempool is { } mempool)
        {
            if (mempool.IndexedBlockHeight is { } height)
            {
                m.Gauge("mariadb_mempool_indexed_block_height", "Highest block the mempool backend has indexed into its database (MAX(blocks.height)).", height);
            }

            if (mempool.NewestStatisticsTimestamp is { } newest)
            {
                m.Gauge("mariadb_mempool_newest_statistics_timestamp_seconds",
                    "When the mempool backend wrote its newest statistics row, Unix seconds (MAX(statistics.added)); it writes one a minute.", newest);
            }

            if (mempool.SchemaVersion is { } schema)
            {
                m.Gauge("mariadb_mempool_schema_version", "Schema version of the mempool database (state.schema_version).", schema);
            }
        }

        var queries = m.Family("mariadb_query_success", "Whether an item query worked in this scrape (1) or not (0): database_sizes, mempool.", "query");
        foreach (var (item, problem) in snapshot.ItemProblems)
        {
            queries.WithLabels(item).Set(problem is null ? 1 : 0);
        }
    }

    private static double? Number(IReadOnlyDictionary<string, string> variables, string name) =>
        variables.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
