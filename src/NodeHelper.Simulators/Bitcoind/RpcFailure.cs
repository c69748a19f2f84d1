using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Bitcoind;

/// <summary>A JSON-RPC error as bitcoind reports it.</summary>
public sealed record RpcFailure(int Code, string Message)
{
    public static readonly RpcFailure MethodNotFound = new(-32601, "Method not found");
}
