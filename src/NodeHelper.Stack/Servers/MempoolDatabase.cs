using System.Globalization;

namespace NodeHelper.Stack.Servers;

/// <summary>
/// The mempool backend's database, as far as NodeHelper reads it: its `state`, `blocks` and `statistics` tables with
/// the mempool backend's own column definitions (backend/src/api/database-migration.ts, schema version 112), filled
/// the way the backend fills them: one row per indexed block, one statistics row a minute.
/// </summary>
public static class MempoolDatabase
{
    /// <summary>Block 150's time in the bitcoind capture; block h is given that time plus h seconds.</summary>
    public const long FirstBlockTime = 1795470000;

    public static async Task CreateAsync(MariaDbServer server, string database, int highestBlock = 150, long? newestStatistics = 1795470362, bool withRows = true)
    {
        await server.ExecuteAsync($"""
            CREATE DATABASE `{database}`;
            CREATE TABLE `{database}`.state (name varchar(100) NOT NULL, number int(11) NULL, string varchar(100) NULL,
              CONSTRAINT name_unique UNIQUE (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
            INSERT INTO `{database}`.state VALUES ('schema_version', 112, NULL), ('last_elements_block', 0, NULL);
            CREATE TABLE `{database}`.blocks (height int(11) unsigned NOT NULL, hash varchar(65) NOT NULL, blockTimestamp timestamp NOT NULL,
              size int(11) unsigned NOT NULL, weight int(11) unsigned NOT NULL, tx_count int(11) unsigned NOT NULL,
              PRIMARY KEY (hash), INDEX (height)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
            CREATE TABLE `{database}`.statistics (id int(11) NOT NULL AUTO_INCREMENT, added datetime NOT NULL,
              unconfirmed_transactions int(11) UNSIGNED NOT NULL, tx_per_second float UNSIGNED NOT NULL,
              vbytes_per_second int(10) UNSIGNED NOT NULL, mempool_byte_weight int(10) UNSIGNED NOT NULL, fee_data longtext NOT NULL,
              total_fee double UNSIGNED NOT NULL, CONSTRAINT PRIMARY KEY (id), INDEX added (added)) ENGINE=InnoDB DEFAULT CHARSET=utf8;
            """);
        if (!withRows)
        {
            return;
        }

        for (var from = 0; from <= highestBlock; from += 1000)
        {
            var to = Math.Min(highestBlock, from + 999);
            var blocks = string.Join(",", Enumerable.Range(from, to - from + 1).Select(h => BlockRow(h, FirstBlockTime + h)));
            await server.ExecuteAsync($"INSERT INTO `{database}`.blocks (height, hash, blockTimestamp, size, weight, tx_count) VALUES {blocks};");
        }

        if (newestStatistics is { } newest)
        {
            await server.ExecuteAsync($"""
                INSERT INTO `{database}`.statistics (added, unconfirmed_transactions, tx_per_second, vbytes_per_second, mempool_byte_weight, fee_data, total_fee)
                  VALUES ({StatisticsRow(newest - 60)}), ({StatisticsRow(newest)});
                """);
        }
    }

    /// <summary>What the backend does when it has indexed a new block.</summary>
    public static Task AddBlockAsync(MariaDbServer server, string database, long height, long time) =>
        server.ExecuteAsync($"INSERT INTO `{database}`.blocks (height, hash, blockTimestamp, size, weight, tx_count) VALUES {BlockRow(height, time)};");

    /// <summary>What the backend does every minute.</summary>
    public static Task AddStatisticsAsync(MariaDbServer server, string database, long time) =>
        server.ExecuteAsync($"INSERT INTO `{database}`.statistics (added, unconfirmed_transactions, tx_per_second, vbytes_per_second, mempool_byte_weight, fee_data, total_fee) VALUES ({StatisticsRow(time)});");

    private static string BlockRow(long height, long time) =>
        string.Create(CultureInfo.InvariantCulture, $"({height}, SHA2('{height}', 256), FROM_UNIXTIME({time}), 250, 1000, 1)");

    private static string StatisticsRow(long time) =>
        string.Create(CultureInfo.InvariantCulture, $"FROM_UNIXTIME({time}), 5, 0.2, 50, 906, '[]', 11788");
}
