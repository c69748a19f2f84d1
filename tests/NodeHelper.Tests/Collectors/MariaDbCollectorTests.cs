using System.Diagnostics;
using MySqlConnector;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Collectors;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Exporter.Upstreams.MariaDb;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Collectors;

/// <summary>Layer 2: the MariaDB collector against a real MariaDB server with a mempool-shaped database, exact values.</summary>
[Collection(SharedMariaDb.Name)]
public sealed class MariaDbCollectorTests(MariaDbFixture mariadb)
{
    /// <summary>Block 150's time in the bitcoind capture; the newest statistics row is written a minute after.</summary>
    private const long NewestStatistics = 1795470362;

    /// <summary>A mempool-shaped database (the backend's own tables) with blocks 0..highestBlock and two statistics rows.</summary>
    internal static Task CreateMempoolDatabaseAsync(MariaDbServer server, string database, int highestBlock = 150, bool withRows = true) =>
        MempoolDatabase.CreateAsync(server, database, highestBlock, NewestStatistics, withRows);

    /// <summary>A user created with exactly the README's statements, under a name of this test's own.</summary>
    internal static async Task<string> CreateUserFromReadmeAsync(MariaDbServer server, string user, string password)
    {
        var readme = await File.ReadAllTextAsync(Repository.PathOf("README.md"));
        var statements = readme.Split('\n')
            .Where(l => l.StartsWith("CREATE USER 'nodehelper'", StringComparison.Ordinal) || l.StartsWith("GRANT PROCESS", StringComparison.Ordinal))
            .Select(l => l.Replace("'nodehelper'", $"'{user}'", StringComparison.Ordinal).Replace("choose-a-password", password, StringComparison.Ordinal))
            .ToList();
        statements.Should().HaveCount(2, "the README gives the user and its grant");
        await server.ExecuteAsync(string.Join('\n', statements));
        return user;
    }

    private static MariaDbCollector Collector(MariaDbServer server, string user, string password, string database, double timeoutSeconds = 5) =>
        new(new MariaDbClient(new MariaDbOptions
        {
            Enabled = true,
            ConnectionString = $"Server={server.Socket};User ID={user};Password={password}",
            MempoolDatabase = database,
            TimeoutSeconds = timeoutSeconds,
        }), new ItemLog(NullLogger, "mariadb"), CancellationToken.None);

    private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    [Fact]
    public async Task TheReadmesGrantIsEnoughForExactValues()
    {
        var database = mariadb.UniqueName("mempool");
        await CreateMempoolDatabaseAsync(mariadb.Server, database);
        var user = await CreateUserFromReadmeAsync(mariadb.Server, mariadb.UniqueName("nodehelper"), "s3cret-Readme-7");
        var expectedSize = Convert.ToDouble(await mariadb.Server.ScalarAsync(
            $"SELECT SUM(data_length + index_length) FROM information_schema.TABLES WHERE table_schema = '{database}'"), System.Globalization.CultureInfo.InvariantCulture);

        var metrics = await Registries.CollectAsync(Collector(mariadb.Server, user, "s3cret-Readme-7", database));

        metrics.Value("mariadb_up").Should().Be(1);
        metrics.Value("mariadb_mempool_indexed_block_height").Should().Be(150);
        metrics.Value("mariadb_mempool_newest_statistics_timestamp_seconds").Should().Be(NewestStatistics);
        metrics.Value("mariadb_mempool_schema_version").Should().Be(112);
        metrics.Value("mariadb_max_connections").Should().Be(50, "the server was started with --max-connections=50");
        metrics.Value("mariadb_innodb_buffer_pool_size_bytes").Should().Be(16 * 1024 * 1024);
        metrics.Value("mariadb_database_size_bytes", ("database", database)).Should().Be(expectedSize).And.BeGreaterThan(0);
        var uptimeAfter = Convert.ToDouble(await mariadb.Server.ScalarAsync("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'"),
            System.Globalization.CultureInfo.InvariantCulture);
        metrics.Value("mariadb_uptime_seconds").Should().BeInRange(Math.Max(0, uptimeAfter - 5), uptimeAfter, "the server's own Uptime, read just after");
        metrics.Value("mariadb_queries_total").Should().BeGreaterThan(0);
        metrics.Value("mariadb_connections").Should().BeGreaterThanOrEqualTo(1);
        metrics.Value("mariadb_innodb_buffer_pool_used_bytes").Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(16 * 1024 * 1024);
        metrics.Value("mariadb_query_success", ("query", "mempool")).Should().Be(1);
        metrics.Value("mariadb_query_success", ("query", "database_sizes")).Should().Be(1);
        metrics.Family("mariadb_build_info").Keys.Should().ContainSingle().Which.Should().Contain("10.11");
        metrics.Types["mariadb_queries_total"].Should().Be("counter");
    }

    [Fact]
    public async Task AnEmptyMempoolDatabaseLeavesItsSeriesOutWithoutFailing()
    {
        var database = mariadb.UniqueName("mempool");
        await CreateMempoolDatabaseAsync(mariadb.Server, database, withRows: false);
        await mariadb.Server.ExecuteAsync($"DELETE FROM `{database}`.state");

        var metrics = await Registries.CollectAsync(Collector(mariadb.Server, "root", "", database));

        metrics.Value("mariadb_query_success", ("query", "mempool")).Should().Be(1);
        metrics.Names.Should().NotContain(["mariadb_mempool_indexed_block_height", "mariadb_mempool_newest_statistics_timestamp_seconds", "mariadb_mempool_schema_version"]);
    }

    [Fact]
    public async Task AMissingMempoolDatabaseIsAnItemFailure()
    {
        var metrics = await Registries.CollectAsync(Collector(mariadb.Server, "root", "", mariadb.UniqueName("missing")));

        metrics.Value("mariadb_up").Should().Be(1);
        metrics.Value("mariadb_query_success", ("query", "mempool")).Should().Be(0);
        metrics.Value("mariadb_query_success", ("query", "database_sizes")).Should().Be(1);
    }

    [Fact]
    public async Task AUserWithoutGrantsGetsAClearItemFailureAndNothingLeaks()
    {
        var database = mariadb.UniqueName("mempool");
        await CreateMempoolDatabaseAsync(mariadb.Server, database);
        var user = mariadb.UniqueName("nogrants");
        await mariadb.Server.ExecuteAsync($"CREATE USER '{user}'@'localhost' IDENTIFIED BY 'n0-Grants-pw'");
        var logs = new CapturedLogs();
        var collector = new MariaDbCollector(new MariaDbClient(new MariaDbOptions
        {
            Enabled = true,
            ConnectionString = $"Server={mariadb.Server.Socket};User ID={user};Password=n0-Grants-pw",
            MempoolDatabase = database,
        }), new ItemLog(logs.CreateLogger("mariadb"), "mariadb"), CancellationToken.None);

        var metrics = await Registries.CollectAsync(collector);

        metrics.Value("mariadb_up").Should().Be(1, "it can log in and read the server's status");
        metrics.Value("mariadb_query_success", ("query", "mempool")).Should().Be(0);
        metrics.Names.Should().NotContain("mariadb_mempool_indexed_block_height");
        metrics.Family("mariadb_database_size_bytes").Keys.Should().NotContain(k => k.Contains(database, StringComparison.Ordinal), "it may not see that database");
        logs.All.Should().Contain("Collector mariadb, mempool: SELECT command denied to user").And.NotContain("n0-Grants-pw");
        metrics.Text.Should().NotContain("n0-Grants-pw");
    }

    [Fact]
    public async Task AWrongPasswordIsDownAndTheMessageHoldsNoPassword()
    {
        var user = await CreateUserFromReadmeAsync(mariadb.Server, mariadb.UniqueName("nodehelper"), "the-Right-pw-1");
        var collector = Collector(mariadb.Server, user, "a-Wrong-pw-2", "mempool");

        var error = (await collector.Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>()
            .WithMessage($"MariaDB: Access denied for user '{user}'@'localhost' (using password: YES)")).Which;

        error.ToString().Should().NotContain("a-Wrong-pw-2").And.NotContain("the-Right-pw-1");
        error.Reason.Should().Be(FailureReason.Unauthorized);
        (await Registries.UpstreamSeriesAsync(collector, "mariadb_")).Should().Equal(new Dictionary<string, double> { ["mariadb_up"] = 0 });
    }

    [Fact]
    public async Task AServerThatDiesMidScrapeIsDownInsideTheDeadline()
    {
        await using var server = await MariaDbServer.StartAsync(mariadb.Pristine);
        await CreateMempoolDatabaseAsync(server, "mempool");
        var collector = Collector(server, "root", "", "mempool", timeoutSeconds: 30);

        // Hold a write lock on blocks, so the collector's mempool query waits inside the server; then crash the server.
        await using var locker = new MySqlConnection(server.RootConnectionString);
        await locker.OpenAsync();
        await using (var lockTables = new MySqlCommand("LOCK TABLES mempool.blocks WRITE", locker))
        {
            await lockTables.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var collecting = Registries.CollectAsync(collector);
        await Eventually.TrueAsync("the collector's query to wait for the lock", TimeSpan.FromSeconds(15), async () => Convert.ToInt64(await server.ScalarAsync(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%' AND INFO LIKE '%blocks%'"), System.Globalization.CultureInfo.InvariantCulture) > 0, TimeSpan.FromMilliseconds(50));
        server.Kill();

        await collecting.Invoking(t => t).Should().ThrowAsync<UpstreamException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the lost connection ends the scrape, not the timeout");
    }

    [Fact]
    public async Task AStoppedServerIsAFailureThatSaysSo()
    {
        var server = await MariaDbServer.StartAsync(mariadb.Pristine);
        var collector = Collector(server, "root", "", "mempool");
        await server.DisposeAsync();

        await collector.Invoking(Registries.CollectAsync).Should().ThrowAsync<UpstreamException>().WithMessage("MariaDB: *");
    }
}
