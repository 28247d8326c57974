namespace Engagement.Console.Tests;

/// <summary>
/// The clock the console's session cookie is issued and checked by (its scheme's
/// <see cref="Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions.TimeProvider"/>): the host's own clock
/// (real time, or faketime's under <c>scripts/test --at</c>) moved on by what a test adds, so a test can make a session
/// outlive its 8 hours without moving the silo's clock (membership, leases) or the engine's pinned one.
/// </summary>
public sealed class SessionClock : TimeProvider
{
    private long _aheadTicks;

    /// <summary>Moves the session clock on by <paramref name="by"/> from where it is.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _aheadTicks, by.Ticks);

    /// <summary>Back to the host's own clock.</summary>
    public void Reset() => Interlocked.Exchange(ref _aheadTicks, 0);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _aheadTicks));
}
