using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Tiers;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Members;

/// <summary>
/// Everything one event, command or tick did to a member, in one value (<see cref="MemberDecider"/>): whether the
/// state changed (so the grain writes once, or not at all), what it recorded, and the effects it queued in the
/// member's <see cref="MemberOutbox"/> for the grain to emit after the write.
/// </summary>
public record MemberOutcome
{
    /// <summary>True when the member state differs from before: the grain writes it exactly once.</summary>
    public bool StateChanged { get; init; }

    /// <summary>Ledger entries written (also queued for the archive), oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Entries { get; init; } = [];

    /// <summary>Tier moves, oldest first.</summary>
    public IReadOnlyList<TierChange> TierChanges { get; init; } = [];

    /// <summary>Lifecycle stage moves (ticks only), oldest first.</summary>
    public IReadOnlyList<StageChange> StageChanges { get; init; } = [];

    /// <summary>Touch decisions taken (sent, deferred, suppressed); sent ones are queued for the touch outbox.</summary>
    public IReadOnlyList<TouchDecision> Touches { get; init; } = [];

    /// <summary>The effects this call queued in <see cref="MemberState.Outbox"/>.</summary>
    public IReadOnlyList<MemberEffect> Effects { get; init; } = [];

    /// <summary>The next instant something about the member falls due without an event (ticks only); null: nothing scheduled.</summary>
    public DateTimeOffset? NextDueAt { get; init; }
}

/// <summary>A <see cref="MemberOutcome"/> with the answer the caller gets (an event's status, a redemption's result, ...).</summary>
/// <typeparam name="TReply">The rule's own decision type.</typeparam>
public sealed record MemberOutcome<TReply> : MemberOutcome
{
    /// <summary>The rule's answer to the caller.</summary>
    public required TReply Reply { get; init; }
}
