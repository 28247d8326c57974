namespace Engagement.Domain.Members;

/// <summary>
/// One change of the member's time zone by a <c>profile_update</c>: from <see cref="From"/> to the next change's zone (or
/// <see cref="MemberState.TimeZone"/> for the newest) at <see cref="At"/>. Kept for the last days whose behaviour caps
/// are kept, so a late share, review or login is dated in the zone the member had at its <c>occurredAt</c>, as it would
/// have been in order (CONTRACT.md §1.1).
/// </summary>
public sealed record TimeZoneChange
{
    /// <summary>The occurredAt of the <c>profile_update</c> that changed the zone (its own offset).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The IANA id the member had before it; null for the programme default.</summary>
    public string? From { get; init; }
}
