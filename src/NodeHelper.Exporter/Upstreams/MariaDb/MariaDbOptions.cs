using System.Text.RegularExpressions;
using MySqlConnector;
using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.MariaDb;

/// <summary>How to reach MariaDB (the mempool backend's database). A class, not a record: the connection string may hold a password.</summary>
internal sealed partial class MariaDbOptions
{
    public const string Section = "MariaDb";

    public bool Enabled { get; init; }

    /// <summary>A MySqlConnector connection string; a password in it is allowed but PasswordFile is better.</summary>
    public string ConnectionString { get; init; } = "Server=/run/mysqld/mysqld.sock;User ID=nodehelper";

    public string PasswordFile { get; init; } = "";

    public string MempoolDatabase { get; init; } = "mempool";

    public double TimeoutSeconds { get; init; } = 5;

    public static MariaDbOptions Read(SettingsReader settings)
    {
        var d = new MariaDbOptions();
        var options = new MariaDbOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Collect from MariaDB, the mempool backend's database. Off unless you run one."),
            ConnectionString = settings.String($"{Section}:ConnectionString", d.ConnectionString,
                "MySqlConnector connection string; a Server starting with / is a Unix socket (Debian: /run/mysqld/mysqld.sock), else Server=host;Port=3306. Keep the password out of it: use MariaDb:PasswordFile.",
                RedactPassword),
            PasswordFile = settings.String($"{Section}:PasswordFile", d.PasswordFile, "File whose first line is the database user's password."),
            MempoolDatabase = settings.String($"{Section}:MempoolDatabase", d.MempoolDatabase,
                "The mempool backend's database, read for its indexing progress; empty to skip."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300, "Longest wait for the connection and each query."),
        };

        if (options.Enabled)
        {
            try
            {
                var builder = new MySqlConnectionStringBuilder(options.ConnectionString);
                if (builder.Password.Length > 0 && options.PasswordFile.Length > 0)
                {
                    settings.Fail($"{Section}:PasswordFile", "and a Password in MariaDb:ConnectionString are both set; keep one.");
                }
            }
            catch (ArgumentException)
            {
                // The value is not echoed: it may hold a password.
                settings.Fail($"{Section}:ConnectionString", "is not a valid connection string (Key=Value;Key=Value, as MySqlConnector reads it).");
            }
        }

        if (options.PasswordFile.Length > 0 && !File.Exists(PathExpansion.Expand(options.PasswordFile)))
        {
            settings.Fail($"{Section}:PasswordFile", $"'{options.PasswordFile}' does not exist or cannot be read.");
        }

        if (options.MempoolDatabase.Length > 0 && !DatabaseName().IsMatch(options.MempoolDatabase))
        {
            settings.Fail($"{Section}:MempoolDatabase", $"'{options.MempoolDatabase}' is not a plain database name (letters, digits, _ and $).");
        }

        return options;
    }

    /// <summary>The connection string the collector uses: the password filled in from its file, bounded timeouts, a small pool.</summary>
    public string BuildConnectionString()
    {
        var builder = new MySqlConnectionStringBuilder(ConnectionString)
        {
            ApplicationName = "nodehelper",
            ConnectionTimeout = (uint)Math.Ceiling(TimeoutSeconds),
            DefaultCommandTimeout = (uint)Math.Ceiling(TimeoutSeconds),
            Pooling = true,
            // The collector changes no session state (no variables, no temporary tables), so a pooled connection
            // needs no COM_RESET_CONNECTION round trip each time it is taken.
            ConnectionReset = false,
            MinimumPoolSize = 0,
            // The README's grant limits the user to 3 connections; scrapes share one fetch, so one is in use at a time.
            MaximumPoolSize = 2,
        };
        if (PasswordFile.Length > 0)
        {
            builder.Password = SecretFile.ReadFirstLine(PasswordFile, "MariaDb:PasswordFile");
        }

        return builder.ConnectionString;
    }

    /// <summary>The connection string as it may be shown: a password in it is replaced.</summary>
    internal static string RedactPassword(string connectionString)
    {
        try
        {
            var builder = new MySqlConnectionStringBuilder(connectionString);
            if (builder.Password.Length > 0)
            {
                builder.Password = "(hidden)";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(not a valid connection string; not shown)";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_$]+$")]
    private static partial Regex DatabaseName();
}
