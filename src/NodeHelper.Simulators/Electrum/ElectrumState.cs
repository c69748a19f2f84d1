using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodeHelper.Simulators.Mainnet;

namespace NodeHelper.Simulators.Electrum;

/// <summary>What the simulated Electrum server reports; starts as the capture (Fulcrum 2.1.1, tip 150).</summary>
public sealed class ElectrumState
{
    public ElectrumFault Fault { get; set; }

    /// <summary>Delay before each answer.</summary>
    public TimeSpan Latency { get; set; }

    public string ServerVersion { get; set; } = "Fulcrum 2.1.1";

    public long TipHeight { get; set; } = 150;

    /// <summary>The time written into the tip header; the capture's by default.</summary>
    public uint TipTime { get; set; } = ElectrumSimulator.CapturedTipTime;

    /// <summary>Sends a new-tip notification before each answer, as a server does after a block when subscribed.</summary>
    public bool NotifyBeforeAnswers { get; set; }

    /// <summary>The mainnet node this server indexes, when <see cref="UseMainnet"/> made it one: its tip, fee histogram and estimates.</summary>
    public MainnetNode? Mainnet { get; private set; }

    /// <summary>Serves a mainnet node of <paramref name="profile"/>'s size: the same tip and mempool as that bitcoind's.</summary>
    public void UseMainnet(MainnetProfile profile)
    {
        Mainnet = MainnetNode.For(profile);
        TipHeight = profile.Height;
        TipTime = (uint)profile.TipTime;
    }
}
