namespace NodeHelper.Simulators.Lnd;

/// <summary>
/// Ways LND (or what stands in front of it) can fail besides its wallet state (<see cref="LndState.WalletState"/>) and
/// slowness (<see cref="LndState.Latency"/>, <see cref="LndState.GraphInfoLatency"/>). Faults apply to every endpoint,
/// /v1/state included, except the macaroon ones, which spare /v1/state as LND does.
/// </summary>
public enum LndFault
{
    /// <summary>Answers as captured (or as built from the swagger).</summary>
    None,

    /// <summary>
    /// Every macaroon is refused, the right one too, as after LND's macaroon root key was rotated or the macaroon database
    /// replaced: HTTP 500 with <c>{"code":2,"message":"verification failed: signature mismatch after caveat verification"}</c>.
    /// </summary>
    MacaroonRejected,

    /// <summary>
    /// The macaroon is LND's but lacks the call's permission (one baked without, say, offchain:read): HTTP 500 with
    /// <c>{"code":2,"message":"permission denied"}</c> on every call but /v1/state.
    /// </summary>
    PermissionDenied,

    /// <summary>HTTP 401 with no JSON body: an authenticating reverse proxy in front of LND refusing the request.</summary>
    Unauthorized,

    /// <summary>
    /// HTTP 403 with no JSON body: a reverse proxy's refusal. (LND itself answers a macaroon lacking a permission with
    /// HTTP 500, <c>{"code":2,"message":"permission denied"}</c>; see <see cref="MacaroonRejected"/> for its own refusals.)
    /// </summary>
    Forbidden,

    /// <summary>HTTP 500 with a gRPC status body (code 13, internal), as grpc-gateway maps an internal error.</summary>
    Http500,

    /// <summary>HTTP 200 whose body is not JSON.</summary>
    Garbage,

    /// <summary>HTTP 200 announcing a full body, sending half of it, then closing the connection.</summary>
    TruncatedBody,

    /// <summary>HTTP 200 with a 50 MB body, sent without a Content-Length.</summary>
    HugeBody,

    /// <summary>Accepts the request and never answers (until the client gives up).</summary>
    NeverAnswers,
}
