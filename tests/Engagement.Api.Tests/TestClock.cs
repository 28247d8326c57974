namespace Engagement.Api.Tests;

/// <summary>
/// A test's engine clock: it shows <see cref="Start"/> when made and then runs at real speed (on the monotonic clock,
/// so the wall clock's time of day and date never reach the test). The test host runs its engine clock from this
/// clock's now (<c>Engagement:Testing:ClockStart</c>), so the test and the host agree on the instant within the
/// moment the host takes to start.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    /// <summary>Monday 2026-11-23 12:00 in Shanghai (04:00 UTC): outside the members' quiet hours (21:00–09:00), in
    /// the past of the wall clock the suite was written at.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    private readonly long _origin = System.GetTimestamp();

    public DateTimeOffset Start { get; } = start;

    public override DateTimeOffset GetUtcNow() => Start + System.GetElapsedTime(_origin);
}
