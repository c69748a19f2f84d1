using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NodeHelper.Simulators.Bitcoind;
using NodeHelper.Simulators.Electrum;
using NodeHelper.Simulators.Lnd;
using NodeHelper.Simulators.Mainnet;
using NodeHelper.Simulators.Mempool;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Stack;

/// <summary>
/// nodehelper-stack: a node stack on loopback, for `make demo`, the benchmark and trying the exporter by hand.
///   nodehelper-stack bitcoind [--port 18443] [--cookie-dir DIR | --user U --password P] [--live] [--mainnet [--peers N]]
///   nodehelper-stack --dir DIR [--base-port 28332] [--mariadb] [--live] [--mainnet [--peers N]] [--bundle REPO --exporter HOST:PORT
///                    --prometheus-port N --alertmanager-port N --smtp-port N --mail MAILDIR]
/// With --dir it starts the simulated bitcoind, an Electrum server, the mempool backend, its front end (TLS) and LND
/// (REST over TLS, its tls.cert, readonly.macaroon and channel.backup in DIR/lnd/, a copy of the backup in DIR/usb/) on
/// five consecutive ports from the base port (with --base-port 0, on free ports each binds itself),
/// with --mariadb a real MariaDB holding a mempool database, and writes DIR/exporter.env: the exporter's settings
/// for all of them. With --live the node moves like a mainnet node and the others (LND too) follow its tip. With --bundle,
/// the shipped Prometheus and Alertmanager files of REPO run too (see DemoBundle), and exporter.env gains the
/// daily report's settings, scheduled a few minutes ahead. With --mainnet the node is mainnet-sized (MainnetProfile: 125
/// peers or --peers N, a full 300 MB mempool of 150,000 transactions, 4 MB blocks, 400 chain tips), and the Electrum
/// server and the mempool backend serve the same node.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return args switch
            {
                ["bitcoind", .. var rest] => await RunBitcoindAsync(rest, stop.Token),
                [_, ..] when args.Contains("--dir") => await RunStackAsync(args, stop.Token),
                _ => await UsageAsync(),
            };
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> UsageAsync()
    {
        await Console.Error.WriteLineAsync("usage: nodehelper-stack bitcoind [--port 18443] [--cookie-dir DIR | --user U --password P] [--live] [--mainnet [--peers N]]");
        await Console.Error.WriteLineAsync("       nodehelper-stack --dir DIR [--base-port 28332, or 0 for free ports] [--mariadb] [--live] [--mainnet [--peers N]]");
        await Console.Error.WriteLineAsync("                        [--bundle REPO --exporter HOST:PORT --prometheus-port N --alertmanager-port N --smtp-port N --mail MAILDIR]");
        return 2;
    }

    private static async Task<int> RunBitcoindAsync(string[] args, CancellationToken stop)
    {
        var options = new BitcoindSimulatorOptions
        {
            Port = PortOption(args, "--port", 18443),
            User = Option(args, "--user"),
            Password = Option(args, "--password"),
            CookieDirectory = Option(args, "--cookie-dir"),
            Mainnet = Mainnet(args),
        };
        await using var bitcoind = await BitcoindSimulator.StartAsync(options, stop);
        var auth = bitcoind.CookieFile is { } cookie ? $"cookie {cookie}" : $"user {options.User}";
        Console.WriteLine($"bitcoind simulator on {bitcoind.Url} ({auth}); control: POST {bitcoind.Url}simulator/fault/WarmingUp, .../fault/None, .../mine");
        await (args.Contains("--live") ? LiveAsync(bitcoind.State, null, null, null, null, stop) : Task.Delay(Timeout.Infinite, stop));
        return 0;
    }

    private static async Task<int> RunStackAsync(string[] args, CancellationToken stop)
    {
        var dir = Option(args, "--dir") ?? throw new ArgumentException("the stack needs --dir DIR");
        var port = PortOption(args, "--base-port", 28332);
        Directory.CreateDirectory(dir);

        // --base-port 0: each simulator takes a free port as it binds (no window in which another program takes it);
        // the ports are in the env file written below.
        int At(int offset) => port == 0 ? 0 : port + offset;
        var mainnet = Mainnet(args);
        await using var bitcoind = await BitcoindSimulator.StartAsync(new BitcoindSimulatorOptions { Port = At(0), CookieDirectory = dir, Mainnet = mainnet }, stop);
        await using var electrum = await ElectrumSimulator.StartAsync(new ElectrumSimulatorOptions { Port = At(1), Mainnet = mainnet });
        await using var mempool = await MempoolSimulator.StartAsync(new MempoolSimulatorOptions { Port = At(2), Mainnet = mainnet });
        await using var frontend = await FrontendSimulator.StartAsync(DateTimeOffset.UtcNow.AddDays(75), At(3));
        // LND's files where LND keeps them together: tls.cert, readonly.macaroon, channel.backup; and the backup's copy
        // "on a USB stick", equal to it, so the backup-copy series are there and say it is current.
        var lndData = Directory.CreateDirectory(Path.Join(dir, "lnd")).FullName;
        await using var lnd = await LndSimulator.StartAsync(new LndSimulatorOptions { Port = At(4), Directory = lndData }, stop);
        var channelBackup = Path.Join(lndData, "channel.backup");
        await File.WriteAllBytesAsync(channelBackup, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024), stop);
        var channelBackupCopy = Path.Join(Directory.CreateDirectory(Path.Join(dir, "usb")).FullName, "channel.backup");
        File.Copy(channelBackup, channelBackupCopy, overwrite: true);
        // One chain: LND is at the simulated bitcoind's tip (the captures come from different networks).
        FollowTip(bitcoind.State, lnd.State);
        var bitcoinData = Directory.CreateDirectory(Path.Join(dir, "bitcoin")).FullName;
        await File.WriteAllBytesAsync(Path.Join(bitcoinData, "blk00000.dat"), new byte[1024 * 1024], stop);
        var electrsData = Directory.CreateDirectory(Path.Join(dir, "electrs")).FullName;

        MariaDbServer? mariadb = null;
        string? pristine = null;
        DemoBundle? bundle = null;
        try
        {
            var env = new StringBuilder()
                .AppendLine($"NODEHELPER_Bitcoind__Url='{bitcoind.Url}'")
                .AppendLine($"NODEHELPER_Bitcoind__CookieFile='{bitcoind.CookieFile}'")
                .AppendLine("NODEHELPER_Electrum__Enabled='true'")
                .AppendLine($"NODEHELPER_Electrum__Port='{electrum.Port}'")
                .AppendLine("NODEHELPER_Mempool__Enabled='true'")
                .AppendLine($"NODEHELPER_Mempool__Url='{mempool.Url}'")
                .AppendLine($"NODEHELPER_Mempool__FrontendUrl='{frontend.Url}'")
                .AppendLine("NODEHELPER_Mempool__FrontendTlsVerify='false'")
                .AppendLine("NODEHELPER_Lnd__Enabled='true'")
                .AppendLine($"NODEHELPER_Lnd__Url='{lnd.Url}'")
                .AppendLine($"NODEHELPER_Lnd__MacaroonFile='{lnd.MacaroonFile}'")
                .AppendLine($"NODEHELPER_Lnd__TlsCertFile='{lnd.TlsCertFile}'")
                .AppendLine($"NODEHELPER_Lnd__ChannelBackupFile='{channelBackup}'")
                .AppendLine($"NODEHELPER_Lnd__ChannelBackupCopy='{channelBackupCopy}'")
                .AppendLine($"NODEHELPER_Host__Paths__bitcoind='{bitcoinData}'")
                .AppendLine($"NODEHELPER_Host__Paths__electrs='{electrsData}'");
            if (args.Contains("--mariadb"))
            {
                pristine = await MariaDbServer.InstallPristineAsync();
                mariadb = await MariaDbServer.StartAsync(pristine);
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                await MempoolDatabase.CreateAsync(mariadb, "mempool", highestBlock: 150, newestStatistics: now);
                env.AppendLine("NODEHELPER_MariaDb__Enabled='true'")
                    .AppendLine($"NODEHELPER_MariaDb__ConnectionString='Server={mariadb.Socket};User ID=root'")
                    .AppendLine($"NODEHELPER_Host__Paths__mariadb='{Path.Join(mariadb.Directory, "data")}'");
            }

            if (Option(args, "--bundle") is { } repository)
            {
                bundle = await DemoBundle.StartAsync(dir, new DemoBundleOptions(
                    Path.GetFullPath(repository),
                    Option(args, "--exporter") ?? "127.0.0.1:9338",
                    PortOption(args, "--prometheus-port", 29090),
                    PortOption(args, "--alertmanager-port", 29093),
                    PortOption(args, "--smtp-port", 29025),
                    Path.GetFullPath(Option(args, "--mail") ?? Path.Join(dir, "mail"))));
                env.Append(bundle.ReportSettings(Path.Join(Path.GetFullPath(dir), "outbox"), TimeSpan.FromMinutes(3)));
                env.Append(bundle.StatusSettings());
            }

            // The pages the demo prints, each one that opens on these programs (demo.sh reads them).
            if (bundle is not null)
            {
                await File.WriteAllTextAsync(Path.Join(dir, "links.env"), new StringBuilder()
                    .AppendLine($"PROMETHEUS_ALERTS='{await bundle.AlertsPageAsync()}'")
                    .AppendLine($"PROMETHEUS_URL='{bundle.PrometheusUrl}'")
                    .AppendLine($"RUNBOOK_URL='{bundle.RunbookUrl}'")
                    .AppendLine($"ALERTMANAGER_URL='{bundle.AlertmanagerUrl}'")
                    .ToString(), stop);
            }

            // Values are single-quoted: the file is sourced by a shell, and a connection string holds ';' and spaces.
            // Written last: demo.sh waits for it.
            await File.WriteAllTextAsync(Path.Join(dir, "exporter.env"), env.ToString(), stop);
            Console.WriteLine($"simulated stack: bitcoind {bitcoind.Url}, Electrum 127.0.0.1:{electrum.Port}, mempool {mempool.Url}, front end {frontend.Url}, LND {lnd.Url}"
                + (mariadb is null ? "" : $", MariaDB {mariadb.Socket}")
                + (bundle is null ? "" : $"; Prometheus {bundle.PrometheusUrl}, Alertmanager {bundle.AlertmanagerUrl}, mail to {bundle.Options.Maildir}"));
            Console.WriteLine($"LND simulator on {lnd.Url} (tls.cert, readonly.macaroon, channel.backup in {lndData}); its own control, no macaroon: "
                + $"curl -k -X POST {lnd.Url}simulator/wallet/locked, .../wallet/active, .../fault/Http500, .../fault/None, .../synced/chain/false, "
                + ".../channel/{chan_id}/inactive, .../force-close, .../htlc, .../clear");

            if (args.Contains("--live"))
            {
                await LiveAsync(bitcoind.State, electrum.State, mempool.State, lnd.State, mariadb, stop);
            }
            else
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
        }
        finally
        {
            if (bundle is not null)
            {
                await bundle.DisposeAsync();
            }

            if (mariadb is not null)
            {
                await mariadb.DisposeAsync();
            }

            if (pristine is not null)
            {
                MariaDbServer.DeletePristine(pristine);
            }
        }

        return 0;
    }

    /// <summary>
    /// Moves the simulated node along in real time so graphs and rates show something: a block every two minutes
    /// (the Electrum server, the mempool backend and LND follow two seconds later, and the mempool database indexes it),
    /// traffic, a mempool that breathes, a statistics row a minute.
    /// </summary>
    private static async Task LiveAsync(BitcoindState node, ElectrumState? electrum, MempoolState? mempool, LndState? lnd, MariaDbServer? mariadb, CancellationToken stop)
    {
        // A mainnet-sized node keeps its peers, mempool and fees as generated; the small one gets ten peers and a mempool that breathes.
        var small = node.Mainnet is null;
        node.Chain = "main";
        node.Warnings = [];
        node.Blocks = node.Headers = node.Mainnet?.Profile.Height ?? 925_000;
        node.BestBlockTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 240;
        if (small)
        {
            node.SetPeerCount(10);
            foreach (var target in new[] { 1, 2, 3, 6, 12, 24, 144 })
            {
                node.FeeRates[target] = 0.00001m * Math.Max(1, 40 / target);
            }
        }

        // The followers start in step with the node; from then on they follow each block two seconds late.
        await FollowAsync(node, electrum, mempool, lnd, mariadb);
        var second = 0;
        var followed = node.Blocks;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stop))
        {
            second++;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            node.UptimeSeconds++;
            node.BytesReceived += 40_000 + (second % 7 * 1000);
            node.BytesSent += 90_000 + (second % 5 * 3000);
            if (small)
            {
                node.MempoolTransactions = 3000 + (long)(1500 * Math.Sin(second / 60.0));
                node.MempoolVsizeBytes = node.MempoolTransactions * 250;
                node.MempoolUsageBytes = node.MempoolVsizeBytes * 4;
            }

            if (second % 120 == 0)
            {
                node.MineBlock(now);
            }

            if (followed != node.Blocks && second % 120 == 2)
            {
                followed = node.Blocks;
                await FollowAsync(node, electrum, mempool, lnd, mariadb);
            }

            if (mempool is not null && small)
            {
                mempool.MempoolCount = node.MempoolTransactions;
                mempool.MempoolVsize = node.MempoolVsizeBytes;
                mempool.Fees = (40 + (second % 30), 20, 10, 4, 1);
            }

            if (mariadb is not null && second % 60 == 0)
            {
                await MempoolDatabase.AddStatisticsAsync(mariadb, "mempool", now);
            }
        }
    }

    private static async Task FollowAsync(BitcoindState node, ElectrumState? electrum, MempoolState? mempool, LndState? lnd, MariaDbServer? mariadb)
    {
        if (lnd is not null)
        {
            FollowTip(node, lnd);
        }

        if (electrum is not null)
        {
            electrum.TipHeight = node.Blocks;
            electrum.TipTime = (uint)node.BestBlockTime;
        }

        if (mempool is not null)
        {
            mempool.TipHeight = node.Blocks;
        }

        if (mariadb is not null)
        {
            await MempoolDatabase.AddBlockAsync(mariadb, "mempool", node.Blocks, node.BestBlockTime);
        }
    }

    /// <summary>LND at the node's tip: its height, and the time in that block's header.</summary>
    private static void FollowTip(BitcoindState node, LndState lnd)
    {
        lnd.BlockHeight = node.Blocks;
        lnd.BestHeaderTimestamp = node.BestBlockTime;
    }

    /// <summary>--mainnet: a mainnet-sized node, with --peers N peers (125 by default).</summary>
    private static MainnetProfile? Mainnet(string[] args) =>
        args.Contains("--mainnet") ? new MainnetProfile { Peers = PortOption(args, "--peers", new MainnetProfile().Peers) } : null;

    private static int PortOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
