using System.Diagnostics;

namespace NodeHelper.Tests.Support;

/// <summary>The nodehelper binary beside the tests, for tests that start it as a user does, in its own process.</summary>
internal static class ExporterBinary
{
    public static readonly string Dll = Path.Join(AppContext.BaseDirectory, "nodehelper.dll");

    /// <summary>
    /// Starts an exporter as <paramref name="start"/> says (a release binary, in a chroot, under restrictions), runs
    /// <paramref name="whileServing"/> with its first scrape at <paramref name="port"/>, then kills it. Fails with the
    /// exporter's own output if it exits before it answers.
    /// </summary>
    public static async Task ServeAsync(ProcessStartInfo start, int port, Func<Exposition, Task> whileServing)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var scrape = ScrapeWhenListeningAsync(http);
            if (await Task.WhenAny(scrape, process.WaitForExitAsync()) != scrape)
            {
                throw new Xunit.Sdk.XunitException($"the exporter exited with {process.ExitCode}: {await errors}{await output}");
            }

            await whileServing(Exposition.Parse(await scrape));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    /// <summary>The first scrape of an exporter started as <paramref name="start"/> says (see <see cref="ServeAsync"/>).</summary>
    public static async Task<Exposition> FirstScrapeAsync(ProcessStartInfo start, int port)
    {
        Exposition? first = null;
        await ServeAsync(start, port, scrape =>
        {
            first = scrape;
            return Task.CompletedTask;
        });
        return first!;
    }

    /// <summary>GET /metrics from <paramref name="http"/>'s base address, again every 100 ms until the exporter listens (30 s at most).</summary>
    public static async Task<string> ScrapeWhenListeningAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync("metrics");
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                await Task.Delay(100);
            }
        }
    }
}
