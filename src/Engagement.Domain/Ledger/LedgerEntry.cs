using System.Text.Json.Serialization;

namespace Engagement.Domain.Ledger;

/// <summary>
/// Why a points balance, growth value or tier changed. The archive row key is <see cref="Sequence"/>. In JSON (the
/// member's stored state) an entry is a positional array (see <see cref="LedgerEntryJsonConverter"/>).
/// </summary>
[JsonConverter(typeof(LedgerEntryJsonConverter))]
public sealed record LedgerEntry
{
    /// <summary>Per member, strictly increasing.</summary>
    public long Sequence { get; init; }

    /// <summary>The instant the engine recorded the change (UTC, from its clock; an expiry's or a tier grace's own instant).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>
    /// The instant the change took effect in the member's history (UTC): the event's own <c>occurredAt</c> for an entry an
    /// event caused (CONTRACT.md §1.1: events apply as of their occurredAt, so after a backlog or an offline POS upload
    /// this is the sale's time while <see cref="At"/> is the upload's); the lot's expiry instant for an expiry; null when
    /// it is <see cref="At"/> (manual adjustments, redemptions, ticks, and every entry stored before this field existed).
    /// Read it through <see cref="EffectiveOccurredAt"/>.
    /// </summary>
    public DateTimeOffset? OccurredAt { get => _occurredAt; init => _occurredAt = value; }

    private DateTimeOffset? _occurredAt;

    /// <summary><see cref="OccurredAt"/>, or <see cref="At"/> when the entry has none (UTC).</summary>
    public DateTimeOffset EffectiveOccurredAt => OccurredAt ?? At;

    /// <summary>See <see cref="LedgerKinds"/>.</summary>
    public string Kind { get; init; } = "";

    /// <summary>Points or growth added (negative when taken); for tiers, levels moved.</summary>
    public long Delta { get; init; }

    /// <summary>Points balance, trailing growth, or tier level (1 = lowest) after the change.</summary>
    public long BalanceAfter { get; init; }

    /// <summary>For people: "purchase O-1 of 1000.00 CNY".</summary>
    public string Reason { get; init; } = "";

    /// <summary>See <see cref="RuleIds"/>.</summary>
    public string RuleId { get; init; } = "";

    public string? EventId { get; init; }

    /// <summary>
    /// Sets <see cref="OccurredAt"/> (UTC) on an entry the current event has just appended and nothing else holds yet
    /// (<see cref="LedgerBook.DateFrom"/>): the same object stays in the new entries and the recent ledger, so dating
    /// it needs no copy.
    /// </summary>
    internal void DateAt(DateTimeOffset utc) => _occurredAt = utc;

    /// <summary>
    /// For a tier entry: the tier (name) the member left in its history (event time), the one held just before the move. For
    /// most moves that is the tier held when it was recorded; for a refund replayed in order (a late event) it can be a higher
    /// tier the member held then, not the one <see cref="Delta"/> counts from. Read so the tier held before a move is known by
    /// name, whatever the ladder has become since (CONTRACT.md §1.1). Null for other kinds, and for every entry stored before
    /// this field existed.
    /// </summary>
    public string? TierLeft { get; init; }
}

public static class LedgerKinds
{
    public const string Points = "points";
    public const string Growth = "growth";
    public const string Tier = "tier";
}

/// <summary>Stable ids of the rules that write the ledger; outside tools filter on them.</summary>
public static class RuleIds
{
    public const string PointsEarn = "points.earn";
    public const string PointsEarnFirstPurchaseDouble = "points.earn.first-purchase-double";
    public const string PointsRefund = "points.refund";
    public const string PointsRedeem = "points.redeem";
    public const string PointsExpire = "points.expire";
    public const string GrowthPurchase = "growth.purchase";
    public const string GrowthRefund = "growth.refund";
    public const string TierUpgrade = "tier.upgrade";
    public const string TierDowngradeRefund = "tier.downgrade.refund";
    public const string TierDowngradeGrace = "tier.downgrade.grace";

    /// <summary>Points an order earns changed because an event that occurred before it arrived later (CONTRACT.md §1.1).</summary>
    public const string PointsEarnCorrection = "points.earn.correction";

    /// <summary>The rule id of a correction to what <paramref name="ruleId"/> granted: <c>{ruleId}.correction</c>.</summary>
    public static string CorrectionOf(string ruleId) => ruleId + ".correction";

    /// <summary>Behaviour growth: <c>growth.share</c>, <c>growth.review</c>, <c>growth.login</c>.</summary>
    public static string GrowthFor(string eventType) => "growth." + eventType;
}
