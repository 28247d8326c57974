namespace Engagement.Grains.Hosting;

/// <summary>
/// The clock the engine's rules run on: a keyed <see cref="TimeProvider"/>, so tests can move it
/// (FakeTimeProvider) without moving the clock Orleans' own timers and membership run on.
/// </summary>
public static class EngagementTime
{
    public const string Key = "engagement";
}
