using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;

namespace NodeHelper.Tests.Support;

/// <summary>A whole node stack on loopback, every upstream simulated from its captured exchanges; stopped on dispose.</summary>
internal sealed class SimulatedStack : IAsyncDisposable
{
    private SimulatedStack(BitcoindSimulator bitcoind, ElectrumSimulator electrum)
    {
        Bitcoind = bitcoind;
        Electrum = electrum;
    }

    public BitcoindSimulator Bitcoind { get; }

    public ElectrumSimulator Electrum { get; }

    public static async Task<SimulatedStack> StartAsync() =>
        new(await BitcoindSimulator.StartAsync(), await ElectrumSimulator.StartAsync());

    /// <summary>Exporter settings that enable every collector against this stack.</summary>
    public string[] Settings(params string[] more) =>
    [
        .. ExporterUnderTest.For(Bitcoind),
        "--Electrum:Enabled=true",
        $"--Electrum:Host={Electrum.Host}",
        $"--Electrum:Port={Electrum.Port}",
        .. more,
    ];

    public async ValueTask DisposeAsync()
    {
        await Bitcoind.DisposeAsync();
        await Electrum.DisposeAsync();
    }
}
