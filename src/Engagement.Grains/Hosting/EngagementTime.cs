namespace Engagement.Grains.Hosting;

/// <summary>
/// The clock the engine's rules run on: a keyed <see cref="TimeProvider"/>, so tests can move it
/// (FakeTimeProvider) without moving the clock Orleans' own timers and membership run on.
/// </summary>
public static class EngagementTime
{
    public const string Key = "engagement";

    /// <summary>
    /// Test-only: <c>Engagement:Testing:ClockSpeed</c> &gt; 1 runs the engine clock that many times faster than
    /// real time from start-up, so an end-to-end test can watch a 70-day win-back in a minute. Never set in production.
    /// </summary>
    public const string ClockSpeedSetting = "Engagement:Testing:ClockSpeed";

    /// <summary>
    /// Test-only: <c>Engagement:Testing:ClockStart</c>, an ISO-8601 instant (e.g. <c>2026-11-23T02:00:00Z</c>), is what
    /// the engine clock shows when the host starts; it then runs forward (at <see cref="ClockSpeedSetting"/> if set), so an
    /// end-to-end test's outcome never depends on the wall clock's time of day. The API and the queue receivers check
    /// <c>occurredAt</c> on this clock too, so one host has one "now". Never set in production.
    /// </summary>
    public const string ClockStartSetting = "Engagement:Testing:ClockStart";
}

/// <summary>
/// Real time from the moment it was made, sped up (see <see cref="EngagementTime.ClockSpeedSetting"/>) and starting at
/// a given instant if one is given (see <see cref="EngagementTime.ClockStartSetting"/>); it advances with the monotonic
/// clock, so a change of the wall clock does not move it.
/// </summary>
public sealed class AcceleratedTimeProvider(TimeProvider real, double speed, DateTimeOffset? start = null) : TimeProvider
{
    private readonly DateTimeOffset _origin = start ?? real.GetUtcNow();
    private readonly long _originTimestamp = real.GetTimestamp();

    public double Speed { get; } = speed >= 1 ? speed : throw new ArgumentOutOfRangeException(nameof(speed), "must be at least 1");

    public override DateTimeOffset GetUtcNow() => _origin + real.GetElapsedTime(_originTimestamp) * Speed;

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;
}

/// <summary>
/// How reminder periods (real time, as Orleans runs them) map to the engine clock. Identity in production; a host
/// whose engine clock runs faster (<see cref="EngagementTime.ClockSpeedSetting"/>, tests only) registers its speed.
/// </summary>
public sealed class ReminderClock
{
    /// <summary>Reminders and the engine clock run at the same speed.</summary>
    public static readonly ReminderClock RealTime = new(1);

    /// <param name="speed">Engine seconds per real second; at least 1.</param>
    public ReminderClock(double speed) =>
        Speed = speed >= 1 ? speed : throw new ArgumentOutOfRangeException(nameof(speed), "must be at least 1");

    /// <summary>Engine seconds per real second.</summary>
    public double Speed { get; }

    /// <summary>A real-time span (a reminder period) as engine time.</summary>
    public TimeSpan ToEngine(TimeSpan real) => real * Speed;

    /// <summary>An engine-time span (time until something is due) as real time, for a reminder.</summary>
    public TimeSpan ToReal(TimeSpan engine) => engine / Speed;
}
