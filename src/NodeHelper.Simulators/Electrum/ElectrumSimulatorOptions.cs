using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Electrum;

public sealed class ElectrumSimulatorOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Serve TLS with a self-signed certificate, as electrs or Fulcrum do on 50002.</summary>
    public bool Tls { get; init; }

    /// <summary>Index a mainnet node of this size (its tip, fee histogram and estimates); null: the captured regtest server.</summary>
    public NodeHelper.Simulators.Mainnet.MainnetProfile? Mainnet { get; init; }
}
