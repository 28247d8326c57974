using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>
/// Everything time alone makes due for one member, in one call: lifecycle stage and win-back, deferred touches
/// whose time has come, points-expiry notices, birthday benefit touches, points expiry and tier grace.
/// The member grain calls it on its reminder (and whenever it wakes past <see cref="MemberTickResult.NextDueAt"/>).
/// </summary>
public static class MemberTick
{
    public static MemberTickResult Run(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var touches = new List<TouchDecision>();

        var lifecycle = LifecyclePolicy.Tick(state, options, now);

        // Touches that have waited (quiet hours, caps) go before new ones, so they keep their turn under the caps.
        touches.AddRange(TouchGovernor.RetryDeferred(state, options, now));
        foreach (var request in lifecycle.TouchRequests)
        {
            touches.Add(TouchGovernor.Decide(state, request, options, now));
        }

        var next = Earliest(lifecycle.NextDueAt, TouchGovernor.NextDeferredAt(state));

        return new MemberTickResult
        {
            DecidedAt = now,
            Lifecycle = lifecycle,
            Touches = touches,
            NextDueAt = next,
        };
    }

    internal static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}

/// <summary>What <see cref="MemberTick.Run"/> changed; already applied to the member state.</summary>
public sealed record MemberTickResult
{
    public DateTimeOffset DecidedAt { get; init; }

    public required LifecycleDecision Lifecycle { get; init; }

    /// <summary>Every touch decision taken in this tick (sent, deferred, suppressed).</summary>
    public IReadOnlyList<TouchDecision> Touches { get; init; } = [];

    /// <summary>The touches of this tick that go to the outbox (also in <see cref="TouchGovernor.PendingPublish"/> until confirmed).</summary>
    public IReadOnlyList<TouchDecision> Sent => [.. Touches.Where(t => t.Decision == TouchDecisions.Sent)];

    /// <summary>
    /// The next instant anything about this member can change without an event: a lifecycle boundary, a deferred
    /// touch's retry. Null: nothing is scheduled. The grain should be awake then (its periodic reminder alone may
    /// fire in quiet hours every day and never reach a deferred touch's 09:00).
    /// </summary>
    public DateTimeOffset? NextDueAt { get; init; }
}
