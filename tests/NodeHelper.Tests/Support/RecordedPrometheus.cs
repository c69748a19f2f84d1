using System.Globalization;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A real Prometheus holding the <see cref="RecordedDay"/>: its 25 hours are written as blocks with Debian's
/// promtool (<c>tsdb create-blocks-from openmetrics</c>), then Prometheus serves them. Started once for the report's
/// tests and stopped after them.
/// </summary>
public sealed class RecordedPrometheus : IAsyncLifetime
{
    internal RecordedDay Day { get; private set; } = null!;

    internal ServerProcess Server { get; private set; } = null!;

    public Uri Url => Server.Url;

    public async Task InitializeAsync()
    {
        // The last sample a minute ago, on a whole minute: the data is a finished past, as a day's report sees it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Day = new RecordedDay(DateTimeOffset.FromUnixTimeSeconds((now / 60 * 60) - 60));
        var directory = Directory.CreateTempSubdirectory("nodehelper-report-prometheus-").FullName;
        var history = Path.Join(directory, "history.om");
        await File.WriteAllTextAsync(history, Day.ToOpenMetrics());
        var promtool = ExternalProcess.Require("promtool", "run `make test`, which installs Debian's prometheus package");
        var backfill = await ExternalProcess.RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", history, Path.Join(directory, "data")],
            timeout: TimeSpan.FromMinutes(5));
        if (backfill.ExitCode != 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"promtool could not write the recorded day: {backfill.StandardError}");
        }

        File.Delete(history);
        await File.WriteAllTextAsync(Path.Join(directory, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
        Server = await RealServers.StartPrometheusAsync(directory);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A clock that reads <see cref="RecordedDay.End"/> plus however long has passed since it was made, in UTC.</summary>
    internal TimeProvider ClockAtEnd(TimeSpan offset = default) => new ShiftedClock(Day.End + offset - DateTimeOffset.UtcNow);

    /// <summary>A clock stopped at <see cref="RecordedDay.End"/>, for a report made at exactly that moment.</summary>
    internal TimeProvider ClockStoppedAtEnd() => new StoppedClock(Day.End);

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }

    internal static string Minute(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
}
