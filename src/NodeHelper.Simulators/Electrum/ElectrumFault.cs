using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NodeHelper.Simulators.Electrum;

/// <summary>Ways an Electrum server can fail besides a closed port (see <see cref="ElectrumSimulator.StopListening"/>).</summary>
public enum ElectrumFault
{
    /// <summary>Answers as captured.</summary>
    None,

    /// <summary>Accepts the connection and never says anything.</summary>
    Silent,

    /// <summary>Answers every request with a line that is not JSON.</summary>
    Garbage,

    /// <summary>Answers with 10 MB and no newline.</summary>
    HugeLine,

    /// <summary>server.version names the software with bytes that are not valid UTF-8 (a broken build string).</summary>
    InvalidUtf8Version,

    /// <summary>Every answer carries an id of the request's plus 0.5: JSON, but not the id asked for.</summary>
    FractionalId,
}
