using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>How the simulated bitcoind authenticates: rpcuser/rpcpassword when both are set, otherwise a cookie file.</summary>
public sealed class BitcoindSimulatorOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Where the .cookie file is written in cookie mode; a new temporary directory when not set.</summary>
    public string? CookieDirectory { get; init; }

    /// <summary>
    /// Play a mainnet node of this size (peers, mempool, 4 MB blocks, years of chain tips; see
    /// <see cref="Mainnet.MainnetNode"/>); null, the default: the captured regtest node.
    /// </summary>
    public Mainnet.MainnetProfile? Mainnet { get; init; }
}
