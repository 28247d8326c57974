using System.Text.Json.Serialization;
using Engagement.Domain.Members;

namespace Engagement.Domain.Growth;

/// <summary>
/// A capped behaviour (share, review, login) that earned growth, kept with its instant for the last
/// <see cref="GrowthPolicy.CapDaysKept"/> member-local days: per day and type only the earliest ones up to the cap
/// (by <see cref="EventKey"/>) are kept, so a late event that happened earlier can take its place (CONTRACT.md §1.1).
/// Older records fold into <see cref="MemberState.GrowthByDay"/>. A manual growth adjustment is kept here too, as type
/// <see cref="GrowthPolicy.AdjustmentRecordType"/> (its growth may be negative), and never folds: it stays with its
/// instant for as long as a day bucket would be kept, so the tier held at a late purchase is exact (CONTRACT.md §1.1).
/// </summary>
public sealed class BehaviourRecord
{
    public string EventId { get; set; } = "";

    /// <summary><c>share</c>, <c>review</c> or <c>login</c>; <c>adjustment</c> for a manual growth adjustment.</summary>
    public string Type { get; set; } = "";

    /// <summary>The event's occurredAt.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>
    /// The member-local date (yyyy-MM-dd) the daily cap counted this behaviour on, and the one its ledger reason names:
    /// the date of <see cref="At"/> in the member's time zone when it was applied (CONTRACT.md §1.1). Kept so a later
    /// time zone change does not move it to another date: on the member's clock that login happened on this date, and
    /// the cap compares a new event's local date with it. Null for adjustments and for records written before it
    /// existed; those count on the date of <see cref="At"/> in the member's zone now. Not written when null (no
    /// <c>"day":null</c> in every stored adjustment).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? Day { get; set; }

    /// <summary>Growth it earned (the rule's value when it was applied; an adjustment's delta, which may be negative).</summary>
    public long Growth { get; set; }

    [JsonIgnore]
    public EventKey Key => new(At, EventId);
}
