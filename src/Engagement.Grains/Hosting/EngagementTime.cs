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
}

/// <summary>Real time, sped up from the moment it was made (see <see cref="EngagementTime.ClockSpeedSetting"/>).</summary>
public sealed class AcceleratedTimeProvider(TimeProvider real, double speed) : TimeProvider
{
    private readonly DateTimeOffset _origin = real.GetUtcNow();

    public double Speed { get; } = speed >= 1 ? speed : throw new ArgumentOutOfRangeException(nameof(speed), "must be at least 1");

    public override DateTimeOffset GetUtcNow() => _origin + (real.GetUtcNow() - _origin) * Speed;

    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;
}
