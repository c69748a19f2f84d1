using NodeHelper.Core.Configuration;
using NodeHelper.Exporter.Configuration;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>How to reach bitcoind's JSON-RPC interface. A class, not a record: a record's ToString would print the password.</summary>
internal sealed class BitcoindOptions
{
    public const string Section = "Bitcoind";

    public bool Enabled { get; init; } = true;

    public Uri Url { get; init; } = new("http://127.0.0.1:8332/");

    public string CookieFile { get; init; } = "~/.bitcoin/.cookie";

    public string User { get; init; } = "";

    public string Password { get; init; } = "";

    public string PasswordFile { get; init; } = "";

    public double TimeoutSeconds { get; init; } = 8;

    public IReadOnlyList<int> FeeTargets { get; init; } = [1, 2, 3, 6, 12, 24, 144];

    /// <summary>Which credentials to send: rpcuser/rpcpassword when a user is set, otherwise the cookie file.</summary>
    public bool UsesCookie => User.Length == 0;

    public static BitcoindOptions Read(SettingsReader settings)
    {
        var d = new BitcoindOptions();
        var options = new BitcoindOptions
        {
            Enabled = settings.Bool($"{Section}:Enabled", d.Enabled, "Collect from bitcoind (Bitcoin Core or Knots)."),
            Url = settings.HttpUrl($"{Section}:Url", d.Url.ToString(), "bitcoind's JSON-RPC address (rpcbind/rpcport)."),
            CookieFile = settings.String($"{Section}:CookieFile", d.CookieFile,
                "Cookie file written by bitcoind; used when Bitcoind:User is empty. Re-read when bitcoind answers 401 (it changes on every restart). For testnet/signet/regtest it lives in the network's subdirectory."),
            User = settings.String($"{Section}:User", d.User, "rpcuser (or the user of an rpcauth line); leave empty for cookie authentication."),
            Password = settings.Secret($"{Section}:Password", "rpcpassword for Bitcoind:User. Prefer Bitcoind:PasswordFile or the NODEHELPER_Bitcoind__Password environment variable."),
            PasswordFile = settings.String($"{Section}:PasswordFile", d.PasswordFile, "File whose first line is the password for Bitcoind:User."),
            TimeoutSeconds = settings.Seconds($"{Section}:TimeoutSeconds", d.TimeoutSeconds, 0.1, 300,
                "Longest wait for bitcoind's answer; the scrape's own deadline can cut it shorter."),
            FeeTargets = settings.IntList($"{Section}:FeeTargets", d.FeeTargets, 1, 1008,
                "Confirmation targets, in blocks, for bitcoind_fee_estimate_sat_per_vbyte (estimatesmartfee)."),
        };

        if (options.User.Length == 0 && (options.Password.Length > 0 || options.PasswordFile.Length > 0))
        {
            settings.Fail($"{Section}:User", "is empty, but a password is set; set the user too, or remove the password to use the cookie file.");
        }

        if (options.Password.Length > 0 && options.PasswordFile.Length > 0)
        {
            settings.Fail($"{Section}:PasswordFile", "and Bitcoind:Password are both set; keep one.");
        }

        if (options.User.Length > 0 && options.Password.Length == 0 && options.PasswordFile.Length == 0)
        {
            settings.Fail($"{Section}:User", "is set, but neither Bitcoind:Password nor Bitcoind:PasswordFile is.");
        }

        if (options.PasswordFile.Length > 0 && !File.Exists(PathExpansion.Expand(options.PasswordFile)))
        {
            settings.Fail($"{Section}:PasswordFile", $"'{options.PasswordFile}' does not exist or cannot be read.");
        }

        return options;
    }
}
