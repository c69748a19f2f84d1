namespace NodeHelper.Exporter.Upstreams.MariaDb;

/// <summary>
/// Everything one scrape learned from MariaDB. The server's status is essential; the database sizes and the
/// mempool database are items: null when their query failed, with the reason in <see cref="ItemProblems"/>.
/// </summary>
internal sealed record MariaDbSnapshot
{
    public required IReadOnlyDictionary<string, double> Status { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public IReadOnlyDictionary<string, double>? DatabaseSizes { get; init; }

    public MempoolDatabaseProgress? Mempool { get; init; }

    /// <summary>Each item query with its problem, or null when it worked.</summary>
    public required IReadOnlyDictionary<string, string?> ItemProblems { get; init; }
}
