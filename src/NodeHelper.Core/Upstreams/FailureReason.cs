namespace NodeHelper.Core.Upstreams;

/// <summary>
/// Why an upstream could not be read, from a small fixed set: the <c>reason</c> label of
/// <c>nodehelper_scrape_collector_failure_reason</c>, which the alerts and their mails turn into a sentence. The
/// message of the <see cref="UpstreamException"/> carrying it says the rest, in the log.
/// </summary>
internal enum FailureReason
{
    /// <summary>Nothing listens at the address (connection refused): the program is stopped, or still starting (electrs, Fulcrum).</summary>
    Refused,

    /// <summary>The address cannot be reached: its name does not resolve, no route to the host.</summary>
    Unreachable,

    /// <summary>No (whole) answer within the upstream's timeout or the scrape's deadline.</summary>
    Timeout,

    /// <summary>The connection broke off before the answer was complete.</summary>
    ConnectionLost,

    /// <summary>The TLS handshake failed: the certificate, its name, or the protocol.</summary>
    Tls,

    /// <summary>The credentials were refused (HTTP 401 even after the cookie was read again; a database login denied).</summary>
    Unauthorized,

    /// <summary>The credentials were accepted but the request is not allowed (HTTP 403 from an rpcwhitelist; a missing grant).</summary>
    Forbidden,

    /// <summary>NodeHelper cannot read its own credentials: the cookie or password file is missing or not readable.</summary>
    Credentials,

    /// <summary>bitcoind is starting (RPC error -28) and answers nothing else yet.</summary>
    WarmingUp,

    /// <summary>An HTTP error status other than 401 and 403.</summary>
    HttpError,

    /// <summary>An answer that is not what the upstream sends: not JSON, the wrong shape, not the protocol.</summary>
    InvalidResponse,

    /// <summary>An answer larger than NodeHelper reads.</summary>
    TooLarge,

    /// <summary>The upstream answered with an error of its own (an RPC error, a database error, systemctl failing).</summary>
    UpstreamError,

    /// <summary>Something NodeHelper did not expect: a bug, which the log shows with its stack trace.</summary>
    Internal,
}

/// <summary>The label values of <see cref="FailureReason"/>.</summary>
internal static class FailureReasons
{
    public static readonly FailureReason[] All = Enum.GetValues<FailureReason>();

    public static string Label(this FailureReason reason) => reason switch
    {
        FailureReason.Refused => "refused",
        FailureReason.Unreachable => "unreachable",
        FailureReason.Timeout => "timeout",
        FailureReason.ConnectionLost => "connection_lost",
        FailureReason.Tls => "tls",
        FailureReason.Unauthorized => "unauthorized",
        FailureReason.Forbidden => "forbidden",
        FailureReason.Credentials => "credentials",
        FailureReason.WarmingUp => "warming_up",
        FailureReason.HttpError => "http_error",
        FailureReason.InvalidResponse => "invalid_response",
        FailureReason.TooLarge => "too_large",
        FailureReason.UpstreamError => "upstream_error",
        _ => "internal",
    };
}
