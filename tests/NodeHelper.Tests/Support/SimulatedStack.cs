using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mempool;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A whole node stack on loopback, every upstream simulated from its captured exchanges, the host read from the
/// fixture /proc tree with real temporary data directories, and a systemctl that answers as systemd does.
/// Stopped and deleted on dispose.
/// </summary>
internal sealed class SimulatedStack : IAsyncDisposable
{
    /// <summary>Every collector the stack enables, by name (MariaDB, which needs a real server, is added by its own tests).</summary>
    public static readonly string[] Collectors = ["bitcoind", "electrum", "mempool", "mempool_frontend", "lnd", "host", "services", "posture", "updates", "backups"];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-stack-");

    private SimulatedStack(BitcoindSimulator bitcoind, ElectrumSimulator electrum, MempoolSimulator mempool, FrontendSimulator frontend, LndSimulator lnd)
    {
        Lnd = lnd;
        // One chain: LND follows the simulated bitcoind's tip (the captures come from different networks).
        Lnd.State.BlockHeight = BitcoindState.CapturedHeight;
        Bitcoind = bitcoind;
        Electrum = electrum;
        Mempool = mempool;
        Frontend = frontend;
        BitcoinDirectory = Directory.CreateDirectory(Path.Join(_work.FullName, "bitcoin")).FullName;
        File.WriteAllBytes(Path.Join(BitcoinDirectory, "blk00000.dat"), new byte[4096]);
        ElectrsDirectory = Directory.CreateDirectory(Path.Join(_work.FullName, "electrs")).FullName;
        Systemctl = Path.Join(_work.FullName, "systemctl");
        File.WriteAllText(Systemctl, $"#!/bin/sh\ncat '{Path.Join(AppContext.BaseDirectory, "Fixtures", "systemd", "show.txt")}'\n");
        File.SetUnixFileMode(Systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        UpdateFeed = Path.Join(_work.FullName, "update-feed.json");
        File.WriteAllText(UpdateFeed, """{"generated": "2026-12-01T06:00:00Z", "latest": {"bitcoin_core": "99.0.0", "fulcrum": "2.1.1", "nodehelper": "0.0.1"}}""");

        // LND's channel backup and its copy on a "USB stick", and a restic job's textfile-collector file.
        ChannelBackup = Path.Join(Directory.CreateDirectory(Path.Join(_work.FullName, "lnd")).FullName, "channel.backup");
        File.WriteAllBytes(ChannelBackup, [1, 2, 3, 4]);
        var usb = Directory.CreateDirectory(Path.Join(_work.FullName, "usb")).FullName;
        File.Copy(ChannelBackup, Path.Join(usb, "channel.backup"));
        File.WriteAllText(Path.Join(usb, "restic.prom"), $"restic_backup_last_success_timestamp_seconds {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\n");
    }

    /// <summary>A version feed with a newer Bitcoin Core than the simulator's, the simulated Fulcrum's own release, an older NodeHelper.</summary>
    public string UpdateFeed { get; }

    /// <summary>LND's channel.backup, of which the stack's backups collector watches a copy.</summary>
    public string ChannelBackup { get; }

    public string BitcoinDirectory { get; }

    public string ElectrsDirectory { get; }

    public string Systemctl { get; }

    public BitcoindSimulator Bitcoind { get; }

    public ElectrumSimulator Electrum { get; }

    public MempoolSimulator Mempool { get; }

    /// <summary>LND over REST with its own tls.cert and readonly.macaroon; per-channel series on.</summary>
    public LndSimulator Lnd { get; }

    /// <summary>The copy of <see cref="ChannelBackup"/> on the "USB stick" (Lnd:ChannelBackupCopy, and a backups item).</summary>
    public string ChannelBackupCopy => Path.Join(_work.FullName, "usb", "channel.backup");

    /// <summary>The front end over TLS with a self-signed certificate valid for 60 days.</summary>
    public FrontendSimulator Frontend { get; }

    public static async Task<SimulatedStack> StartAsync() =>
        new(await BitcoindSimulator.StartAsync(), await ElectrumSimulator.StartAsync(), await MempoolSimulator.StartAsync(),
            await FrontendSimulator.StartAsync(certificateNotAfter: DateTimeOffset.UtcNow.AddDays(60)), await LndSimulator.StartAsync());

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
        "--Lnd:Enabled=true",
        $"--Lnd:Url={Lnd.Url}",
        $"--Lnd:MacaroonFile={Lnd.MacaroonFile}",
        $"--Lnd:TlsCertFile={Lnd.TlsCertFile}",
        $"--Lnd:ChannelBackupFile={ChannelBackup}",
        $"--Lnd:ChannelBackupCopy={ChannelBackupCopy}",
        "--Lnd:PerChannel=true",
        $"--Host:Root={Path.Join(AppContext.BaseDirectory, "Fixtures", "host")}",
        $"--Host:Paths:bitcoind={BitcoinDirectory}",
        $"--Host:Paths:electrs={ElectrsDirectory}",
        $"--Services:SystemctlPath={Systemctl}",
        $"--Updates:FeedFile={UpdateFeed}",
        $"--Backups:Items:channel_backup:Path={ChannelBackupCopy}",
        $"--Backups:Items:channel_backup:CopyOf={ChannelBackup}",
        $"--Backups:Items:restic:Path={Path.Join(_work.FullName, "usb", "restic.prom")}",
        "--Backups:Items:restic:MaxAgeHours=26",
        $"--Posture:AptGetPath={ExporterUnderTest.UpToDateAptGet}",
        .. more,
    ];

    public async ValueTask DisposeAsync()
    {
        await Bitcoind.DisposeAsync();
        await Electrum.DisposeAsync();
        await Mempool.DisposeAsync();
        await Frontend.DisposeAsync();
        await Lnd.DisposeAsync();
        _work.Delete(recursive: true);
    }
}
