using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BCryptHash = BCrypt.Net.BCrypt;

namespace NodeHelper.Exporter.Web;

/// <summary>
/// HTTP basic auth against basic_auth_users' bcrypt hashes, as exporter-toolkit checks them. bcrypt is slow on
/// purpose, so a verified user and password is remembered (keyed by the user and a keyed hash of the hash and the
/// password given: another password is verified again, never taken from the cache), and only one bcrypt runs at a
/// time (exporter-toolkit's lock). That queue is bounded: a check that finds <see cref="DefaultMaxWaiting"/> others
/// already waiting, or cannot start within <see cref="DefaultMaxWait"/>, is refused without a bcrypt, so a flood of
/// wrong passwords cannot pile up work (a remembered login never queues). Every check that is not remembered runs one
/// bcrypt per distinct cost among the users (the user's own hash at its cost, a hash of a random password at each
/// other), so a known and an unknown user take the same work whatever their costs; with one cost for all users (the
/// usual), that is one bcrypt. A refusal is 401 with <c>WWW-Authenticate: Basic</c> and no body; no password or hash
/// is ever logged.
/// </summary>
internal sealed partial class BasicAuthentication : IDisposable
{
    public const int DefaultMaxWaiting = 8;

    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(5);

    private const int CacheLimit = 1024;

    private readonly IReadOnlyDictionary<string, string> _users;

    /// <summary>Each distinct cost among the users, with a hash of a random password at that cost.</summary>
    private readonly SortedDictionary<int, string> _decoys = [];
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bcrypt = new(1, 1);
    private readonly int _maxWaiting;
    private readonly TimeSpan _maxWait;
    private readonly Func<string, string, bool> _verify;
    private readonly ILogger _logger;
    private int _queued;

    public BasicAuthentication(IReadOnlyDictionary<string, string> users, ILogger logger)
        : this(users, logger, DefaultMaxWaiting, DefaultMaxWait, (password, hash) => BCryptHash.Verify(password, hash))
    {
    }

    /// <summary>With the queue's bounds and the bcrypt itself given (tests).</summary>
    internal BasicAuthentication(IReadOnlyDictionary<string, string> users, ILogger logger, int maxWaiting, TimeSpan maxWait, Func<string, string, bool> verify)
    {
        _users = users;
        _logger = logger;
        _maxWaiting = maxWaiting;
        _maxWait = maxWait;
        _verify = verify;
        foreach (var cost in users.Values.Select(Cost).Distinct())
        {
            _decoys[cost] = BCryptHash.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), cost);
        }
    }

    /// <summary>The hashes an uncached check for <paramref name="user"/> runs bcrypt against: one per distinct cost, the user's own at its cost.</summary>
    internal IReadOnlyList<string> HashesFor(string user)
    {
        var own = _users.GetValueOrDefault(user);
        return [.. _decoys.Select(d => own is not null && Cost(own) == d.Key ? own : d.Value)];
    }

    /// <summary>Whether the request carries the password of a configured user.</summary>
    public async Task<bool> IsAuthorizedAsync(HttpContext context)
    {
        if (!TryReadCredentials(context.Request.Headers.Authorization, out var user, out var password))
        {
            return false;
        }

        var known = _users.TryGetValue(user, out var hash);
        var key = CacheKey(user, hash ?? "", password);
        if (known && _verified.ContainsKey(key))
        {
            return true;
        }

        var matches = false;
        if (Interlocked.Increment(ref _queued) > _maxWaiting + 1)
        {
            Interlocked.Decrement(ref _queued);
            LogQueueFull(_logger, context.Request.Path, context.Connection.RemoteIpAddress);
            return false;
        }

        try
        {
            if (!await _bcrypt.WaitAsync(_maxWait, context.RequestAborted))
            {
                LogQueueFull(_logger, context.Request.Path, context.Connection.RemoteIpAddress);
                return false;
            }

            try
            {
                foreach (var candidate in HashesFor(user))
                {
                    // Every hash is checked, the user's own or not: the work is the same for every name.
                    matches |= _verify(password, candidate) && known && ReferenceEquals(candidate, hash);
                }
            }
            finally
            {
                _bcrypt.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
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

    /// <summary>The user and password of a Basic Authorization header (nothing checked).</summary>
    internal static bool TryReadCredentials(string? header, out string user, out string password)
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

    private static int Cost(string hash) => int.Parse(hash.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a request for {Path} from {Remote} without checking its password: too many password checks are waiting")]
    private static partial void LogQueueFull(ILogger logger, PathString path, System.Net.IPAddress? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a request for {Path} from {Remote}: no valid basic auth credentials")]
    private static partial void LogRefused(ILogger logger, PathString path, System.Net.IPAddress? remote);
}
