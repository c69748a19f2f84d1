using System.Globalization;
using MySqlConnector;
using NodeHelper.Core.Upstreams;

namespace NodeHelper.Exporter.Upstreams.MariaDb;

/// <summary>Reads MariaDB over one pooled connection per scrape: a few small queries, each bounded in time. Transport only.</summary>
internal sealed class MariaDbClient(MariaDbOptions options)
{
    public const string DatabaseSizesItem = "database_sizes";
    public const string MempoolItem = "mempool";

    /// <summary>Global status counters and gauges read, by their SHOW GLOBAL STATUS names.</summary>
    internal static readonly string[] StatusNames =
    [
        "Uptime", "Threads_connected", "Threads_running", "Connections", "Max_used_connections", "Queries", "Slow_queries",
        "Aborted_connects", "Aborted_clients", "Innodb_buffer_pool_pages_total", "Innodb_buffer_pool_pages_free",
        "Innodb_buffer_pool_read_requests", "Innodb_buffer_pool_reads",
    ];

    internal static readonly string[] VariableNames = ["version", "max_connections", "innodb_buffer_pool_size", "innodb_page_size"];

    // Built on first use and kept: it holds the password, and is never logged. Reading the password file is then
    // a failure of this collector (reason credentials), not of the exporter's start. A refused login forgets it, so a
    // password changed in its file is read again, as bitcoind's cookie is.
    private string? _connectionString;

    public async Task<MariaDbSnapshot> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = Deadline.After(options.TimeoutSeconds, cancellationToken);
        _connectionString ??= options.BuildConnectionString();
        try
        {
            await using var connection = new MySqlConnection(_connectionString);
            await connection.OpenAsync(timeout.Token);
            var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
            var (status, variables, sizes) = await ReadServerAsync(connection, problems, timeout.Token);
            MempoolDatabaseProgress? mempool = null;
            if (options.MempoolDatabase.Length > 0)
            {
                mempool = await ItemAsync(MempoolItem, problems, () => ReadMempoolAsync(connection, timeout.Token));
            }

            return new MariaDbSnapshot { Status = status, Variables = variables, DatabaseSizes = sizes, Mempool = mempool, ItemProblems = problems };
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(FailureReason.Timeout, $"MariaDB did not answer within {options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (MariaDb:TimeoutSeconds).", e);
        }
        catch (MySqlException e)
        {
            if (e.ErrorCode == MySqlErrorCode.AccessDenied)
            {
                _connectionString = null;
            }

            // MariaDB's messages name the user and host, never the password ("Access denied for user 'x'@'localhost' (using password: YES)").
            throw new UpstreamException(ReasonOf(e), $"MariaDB: {UpstreamException.Clip(e.Message)}", e);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            throw new UpstreamException(TransportFailure.Describe(e).Reason, $"the connection to MariaDB broke off: {UpstreamException.Clip(e.Message)}", e);
        }
    }

    /// <summary>A refused login is unauthorized, a missing grant forbidden, a server not reached a transport reason; the rest is MariaDB's own error.</summary>
    private static FailureReason ReasonOf(MySqlException e) => e.ErrorCode switch
    {
        MySqlErrorCode.AccessDenied => FailureReason.Unauthorized,
        MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.TableAccessDenied or MySqlErrorCode.SpecifiedAccessDeniedError => FailureReason.Forbidden,
        MySqlErrorCode.CommandTimeoutExpired => FailureReason.Timeout,
        MySqlErrorCode.UnableToConnectToHost => e.InnerException is { } inner && TransportFailure.IsTransport(inner)
            ? TransportFailure.Describe(inner).Reason
            : e.Message.Contains("refused", StringComparison.OrdinalIgnoreCase) ? FailureReason.Refused : FailureReason.Unreachable,
        _ => FailureReason.UpstreamError,
    };

    /// <summary>
    /// SHOW GLOBAL STATUS and VARIABLES (no privilege needed) and the size of each database the user may see, in one
    /// round trip. The sizes are an item: if their statement fails, the server's state read before it still counts.
    /// </summary>
    private static async Task<(Dictionary<string, double>, Dictionary<string, string>, Dictionary<string, double>?)> ReadServerAsync(
        MySqlConnection connection, Dictionary<string, string?> problems, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SHOW GLOBAL STATUS WHERE Variable_name IN ({Quoted(StatusNames)});
            SHOW GLOBAL VARIABLES WHERE Variable_name IN ({Quoted(VariableNames)});
            SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) FROM information_schema.TABLES
            WHERE table_schema NOT IN ('information_schema', 'performance_schema', 'sys') GROUP BY table_schema;
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var status = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (double.TryParse(reader.GetString(1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                status[reader.GetString(0)] = value;
            }
        }

        await reader.NextResultAsync(cancellationToken);
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            variables[reader.GetString(0)] = reader.GetString(1);
        }

        var sizes = await ItemAsync(DatabaseSizesItem, problems, async () =>
        {
            await reader.NextResultAsync(cancellationToken);
            var sizes = new Dictionary<string, double>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                sizes[reader.GetString(0)] = Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture);
            }

            return sizes;
        });
        return (status, variables, sizes);
    }

    /// <summary>The mempool backend's progress: its highest indexed block, its newest statistics row, its schema version.</summary>
    private async Task<MempoolDatabaseProgress> ReadMempoolAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        // The database name is validated at start (letters, digits, _ and $) before it is quoted into the query.
        var db = $"`{options.MempoolDatabase}`";
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT (SELECT MAX(height) FROM {db}.blocks),
                   (SELECT UNIX_TIMESTAMP(MAX(added)) FROM {db}.statistics),
                   (SELECT number FROM {db}.state WHERE name = 'schema_version')
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        long? Read(int column) => reader.IsDBNull(column) ? null : Convert.ToInt64(reader.GetValue(column), CultureInfo.InvariantCulture);
        return new MempoolDatabaseProgress(Read(0), Read(1), Read(2));
    }

    /// <summary>Runs an item query; a failure of the query alone (a privilege, a missing table) is the item's, not the collector's.</summary>
    private static async Task<T?> ItemAsync<T>(string item, Dictionary<string, string?> problems, Func<Task<T>> query)
        where T : class
    {
        try
        {
            var value = await query();
            problems[item] = null;
            return value;
        }
        catch (MySqlException e) when (e.ErrorCode is MySqlErrorCode.TableAccessDenied or MySqlErrorCode.DatabaseAccessDenied
                                           or MySqlErrorCode.ColumnAccessDenied or MySqlErrorCode.SpecifiedAccessDeniedError
                                           or MySqlErrorCode.NoSuchTable or MySqlErrorCode.UnknownTable
                                           or MySqlErrorCode.UnknownDatabase or MySqlErrorCode.NoSuchDb)
        {
            // What the user may not see, or what does not exist (yet): this item's problem. Anything else,
            // a lost connection above all, fails the whole collector.
            problems[item] = UpstreamException.Clip(e.Message);
            return null;
        }
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
