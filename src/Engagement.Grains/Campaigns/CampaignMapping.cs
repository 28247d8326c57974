using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Offers;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// Maps campaign contracts to the domain's campaign rules (<c>Domain/Campaigns</c>): audience criteria, the trigger
/// rule, assignment to a group, the outcome a member reports, and the delivery a member is asked to apply.
/// </summary>
internal static class CampaignMapping
{
    /// <summary>The answer to a pause or resume: <paramref name="decision"/>'s verdict, with the campaign as it stands and its pause count.</summary>
    public static CampaignControlResult ToControlResult(ControlDecision decision, CampaignStatusView view, long pauses) => new()
    {
        Status = decision.Verdict switch
        {
            ControlVerdict.Change => CampaignControlResult.Changed,
            ControlVerdict.Already => CampaignControlResult.Already,
            _ => CampaignControlResult.Refused,
        },
        Detail = decision.Reason,
        Reason = decision.RefusedAs is { } refusedAs ? ToStatus(refusedAs) : null,
        Campaign = view,
        Pause = pauses,
    };

    public static AudienceCriteria ToCriteria(CampaignAudience? audience) => audience is null ? new AudienceCriteria() : new AudienceCriteria
    {
        Tiers = audience.Tiers ?? [],
        Segments = audience.Segments ?? [],
        ValueClasses = audience.ValueClasses ?? [],
        Stages = audience.Stages ?? [],
        Regions = audience.Regions ?? [],
        Tags = audience.Tags ?? [],
    };

    /// <summary>
    /// The event matches the campaign's trigger (<see cref="CampaignTriggerRule"/>); <paramref name="programmeAmount"/>
    /// is the event's amount in CNY (<see cref="Engagement.Domain.Orders.Money.InProgrammeCurrency"/>), what <c>minAmount</c> is.
    /// </summary>
    public static bool TriggerMatches(CampaignTrigger trigger, EngagementEvent evt, decimal? programmeAmount) =>
        ToRule(trigger).Matches(evt.Type, evt.Items.Select(i => i.Category), programmeAmount);

    /// <summary>
    /// What is wrong with the coupons a definition's offers describe (the campaign's and each arm's), by the domain's
    /// <see cref="Engagement.Domain.Offers.CouponTemplate.Validate"/>, as fields of the definition
    /// (<c>offer.coupon.minSpend</c>, <c>arms[1].offer.coupon.skus</c>): a coupon that could never be issued is refused
    /// when the campaign is created, not announced to every member and issued to none (CONTRACT.md §2.1). Null scope
    /// lists are <see cref="CampaignDefinitions.Validate"/>'s to name.
    /// </summary>
    public static IEnumerable<CampaignFieldError> CouponErrors(CampaignDefinition definition) =>
        from offer in CampaignDefinitions.Coupons(definition)
        let grant = offer.Coupon with { Regions = offer.Coupon.Regions ?? [], Stores = offer.Coupon.Stores ?? [], Skus = offer.Coupon.Skus ?? [], Categories = offer.Coupon.Categories ?? [] }
        from error in grant.ToTemplate().Validate()
        select new CampaignFieldError(CampaignDefinitions.CouponField(offer.Field, error.Field), error.Message);

    /// <summary>
    /// Every error of a normalized definition created under <paramref name="campaignId"/>: the definition's own
    /// (<see cref="CampaignDefinitions.Validate"/>), its coupons' (<see cref="CouponErrors"/>, one per field), and an id
    /// that is not the grain's. Empty when it may be created.
    /// </summary>
    public static List<CampaignFieldError> CreateErrors(CampaignDefinition normalized, string campaignId)
    {
        var errors = CampaignDefinitions.Validate(normalized).ToList();
        errors.AddRange(CouponErrors(normalized).Where(e => !errors.Exists(x => x.Field == e.Field)));
        if (!string.Equals(normalized.Id, campaignId, StringComparison.Ordinal))
        {
            errors.Add(new("id", $"must be the campaign's id '{campaignId}'"));
        }

        return errors;
    }

    public static CampaignTriggerRule ToRule(CampaignTrigger trigger) => new(trigger.EventType, trigger.ItemCategory, trigger.MinAmount);

    public static BudgetLimit ToLimit(CampaignBudget? budget) => new(budget?.MaxGrants, budget?.MaxCost);

    /// <summary>A reported outcome (<see cref="CampaignOutcomes"/>) as the domain counts it; null for none or an unknown one.</summary>
    public static DeliveryOutcome? ToOutcome(string? outcome) => outcome switch
    {
        CampaignOutcomes.Sent => DeliveryOutcome.Sent,
        CampaignOutcomes.Deferred => DeliveryOutcome.Deferred,
        CampaignOutcomes.Suppressed => DeliveryOutcome.Suppressed,
        CampaignOutcomes.Held => DeliveryOutcome.Held,
        CampaignOutcomes.Ineligible => DeliveryOutcome.Ineligible,
        CampaignOutcomes.MembershipCapRefused => DeliveryOutcome.MembershipCapRefused,
        CampaignOutcomes.HeldBackForStock => DeliveryOutcome.HeldBackForStock,
        _ => null,
    };

    /// <summary>A status (<see cref="CampaignStatuses"/>) as the pause rule reads it; an unknown one reads as a draft (nothing to pause).</summary>
    public static CampaignPhase ToPhase(string? status) => status switch
    {
        CampaignStatuses.Counting => CampaignPhase.Counting,
        CampaignStatuses.Running => CampaignPhase.Running,
        CampaignStatuses.Paused => CampaignPhase.Paused,
        CampaignStatuses.Completed => CampaignPhase.Completed,
        CampaignStatuses.Active => CampaignPhase.Active,
        CampaignStatuses.Ended => CampaignPhase.Ended,
        _ => CampaignPhase.Draft,
    };

    /// <summary>The status of a phase (the inverse of <see cref="ToPhase"/>).</summary>
    public static string ToStatus(CampaignPhase phase) => phase switch
    {
        CampaignPhase.Counting => CampaignStatuses.Counting,
        CampaignPhase.Running => CampaignStatuses.Running,
        CampaignPhase.Paused => CampaignStatuses.Paused,
        CampaignPhase.Completed => CampaignStatuses.Completed,
        CampaignPhase.Active => CampaignStatuses.Active,
        CampaignPhase.Ended => CampaignStatuses.Ended,
        _ => CampaignStatuses.Draft,
    };

    /// <summary>The counters key of a group: the arm's name for an arm, else the group.</summary>
    public static string GroupKey(string group, string? arm) => group == CampaignGroups.Arm ? arm ?? "" : group;

    /// <summary>
    /// Counts a member's answer to <paramref name="planned"/> in <paramref name="tally"/> under the group it reports (a
    /// repeat reports the group recorded the first time: what the member actually has is counted).
    /// </summary>
    public static void Count(PageTally tally, PlannedDelivery planned, CampaignDefinition definition, CampaignDeliveryResult result)
    {
        var arm = result.Group == CampaignGroups.Arm ? result.Arm : null;
        var outcome = ToOutcome(result.Outcome) ?? DeliveryOutcome.Held;
        tally.Count(planned, GroupKey(result.Group, arm), outcome, UnitCostOf(definition, arm));
    }

    /// <summary>The arm's offer unit cost (CNY); 0 for no arm or an unknown one.</summary>
    public static decimal UnitCostOf(CampaignDefinition definition, string? arm) =>
        definition.Arms.FirstOrDefault(a => a.Name == arm) is { } found ? CampaignDefinitions.OfferOf(definition, found).UnitCost : 0m;

    /// <summary>Global control first (the programme-wide hold-out), then the campaign's control or an arm (<see cref="CampaignAssignment"/>).</summary>
    public static PlannedDelivery Plan(CampaignDefinition definition, string memberId, int globalControlPercent)
    {
        if (CampaignAssignment.IsGlobalControl(memberId, globalControlPercent))
        {
            return new PlannedDelivery(memberId, CampaignGroups.GlobalControl, null, 0m);
        }

        var armIndex = CampaignAssignment.Assign(definition.Id, memberId, definition.ControlShare ?? CampaignDefinitions.DefaultControlShare, [.. definition.Arms.Select(a => a.Weight)]);
        if (armIndex < 0)
        {
            return new PlannedDelivery(memberId, CampaignGroups.Control, null, 0m);
        }

        var arm = definition.Arms[armIndex];
        return new PlannedDelivery(memberId, CampaignGroups.Arm, arm.Name, CampaignDefinitions.OfferOf(definition, arm).UnitCost);
    }

    /// <summary>What the member is asked to apply for its planned group.</summary>
    public static CampaignDelivery DeliveryFor(CampaignDefinition definition, PlannedDelivery planned)
    {
        var arm = definition.Arms.FirstOrDefault(a => a.Name == planned.Arm);
        return new CampaignDelivery
        {
            CampaignId = definition.Id,
            Group = planned.Group,
            Arm = arm?.Name,
            Channel = definition.Channel,
            Offer = arm is null ? null : CampaignDefinitions.OfferOf(definition, arm),
            ValidUntil = definition.ValidUntil,
            AttributionWindowDays = definition.AttributionWindowDays ?? CampaignDefinitions.DefaultAttributionWindowDays,
            Audience = definition.Audience,
            GrantReserved = planned.Reserved,
        };
    }
}
