namespace Engagement.Domain.Touches;

/// <summary>Recent touch decisions of one member and what the caps count.</summary>
/// <remarks>
/// Bounded: <see cref="Decisions"/> keeps the newest <c>TouchOptions.MaxRecordedDecisions</c> (open deferred
/// touches are never dropped silently), <see cref="Sent"/> keeps sent touches for
/// <c>TouchOptions.KeepSentDays</c> (the caps need 7) and always keeps those not yet published.
/// Cap counters are derived from <see cref="Sent"/>, never stored, so they cannot drift.
/// </remarks>
public sealed class TouchState
{
    /// <summary>Decision history, oldest first: every sent, deferred and suppressed decision.</summary>
    public List<TouchDecision> Decisions { get; set; } = [];

    /// <summary>Sent touches, oldest first: the caps' counting base, the touch-id dedupe set and the outbox.</summary>
    public List<TouchDecision> Sent { get; set; } = [];

    /// <summary>Year (member's local calendar) of the last birthday benefit touch requested (MemberTick); once a year.</summary>
    public int? BirthdayTouchYear { get; set; }
}
