using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Collectors;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Service;

/// <summary>Layer 3 with a real MariaDB: the whole stack over real sockets, MariaDB's failures its own.</summary>
[Collection(SharedMariaDb.Name)]
public sealed class MariaDbServiceTests(MariaDbFixture mariadb) : IAsyncLifetime
{
    private SimulatedStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SimulatedStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private static string[] MariaDbSettings(MariaDbServer server, string user, string passwordFile, string database) =>
    [
        "--MariaDb:Enabled=true",
        $"--MariaDb:ConnectionString=Server={server.Socket};User ID={user}",
        $"--MariaDb:PasswordFile={passwordFile}",
        $"--MariaDb:MempoolDatabase={database}",
    ];

    [Fact]
    public async Task TheWholeStackAnswersWithExactMempoolProgressAndPassesPromtool()
    {
        var database = mariadb.UniqueName("mempool");
        await MariaDbCollectorTests.CreateMempoolDatabaseAsync(mariadb.Server, database, highestBlock: 149);
        var user = await MariaDbCollectorTests.CreateUserFromReadmeAsync(mariadb.Server, mariadb.UniqueName("nodehelper"), "Stack-pw-3");
        var passwordFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(passwordFile, "Stack-pw-3\n");
        try
        {
            await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings(MariaDbSettings(mariadb.Server, user, passwordFile, database)));

            var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 10);

            scrape.Metrics.Family("nodehelper_scrape_collector_success").Should().HaveCount(SimulatedStack.Collectors.Length + 1).And.OnlyContain(s => s.Value == 1);
            scrape.Metrics.Value("bitcoind_blocks").Should().Be(150);
            scrape.Metrics.Value("mariadb_mempool_indexed_block_height").Should().Be(149, "the mempool database is one block behind bitcoind");
            (await ExternalProcess.PromtoolCheckMetricsAsync(scrape.Body)).ExitCode.Should().Be(0);
            scrape.Body.Should().NotContain("Stack-pw-3");
            exporter.Logs.All.Should().NotContain("Stack-pw-3");
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [Fact]
    public async Task APasswordChangedInItsFileIsReadAgainAfterALoginIsRefused()
    {
        // The operator rotates the password (ALTER USER, then the file) while the exporter runs: the refused login
        // must not be repeated with the old password until a restart.
        var user = await MariaDbCollectorTests.CreateUserFromReadmeAsync(mariadb.Server, mariadb.UniqueName("nodehelper"), "Old-pw-1");
        var passwordFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(passwordFile, "Old-pw-1\n");
        try
        {
            await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings(MariaDbSettings(mariadb.Server, user, passwordFile, "")));
            (await exporter.ScrapeAsync()).Metrics.Value("mariadb_up").Should().Be(1);

            // The pooled connection outlives ALTER USER: it is killed, so that the next login is a new one.
            await mariadb.Server.ExecuteAsync($"ALTER USER '{user}'@'localhost' IDENTIFIED BY 'New-pw-2'; KILL USER '{user}'");
            var refused = false;
            for (var attempt = 0; attempt < 3 && !refused; attempt++)
            {
                refused = (await exporter.ScrapeAsync()).Metrics.Series.ContainsKey(
                    "nodehelper_scrape_collector_failure_reason{collector=\"mariadb\",reason=\"unauthorized\"}");
            }

            await File.WriteAllTextAsync(passwordFile, "New-pw-2\n");
            var after = (await exporter.ScrapeAsync()).Metrics;

            refused.Should().BeTrue("the old password is refused");
            after.Value("mariadb_up").Should().Be(1, "the new password is read from the file");
            exporter.Logs.All.Should().NotContain("Old-pw-1").And.NotContain("New-pw-2");
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [Fact]
    public async Task AStoppedMariaDbIsItsOwnFailure()
    {
        var server = await MariaDbServer.StartAsync(mariadb.Pristine);
        var passwordFile = Path.GetTempFileName();
        try
        {
            await using var exporter = await ExporterUnderTest.StartAsync(_stack.Settings(MariaDbSettings(server, "root", passwordFile, "mempool")));
            (await exporter.ScrapeAsync()).Metrics.Value("mariadb_up").Should().Be(1);
            await server.DisposeAsync();

            var scrape = await exporter.ScrapeAsync(prometheusTimeoutSeconds: 3);

            scrape.Status.Should().Be(200);
            scrape.Metrics.Value("mariadb_up").Should().Be(0);
            scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", "mariadb")).Should().Be(0);
            scrape.Metrics.Names.Where(n => n.StartsWith("mariadb_", StringComparison.Ordinal)).Should().Equal("mariadb_up");
            foreach (var other in SimulatedStack.Collectors)
            {
                scrape.Metrics.Value("nodehelper_scrape_collector_success", ("collector", other)).Should().Be(1);
            }
        }
        finally
        {
            await server.DisposeAsync();
            File.Delete(passwordFile);
        }
    }
}
