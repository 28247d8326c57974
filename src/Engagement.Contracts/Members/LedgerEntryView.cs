using System.Text.Json.Serialization;

namespace Engagement.Contracts.Members;

/// <summary>Why a points balance or growth value changed (CONTRACT.md §4, ledger).</summary>
[GenerateSerializer, Immutable, Alias("engagement.ledger-entry.v1")]
public sealed record LedgerEntryView
{
    /// <summary>Per-member sequence number; strictly increasing, the idempotency key of the archive row.</summary>
    [Id(0)] public long Sequence { get; init; }

    /// <summary>The instant the engine recorded the change (UTC). Unchanged in meaning since v1.</summary>
    [Id(1)] public DateTimeOffset At { get; init; }

    /// <summary><c>points</c> or <c>growth</c> (tier changes appear as <c>tier</c>).</summary>
    [Id(2)] public required string Kind { get; init; }

    [Id(3)] public long Delta { get; init; }

    [Id(4)] public long BalanceAfter { get; init; }

    /// <summary>Human-readable reason, e.g. "purchase O-1 of 1000.00 CNY".</summary>
    [Id(5)] public required string Reason { get; init; }

    /// <summary>The rule that decided it, e.g. <c>points.earn.first-purchase-double</c>.</summary>
    [Id(6)] public required string RuleId { get; init; }

    [Id(7)] public string? EventId { get; init; }

    /// <summary>
    /// The instant the change took effect (UTC, ISO 8601 with offset on the wire): the causing event's own
    /// <c>occurredAt</c> (CONTRACT.md §1.1; a sale uploaded late by an offline POS shows the sale's time here and the
    /// upload's in <see cref="At"/>); a lot's expiry instant for <c>points.expire</c>; a grace's end for
    /// <c>tier.downgrade.grace</c>; <see cref="At"/> for manual adjustments, redemptions and other engine-made entries.
    /// Entries recorded before this field existed have none stored and answer <see cref="At"/>'s value.
    /// </summary>
    [Id(8)] public DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// For a <c>tier</c> entry: the tier the move left in order (e.g. <c>V3</c> for "V2 → V1 (in order V3 → V1)"), for the
    /// history and its display only: the rules never read this view or the archived rows, they judge a late refund from the
    /// member state's own recent ledger (CONTRACT.md §1.1). Null for other kinds and for tier entries recorded before the
    /// engine named it (then left out of the JSON).
    /// </summary>
    [Id(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TierLeft { get; init; }
}

/// <summary>A page of ledger entries, newest first.</summary>
[GenerateSerializer, Immutable, Alias("engagement.ledger-page.v1")]
public sealed record LedgerPage
{
    [Id(0)] public IReadOnlyList<LedgerEntryView> Entries { get; init; } = [];

    /// <summary>Pass as <c>before</c> to read the next (older) page; null at the start of history.</summary>
    [Id(1)] public long? NextBefore { get; init; }
}

/// <summary>Ledger query: kind filter (<c>points</c>, <c>growth</c>, <c>tier</c> or null for all), page size, and an exclusive upper sequence.</summary>
[GenerateSerializer, Immutable, Alias("engagement.ledger-query.v1")]
public sealed record LedgerQuery
{
    [Id(0)] public string? Kind { get; init; }

    [Id(1)] public int Limit { get; init; } = 50;

    [Id(2)] public long? Before { get; init; }
}
