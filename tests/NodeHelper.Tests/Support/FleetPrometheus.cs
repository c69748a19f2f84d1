using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>A real Prometheus holding the <see cref="FleetDay"/> (<see cref="BackfilledPrometheus"/>), for one test class.</summary>
public class FleetPrometheus : IAsyncLifetime
{
    /// <summary>Whether it holds the day of a prober that was down (<see cref="FleetDay.ProberDown"/>).</summary>
    protected virtual bool ProberDown => false;

    /// <summary>Whether it holds the day of a probe that began failing (<see cref="FleetDay.ProbeFailing"/>).</summary>
    protected virtual bool ProbeFailing => false;

    /// <summary>Whether it holds the day of the local node's collector that began failing (<see cref="FleetDay.LocalFailing"/>).</summary>
    protected virtual bool LocalFailing => false;

    internal FleetDay Day { get; private set; } = null!;

    internal ServerProcess Server { get; private set; } = null!;

    public Uri Url => Server.Url;

    public async Task InitializeAsync()
    {
        // The last sample a minute ago, on a whole minute: a finished past, as a day's report sees it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Day = new FleetDay(DateTimeOffset.FromUnixTimeSeconds((now / 60 * 60) - 60), ProberDown, ProbeFailing, LocalFailing);
        Server = await BackfilledPrometheus.StartAsync(Day.ToOpenMetrics(),
            ProberDown ? "prober-down" : ProbeFailing ? "probe-failing" : LocalFailing ? "local-failing" : "fleet");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>A real Prometheus holding the day of a prober that was down (<see cref="FleetDay.ProberDown"/>).</summary>
public sealed class ProberDownPrometheus : FleetPrometheus
{
    protected override bool ProberDown => true;
}

/// <summary>A real Prometheus holding the day of a probe that began failing (<see cref="FleetDay.ProbeFailing"/>).</summary>
public sealed class ProbeFailingPrometheus : FleetPrometheus
{
    protected override bool ProbeFailing => true;
}

/// <summary>A real Prometheus holding the day of the local node's collector that began failing (<see cref="FleetDay.LocalFailing"/>).</summary>
public sealed class LocalFailingPrometheus : FleetPrometheus
{
    protected override bool LocalFailing => true;
}
