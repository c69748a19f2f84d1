using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>One MariaDB server for the whole test run, shared by the tests of the "MariaDB" collection; each test uses its own database and users.</summary>
public sealed class MariaDbFixture : IAsyncLifetime
{
    private int _counter;

    internal MariaDbServer Server { get; private set; } = null!;

    /// <summary>The initialised data directory, for tests that need a server of their own (to kill it).</summary>
    internal string Pristine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pristine = await MariaDbServer.InstallPristineAsync();
        Server = await MariaDbServer.StartAsync(Pristine);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        MariaDbServer.DeletePristine(Pristine);
    }

    /// <summary>A name no other test of this run uses, for a database or a user.</summary>
    internal string UniqueName(string prefix) => $"{prefix}_{Interlocked.Increment(ref _counter)}_{Environment.ProcessId}";
}
