using System.Text.Json.Serialization;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Campaigns;

/// <summary>A member's campaign memberships (arm or control) and conversions, bounded.</summary>
/// <remarks>
/// A membership is the member's memory that a campaign reached it: a repeated delivery (fan-out resumed after a
/// restart, a second matching event) answers from it instead of touching again. Memberships are dropped only once
/// the campaign has ended and its attribution window closed, when no delivery for it can come any more
/// (<see cref="CampaignMemberships.Prune"/>), or beyond the cap once the campaign has ended and is settled; a member
/// holding the cap in memberships it cannot forget is refused by the next campaign (<see cref="MembershipCap"/>), so the
/// list never grows past it.
/// </remarks>
public sealed class CampaignMemberState
{
    /// <summary>Oldest first.</summary>
    public List<CampaignMembership> Memberships { get; set; } = [];

    /// <summary>The attributes last written to the member index; null (and not written) before the first write.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MemberAttributes? Indexed { get; set; }
}

/// <summary>One campaign as this member had it.</summary>
public sealed class CampaignMembership
{
    public string CampaignId { get; set; } = "";

    /// <summary><c>arm</c>, <c>control</c>, <c>global_control</c> or <c>none</c> (ineligible, recorded so a repeat answers the same).</summary>
    public string Group { get; set; } = "";

    public string? Arm { get; set; }

    /// <summary>The outcome at delivery: what the campaign counted (<c>sent</c>, <c>deferred</c>, <c>suppressed</c>, <c>held</c>, <c>ineligible</c>).</summary>
    public string Outcome { get; set; } = "";

    /// <summary>The latest outcome the campaign was told about (differs from <see cref="Outcome"/> after a deferred touch went out).</summary>
    public string ReportedOutcome { get; set; } = "";

    public string? TouchId { get; set; }

    public DateTimeOffset AssignedAt { get; set; }

    public int AttributionWindowDays { get; set; }

    /// <summary>The campaign's end; with the attribution window, when this record may be forgotten.</summary>
    public DateTimeOffset ValidUntil { get; set; }

    public bool Converted { get; set; }

    public decimal Revenue { get; set; }

    /// <summary>
    /// The orders whose purchases this membership counted, CNY, so a later refund of one takes its revenue back
    /// (<see cref="CampaignMemberships.AttributeRefund"/>); null when none. Bounded over all the member's memberships
    /// (<see cref="CampaignMemberships.PruneOrders"/>): those refunded in full and those the member no longer keeps are
    /// dropped, then the oldest beyond the cap, whose later refunds no longer reduce the campaign's revenue.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<AttributedOrder>? Orders { get; set; }

    /// <summary>Purchase reports the campaign has not acknowledged yet (retried on the next event or tick), oldest first.</summary>
    public List<PendingPurchaseReport> PendingPurchases { get; set; } = [];

    /// <summary>The end of the attribution window.</summary>
    [JsonIgnore]
    public DateTimeOffset AttributionEndsAt => AssignedAt.AddDays(AttributionWindowDays);
}

/// <summary>A purchase to report to a campaign; a refund of a counted purchase is one with a negative amount and no conversion.</summary>
/// <param name="EventId">The purchase's (or refund's) event id.</param>
/// <param name="Amount">Revenue to add, CNY; negative for a refund.</param>
/// <param name="Conversion">The member's first purchase in the window.</param>
public sealed record PendingPurchaseReport(string EventId, decimal Amount, bool Conversion);

/// <summary>An order a membership counted as revenue, and how much of it refunds have taken back since (CNY).</summary>
/// <remarks>Kept only in the member's state (no API or console view shows it); a refund finds it by the order id as sent.</remarks>
public sealed class AttributedOrder
{
    /// <summary>
    /// The order as the member keeps it (<see cref="OrderIds.Key"/>): as sent when its stored JSON takes at most
    /// 36 bytes, else its fixed-size key (at most 35 bytes), as the member's orders keep it, so a membership's attributed
    /// orders take no more room with 128-character Chinese ids (CONTRACT.md §1) than with GUIDs. A row stored before
    /// attribution kept keys holds the id in full and reads back under its key, so its refunds still match; a stored null
    /// reads back as empty (no order is kept under it, so <see cref="CampaignMemberships.PruneOrders"/> drops it) rather
    /// than failing the whole row.
    /// </summary>
    public string OrderId { get; set => field = OrderIds.Key(value ?? ""); } = "";

    /// <summary>The purchase's amount counted as revenue, CNY.</summary>
    public decimal Amount { get; set; }

    /// <summary>Revenue already taken back by refunds of the order, CNY; never above <see cref="Amount"/>.</summary>
    public decimal Refunded { get; set; }
}

/// <summary>The attributes the member index holds and audiences filter on.</summary>
public sealed record MemberAttributes
{
    public string Tier { get; init; } = "";

    public string Segment { get; init; } = "";

    public string ValueClass { get; init; } = "";

    public string Stage { get; init; } = "";

    public string Region { get; init; } = "";

    /// <summary>Sorted, ordinal.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The member's phone as given (empty when none); the support search index keys on it.</summary>
    public string Phone { get; init; } = "";

    public bool SameAs(MemberAttributes? other) =>
        other is not null
        && Tier == other.Tier
        && Segment == other.Segment
        && ValueClass == other.ValueClass
        && Stage == other.Stage
        && Region == other.Region
        && Tags.SequenceEqual(other.Tags, StringComparer.Ordinal)
        && Phone == other.Phone;
}
