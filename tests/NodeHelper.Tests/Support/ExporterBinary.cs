namespace NodeHelper.Tests.Support;

/// <summary>The nodehelper binary beside the tests, for tests that start it as a user does, in its own process.</summary>
internal static class ExporterBinary
{
    public static readonly string Dll = Path.Join(AppContext.BaseDirectory, "nodehelper.dll");

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
