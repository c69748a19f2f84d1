using System.Globalization;
using NodeHelper.Stack.Servers;

namespace NodeHelper.Tests.Support;

/// <summary>
/// A real Prometheus holding the <see cref="RecordedDay"/> (<see cref="BackfilledPrometheus"/>). Started once for
/// the report's tests and stopped after them.
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
        Server = await BackfilledPrometheus.StartAsync(Day.ToOpenMetrics(), "report");
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
