namespace NodeHelper.Tests.Support;

/// <summary>
/// Waiting for something another process does (a scrape, a mail, a lock): the condition is asked again every
/// <c>every</c> until it holds, and a server not listening yet counts as "not yet". Past the limit, the test fails
/// naming what it waited for.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(string what, TimeSpan within, Func<Task<bool>> condition, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }

        throw new Xunit.Sdk.XunitException($"Waited {within.TotalSeconds} s for: {what}");
    }

    public static Task TrueAsync(string what, TimeSpan within, Func<bool> condition, TimeSpan? every = null) =>
        TrueAsync(what, within, () => Task.FromResult(condition()), every);
}
