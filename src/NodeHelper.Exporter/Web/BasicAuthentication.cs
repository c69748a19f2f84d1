using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BCryptHash = BCrypt.Net.BCrypt;

namespace NodeHelper.Exporter.Web;

/// <summary>
/// HTTP basic auth against basic_auth_users' bcrypt hashes, as exporter-toolkit checks them. bcrypt is slow on
/// purpose, so a verified user and password is remembered (keyed by the user and a keyed hash of the hash and the
/// password given: another password is verified again, never taken from the cache), and only one bcrypt runs at a
/// time. An unknown user costs a bcrypt of the same cost as the configured ones, so timing tells no one which users
/// exist. A refusal is 401 with <c>WWW-Authenticate: Basic</c> and no body; no password or hash is ever logged.
/// </summary>
internal sealed partial class BasicAuthentication : IDisposable
{
    private const int CacheLimit = 1024;

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _unknownUserHash;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bcrypt = new(1, 1);
    private readonly ILogger _logger;

    public BasicAuthentication(IReadOnlyDictionary<string, string> users, ILogger logger)
    {
        _users = users;
        _logger = logger;
        var cost = users.Values.Max(hash => int.Parse(hash.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture));
        _unknownUserHash = BCryptHash.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), cost);
    }

    /// <summary>Whether the request carries the password of a configured user.</summary>
    public async Task<bool> IsAuthorizedAsync(HttpContext context)
    {
        if (!TryReadCredentials(context.Request.Headers.Authorization, out var user, out var password))
        {
            return false;
        }

        var known = _users.TryGetValue(user, out var hash);
        hash ??= _unknownUserHash;
        var key = CacheKey(user, hash, password);
        if (known && _verified.ContainsKey(key))
        {
            return true;
        }

        bool matches;
        await _bcrypt.WaitAsync(context.RequestAborted);
        try
        {
            matches = BCryptHash.Verify(password, hash);
        }
        finally
        {
            _bcrypt.Release();
        }

        if (known && matches)
        {
            if (_verified.Count >= CacheLimit)
            {
                _verified.Clear();
            }

            _verified[key] = true;
            return true;
        }

        LogRefused(_logger, context.Request.Path, context.Connection.RemoteIpAddress);

        return false;
    }

    public void Dispose() => _bcrypt.Dispose();

    /// <summary>The answer to a request without valid credentials: 401, the challenge, nothing else.</summary>
    public static Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic";
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private string CacheKey(string user, string hash, string password) =>
        user + ":" + Convert.ToHexString(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(hash + "\n" + password)));

    private static bool TryReadCredentials(string? header, out string user, out string password)
    {
        user = password = "";
        const string Scheme = "Basic ";
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = header.AsSpan(Scheme.Length).Trim();
        var bytes = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var length))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a request for {Path} from {Remote}: no valid basic auth credentials")]
    private static partial void LogRefused(ILogger logger, PathString path, System.Net.IPAddress? remote);
}
