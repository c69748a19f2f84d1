using System.Globalization;
using System.Runtime.InteropServices;
using NodeHelper.Simulators.Bitcoind;

namespace NodeHelper.Simulators;

/// <summary>
/// nodehelper-sim: runs a simulated upstream on loopback for `make demo` and for trying the exporter by hand.
///   nodehelper-sim bitcoind [--port 18443] [--cookie-dir DIR | --user U --password P] [--live]
/// With --live the node moves like a real one: a block every two minutes, peers, a breathing mempool, fee estimates.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["bitcoind", .. var rest])
        {
            await Console.Error.WriteLineAsync("usage: nodehelper-sim bitcoind [--port 18443] [--cookie-dir DIR | --user U --password P] [--live]");
            return 2;
        }

        var options = new BitcoindSimulatorOptions
        {
            Port = int.Parse(Option(rest, "--port") ?? "18443", CultureInfo.InvariantCulture),
            User = Option(rest, "--user"),
            Password = Option(rest, "--password"),
            CookieDirectory = Option(rest, "--cookie-dir"),
        };
        await using var simulator = await BitcoindSimulator.StartAsync(options);
        var auth = simulator.CookieFile is { } cookie ? $"cookie {cookie}" : $"user {options.User}";
        Console.WriteLine($"bitcoind simulator on {simulator.Url} ({auth}); control: POST {simulator.Url}simulator/fault/WarmingUp, .../fault/None, .../mine");

        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (rest.Contains("--live"))
        {
            await LiveAsync(simulator.State, stop.Token);
        }
        else
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>Moves the simulated node along in real time so graphs and rates show something.</summary>
    private static async Task LiveAsync(BitcoindState state, CancellationToken stop)
    {
        state.Chain = "main";
        state.Warnings = [];
        state.Blocks = state.Headers = 925_000;
        state.BestBlockTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 240;
        state.SetPeerCount(10);
        foreach (var target in new[] { 1, 2, 3, 6, 12, 24, 144 })
        {
            state.FeeRates[target] = 0.00001m * Math.Max(1, 40 / target);
        }

        var second = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                second++;
                state.UptimeSeconds++;
                state.BytesReceived += 40_000 + (second % 7 * 1000);
                state.BytesSent += 90_000 + (second % 5 * 3000);
                state.MempoolTransactions = 3000 + (long)(1500 * Math.Sin(second / 60.0));
                state.MempoolVsizeBytes = state.MempoolTransactions * 250;
                state.MempoolUsageBytes = state.MempoolVsizeBytes * 4;
                if (second % 120 == 0)
                {
                    state.MineBlock(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
