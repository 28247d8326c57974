namespace Engagement.Contracts.Campaigns;

/// <summary>
/// A marketing campaign as marketing defines it (<c>POST /api/v1/campaigns</c>). Optional fields carry the documented
/// defaults once <see cref="CampaignDefinitions.Normalize"/> ran; the grain stores the normalized form.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-definition.v1")]
public sealed record CampaignDefinition
{
    /// <summary>1–64 chars of <c>A–Z a–z 0–9 _ - .</c>; the grain key and part of every touch id.</summary>
    [Id(0)] public string Id { get; init; } = "";

    [Id(1)] public string Name { get; init; } = "";

    /// <summary><c>broadcast</c> (fanned out on trigger) or <c>triggered</c> (fires on matching member events).</summary>
    [Id(2)] public string Kind { get; init; } = "";

    /// <summary>Who may receive it; empty lists mean any.</summary>
    [Id(3)] public CampaignAudience Audience { get; init; } = new();

    /// <summary>The default offer of every arm.</summary>
    [Id(4)] public CampaignOffer? Offer { get; init; }

    /// <summary><c>sms</c>, <c>push</c>, <c>call</c> or <c>wechat</c>.</summary>
    [Id(5)] public string Channel { get; init; } = "";

    /// <summary>Higher first when several triggered campaigns match one event. Default 0.</summary>
    [Id(6)] public int Priority { get; init; }

    /// <summary>Start of the campaign's validity; in JSON ISO-8601 with an offset (<see cref="OffsetDateTimeJsonConverter"/>).</summary>
    [Id(7)]
    [System.Text.Json.Serialization.JsonConverter(typeof(OffsetDateTimeJsonConverter))]
    public DateTimeOffset ValidFrom { get; init; }

    /// <summary>Exclusive end; touches that cannot go out before it are suppressed. In JSON ISO-8601 with an offset.</summary>
    [Id(8)]
    [System.Text.Json.Serialization.JsonConverter(typeof(OffsetDateTimeJsonConverter))]
    public DateTimeOffset ValidUntil { get; init; }

    [Id(9)] public CampaignBudget Budget { get; init; } = new();

    /// <summary>Variant arms; default one arm <c>main</c> of weight 1.</summary>
    [Id(10)] public IReadOnlyList<CampaignArm> Arms { get; init; } = [];

    /// <summary>Share of the audience held out as control, 0–0.5. Default 0.10.</summary>
    [Id(11)] public double? ControlShare { get; init; }

    /// <summary>Days after assignment in which a purchase counts as a conversion, 1–90. Default 7.</summary>
    [Id(12)] public int? AttributionWindowDays { get; init; }

    /// <summary>Required for <c>triggered</c> campaigns.</summary>
    [Id(13)] public CampaignTrigger? Trigger { get; init; }
}

/// <summary>Audience filter on the member index attributes; every non-empty list must contain the member's value.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-audience.v1")]
public sealed record CampaignAudience
{
    /// <summary>E.g. <c>V2</c>, <c>V3</c>.</summary>
    [Id(0)] public IReadOnlyList<string> Tiers { get; init; } = [];

    /// <summary>RFM segment names, e.g. <c>Champions</c>, <c>At Risk</c>.</summary>
    [Id(1)] public IReadOnlyList<string> Segments { get; init; } = [];

    /// <summary><c>A</c>, <c>B</c>, <c>C</c>.</summary>
    [Id(2)] public IReadOnlyList<string> ValueClasses { get; init; } = [];

    /// <summary><c>new</c>, <c>active</c>, <c>at_risk</c>, <c>dormant</c>.</summary>
    [Id(3)] public IReadOnlyList<string> Stages { get; init; } = [];

    /// <summary>
    /// Region ids (a member's region is the <c>regionId</c> of its latest event that carried one), each keeping the
    /// events' regionId rule (<c>RegionIdRule</c>: 1–64 Unicode code points, e.g. <c>华东</c>) and kept as sent; a member
    /// matches when its region equals one of them ignoring case (ordinal), as with every audience list.
    /// </summary>
    [Id(4)] public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>The member must carry at least one of these tags.</summary>
    [Id(5)] public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>What a member is offered.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-offer.v1")]
public sealed record CampaignOffer
{
    /// <summary><c>coupon</c>, <c>points</c> or <c>benefit</c>.</summary>
    [Id(0)] public string Kind { get; init; } = "";

    /// <summary>The coupon/benefit code the channel connector hands out; goes out as the touch's <c>offer</c>.</summary>
    [Id(1)] public string Code { get; init; } = "";

    /// <summary>Cost to the programme of one grant, CNY (≥ 0).</summary>
    [Id(2)] public decimal UnitCost { get; init; }

    /// <summary>For <c>points</c> offers: points granted.</summary>
    [Id(3)] public long? Points { get; init; }

    /// <summary>
    /// For <c>coupon</c> offers: the coupon each member of the arm receives (kind, value, minSpend, validDays, scope; its
    /// grantId is the campaign's). Absent: a no-threshold coupon worth <see cref="UnitCost"/>, or a gift coupon naming
    /// <see cref="Code"/> when the unit cost is 0. A coupon tied to skus is issued only where the member's store has them.
    /// </summary>
    [Id(4)] public Offers.CouponGrant? Coupon { get; init; }
}

/// <summary>Limits on grants; null means no limit of that kind.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-budget.v1")]
public sealed record CampaignBudget
{
    [Id(0)] public long? MaxGrants { get; init; }

    [Id(1)] public decimal? MaxCost { get; init; }
}

/// <summary>A variant; its offer, when given, replaces the campaign's.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-arm.v1")]
public sealed record CampaignArm
{
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>Relative weight (&gt; 0) among the arms.</summary>
    [Id(1)] public double Weight { get; init; } = 1;

    [Id(2)] public CampaignOffer? Offer { get; init; }
}

/// <summary>The behaviour that fires a triggered campaign.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-trigger.v1")]
public sealed record CampaignTrigger
{
    /// <summary>An event type of CONTRACT.md §1, e.g. <c>purchase</c>, <c>add_to_cart</c>.</summary>
    [Id(0)] public string EventType { get; init; } = "";

    /// <summary>When set, the event must carry an item of this category.</summary>
    [Id(1)] public string? ItemCategory { get; init; }

    /// <summary>When set, the event's amount must be at least this.</summary>
    [Id(2)] public decimal? MinAmount { get; init; }
}

/// <summary>Values of <see cref="CampaignDefinition.Kind"/>.</summary>
public static class CampaignKinds
{
    public const string Broadcast = "broadcast";
    public const string Triggered = "triggered";
}

/// <summary>Values of <see cref="CampaignOffer.Kind"/>.</summary>
public static class OfferKinds
{
    public const string Coupon = "coupon";
    public const string Points = "points";
    public const string Benefit = "benefit";
}
