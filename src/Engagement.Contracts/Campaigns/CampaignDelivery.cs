namespace Engagement.Contracts.Campaigns;

/// <summary>What a campaign asks one member to do: touch (arm) or only remember (control, global control).</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-delivery.v1")]
public sealed record CampaignDelivery
{
    [Id(0)] public required string CampaignId { get; init; }

    /// <summary>See <see cref="CampaignGroups"/>.</summary>
    [Id(1)] public required string Group { get; init; }

    /// <summary>The arm's name for <c>arm</c>; null otherwise.</summary>
    [Id(2)] public string? Arm { get; init; }

    [Id(3)] public required string Channel { get; init; }

    /// <summary>The arm's offer; null for control groups.</summary>
    [Id(4)] public CampaignOffer? Offer { get; init; }

    [Id(5)] public DateTimeOffset ValidUntil { get; init; }

    [Id(6)] public int AttributionWindowDays { get; init; } = CampaignDefinitions.DefaultAttributionWindowDays;

    /// <summary>The member re-checks the audience on its live state; the index may lag by one event.</summary>
    [Id(7)] public CampaignAudience Audience { get; init; } = new();

    /// <summary>True when the campaign reserved a grant for this member (arms only).</summary>
    [Id(8)] public bool GrantReserved { get; init; }

    /// <summary>
    /// Only a repeat is answered: a member that has no membership of the campaign records nothing, touches nobody and
    /// answers group <c>none</c> (<see cref="CampaignOutcomes.Ineligible"/>, reason <see cref="NotDeliveredBefore"/>). A
    /// campaign whose window ended asks so to count a page a failure interrupted, without offering anything after it.
    /// </summary>
    [Id(9)] public bool RepeatOnly { get; init; }

    /// <summary>The reason a member without a membership answers a <see cref="RepeatOnly"/> delivery with.</summary>
    public const string NotDeliveredBefore = "not delivered before the campaign's window ended";
}

/// <summary>What the member did with a <see cref="CampaignDelivery"/>, or what it did the first time (repeats answer from memory).</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-delivery-result.v1")]
public sealed record CampaignDeliveryResult
{
    /// <summary>See <see cref="CampaignOutcomes"/>.</summary>
    [Id(0)] public required string Outcome { get; init; }

    /// <summary>The group recorded (for a repeat: the first time's).</summary>
    [Id(1)] public required string Group { get; init; }

    [Id(2)] public string? Arm { get; init; }

    /// <summary>True when the member had this campaign already and answered from memory.</summary>
    [Id(3)] public bool Repeat { get; init; }

    [Id(4)] public string? TouchId { get; init; }

    [Id(5)] public string? Reason { get; init; }
}

/// <summary>A member's record of one campaign (for support and tests).</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-membership-view.v1")]
public sealed record CampaignMembershipView
{
    [Id(0)] public required string CampaignId { get; init; }

    [Id(1)] public required string Group { get; init; }

    [Id(2)] public string? Arm { get; init; }

    /// <summary>The outcome at delivery (what the campaign counted).</summary>
    [Id(3)] public required string Outcome { get; init; }

    /// <summary>The touch's current decision (a deferred touch may have been sent since).</summary>
    [Id(4)] public string? CurrentOutcome { get; init; }

    [Id(5)] public DateTimeOffset AssignedAt { get; init; }

    [Id(6)] public bool Converted { get; init; }

    [Id(7)] public decimal Revenue { get; init; }

    [Id(8)] public string? TouchId { get; init; }
}

/// <summary>Assignment groups.</summary>
public static class CampaignGroups
{
    /// <summary>A treated arm: the member is touched (subject to the governor).</summary>
    public const string Arm = "arm";

    /// <summary>The campaign's own hold-out: tracked, never touched.</summary>
    public const string Control = "control";

    /// <summary>The programme-wide hold-out: excluded from every marketing campaign, tracked separately.</summary>
    public const string GlobalControl = "global_control";

    /// <summary>Nothing to do (campaign ended, budget exhausted, not eligible).</summary>
    public const string None = "none";
}

/// <summary>Outcomes of a delivery.</summary>
public static class CampaignOutcomes
{
    public const string Sent = "sent";
    public const string Deferred = "deferred";
    public const string Suppressed = "suppressed";

    /// <summary>Control or global control: recorded, not touched.</summary>
    public const string Held = "held";

    /// <summary>The member's live state no longer matches the audience (or the member is unknown).</summary>
    public const string Ineligible = "ineligible";

    /// <summary>
    /// The member already holds the most campaign memberships it cannot forget yet (<c>Engagement:Campaigns:MaxMembershipsKept</c>):
    /// refused, group <c>none</c>, nothing recorded, no touch; counted in <see cref="CampaignProgress.MembershipCapRefused"/>.
    /// An addition beyond CONTRACT.md (member-to-campaign answer, not an outside shape). See docs/campaigns.md.
    /// </summary>
    public const string MembershipCapRefused = "membership_cap_refused";

    /// <summary>An arm member not offered a goods-tied coupon because its store has none of the goods (CONTRACT.md §2.1).</summary>
    public const string HeldBackForStock = "held_back_for_stock";
}

