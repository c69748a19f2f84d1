using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>Ways a bitcoind (or the network in front of it) can fail, each played the way the real thing does.</summary>
public enum BitcoindFault
{
    /// <summary>Answers as recorded.</summary>
    None,

    /// <summary>HTTP 401 with no body, as bitcoind answers a wrong password.</summary>
    Unauthorized,

    /// <summary>HTTP 403 with no body, as bitcoind answers a batch holding a method the user's rpcwhitelist lacks.</summary>
    Forbidden,

    /// <summary>Start-up: every call fails with error -28 (HTTP 500 for a single call, per entry for a batch).</summary>
    WarmingUp,

    /// <summary>HTTP 500 with an HTML page, as a proxy in front of bitcoind answers.</summary>
    Http500,

    /// <summary>HTTP 200 whose body is not JSON.</summary>
    NotJson,

    /// <summary>HTTP 200 announcing a full body, sending half of it, then closing the connection.</summary>
    TruncatedBody,

    /// <summary>HTTP 200 with a 50 MB body, sent without a Content-Length.</summary>
    HugeBody,

    /// <summary>Accepts the request and never answers.</summary>
    NeverAnswers,

    /// <summary>Answers the batch with well-formed JSON of the wrong shape (getblockchaininfo's result is a string).</summary>
    WrongShape,
}
