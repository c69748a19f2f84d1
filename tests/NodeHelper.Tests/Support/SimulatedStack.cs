using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Mempool;

namespace NodeHelper.Tests.Support;

/// <summary>A whole node stack on loopback, every upstream simulated from its captured exchanges; stopped on dispose.</summary>
internal sealed class SimulatedStack : IAsyncDisposable
{
    private SimulatedStack(BitcoindSimulator bitcoind, ElectrumSimulator electrum, MempoolSimulator mempool, FrontendSimulator frontend)
    {
        Bitcoind = bitcoind;
        Electrum = electrum;
        Mempool = mempool;
        Frontend = frontend;
    }

    public BitcoindSimulator Bitcoind { get; }

    public ElectrumSimulator Electrum { get; }

    public MempoolSimulator Mempool { get; }

    /// <summary>The front end over TLS with a self-signed certificate valid for 60 days.</summary>
    public FrontendSimulator Frontend { get; }

    public static async Task<SimulatedStack> StartAsync() =>
        new(await BitcoindSimulator.StartAsync(), await ElectrumSimulator.StartAsync(), await MempoolSimulator.StartAsync(),
            await FrontendSimulator.StartAsync(certificateNotAfter: DateTimeOffset.UtcNow.AddDays(60)));

    /// <summary>Exporter settings that enable every collector against this stack.</summary>
    public string[] Settings(params string[] more) =>
    [
        .. ExporterUnderTest.For(Bitcoind),
        "--Electrum:Enabled=true",
        $"--Electrum:Host={Electrum.Host}",
        $"--Electrum:Port={Electrum.Port}",
        "--Mempool:Enabled=true",
        $"--Mempool:Url={Mempool.Url}",
        $"--Mempool:FrontendUrl={Frontend.Url}",
        "--Mempool:FrontendTlsVerify=false",
        .. more,
    ];

    public async ValueTask DisposeAsync()
    {
        await Bitcoind.DisposeAsync();
        await Electrum.DisposeAsync();
        await Mempool.DisposeAsync();
        await Frontend.DisposeAsync();
    }
}
