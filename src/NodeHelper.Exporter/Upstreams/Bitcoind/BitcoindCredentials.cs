using System.Net.Http.Headers;
using System.Text;
using NodeHelper.Core.Configuration;
using NodeHelper.Core.Upstreams;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Scraping;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The Basic credentials bitcoind expects: rpcuser/rpcpassword, or the cookie file bitcoind rewrites on every start.
/// Read once and kept; read again only when bitcoind answers 401, so a scrape costs no file I/O.
/// Neither the password nor the cookie ever leaves this class except inside the Authorization header.
/// </summary>
internal sealed class BitcoindCredentials(BitcoindOptions options)
{
    private volatile AuthenticationHeaderValue? _header;

    /// <summary>Whether the cookie file is what is sent (rather than a user and password): what a 401 then means.</summary>
    public bool UsesCookie => options.UsesCookie;

    public AuthenticationHeaderValue Get() => _header ??= Load();

    /// <summary>Reads the credentials again; true when they differ from the ones sent before (bitcoind restarted).</summary>
    public bool Reload()
    {
        var previous = _header;
        var fresh = Load();
        _header = fresh;
        return previous is null || !string.Equals(previous.Parameter, fresh.Parameter, StringComparison.Ordinal);
    }

    private AuthenticationHeaderValue Load()
    {
        var userAndPassword = options.UsesCookie ? ReadCookie() : $"{options.User}:{ReadPassword()}";
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userAndPassword)));
    }

    private string ReadCookie()
    {
        var cookie = SecretFile.Read(options.CookieFile, "Bitcoind:CookieFile", "is bitcoind running, and may this user read its data directory?").Trim();
        if (!cookie.Contains(':', StringComparison.Ordinal))
        {
            throw new UpstreamException(FailureReason.Credentials,
                $"the cookie file '{PathExpansion.Expand(options.CookieFile)}' (Bitcoind:CookieFile) does not hold 'user:password'.");
        }

        return cookie;
    }

    private string ReadPassword() =>
        options.PasswordFile.Length == 0 ? options.Password : SecretFile.ReadFirstLine(options.PasswordFile, "Bitcoind:PasswordFile");
}
