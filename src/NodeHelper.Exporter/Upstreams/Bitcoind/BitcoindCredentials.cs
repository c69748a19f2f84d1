using System.Net.Http.Headers;
using System.Text;
using NodeHelper.Exporter.Configuration;
using NodeHelper.Exporter.Scraping;
using NodeHelper.Core.Upstreams;
using NodeHelper.Core.Configuration;

namespace NodeHelper.Exporter.Upstreams.Bitcoind;

/// <summary>
/// The Basic credentials bitcoind expects: rpcuser/rpcpassword, or the cookie file bitcoind rewrites on every start.
/// Read once and kept; read again only when bitcoind answers 401, so a scrape costs no file I/O.
/// Neither the password nor the cookie ever leaves this class except inside the Authorization header.
/// </summary>
internal sealed class BitcoindCredentials(BitcoindOptions options)
{
    private volatile AuthenticationHeaderValue? _header;

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
        var path = PathExpansion.Expand(options.CookieFile);
        var cookie = ReadFile(path, "Bitcoind:CookieFile", "is bitcoind running, and may this user read its data directory?").Trim();
        if (!cookie.Contains(':', StringComparison.Ordinal))
        {
            throw new UpstreamException($"the cookie file '{path}' (Bitcoind:CookieFile) does not hold 'user:password'.");
        }

        return cookie;
    }

    private string ReadPassword()
    {
        if (options.PasswordFile.Length == 0)
        {
            return options.Password;
        }

        var path = PathExpansion.Expand(options.PasswordFile);
        using var lines = new StringReader(ReadFile(path, "Bitcoind:PasswordFile", "may this user read it?"));
        return lines.ReadLine()?.Trim() ?? "";
    }

    private static string ReadFile(string path, string key, string hint)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var cause = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => UpstreamException.Clip(e.Message),
            };
            throw new UpstreamException($"cannot read '{path}' ({key}): {cause}; {hint}", e);
        }
    }
}
