using Engagement.Contracts.Events;

namespace Engagement.Domain.Offers;

/// <summary>
/// The one rule of a region id (<c>regionId</c> of an event, CONTRACT.md §1; a coupon's <c>scope.regions</c>, §2.1; the
/// <c>regionId</c> of a coupon redemption and of a store's inventory report, which CONTRACT.md §4 does not define: an
/// additive API field, docs/http-api.md): 1–64 characters counted as Unicode code
/// points (<c>华东</c> is 2, <c>😀</c> is 1), not blank, and valid Unicode text (no lone surrogate). CONTRACT.md names no
/// alphabet for a regionId, so this accepts every non-blank regionId an event may carry (the wire validator's bound,
/// <c>EventBounds.MaxRegionIdLength</c>, is the same constant): no producer's region is refused that was accepted before. An event may leave its regionId out or blank (no region); an endpoint given one, or a scope
/// entry, must keep the rule. A region is kept as sent; a coupon scope compares it exactly (ordinal, case-sensitive), a
/// campaign's audience ignoring case (ordinal), as every audience list (<c>AudienceCriteria</c>); where it becomes
/// part of a storage key it is escaped (<c>OfferIds.RegionStockKey</c>), so no character can make two regions one.
/// The rule itself is <see cref="RegionIdRule"/>'s (one source, <c>src/Engagement.Contracts/Events/RegionIdRule.cs</c>,
/// compiled into both assemblies), which a campaign's <c>audience.regions</c> keeps too, so a campaign can target every
/// region a member can be in; this class is its public face for the domain's callers.
/// </summary>
public static class RegionIds
{
    /// <summary>The most characters (Unicode code points) a region id may have (<see cref="RegionIdRule.MaxLength"/>).</summary>
    public const int MaxLength = RegionIdRule.MaxLength;

    /// <summary>What a problem or poison reason says of a region id that breaks the rule.</summary>
    public const string Rule = RegionIdRule.Rule;

    /// <summary>What an optional field says of a region id given that breaks the rule.</summary>
    public const string OptionalRule = "when given, " + Rule;

    /// <summary>True when <paramref name="regionId"/> keeps the rule (<see cref="RegionIdRule.IsValid"/>); false for null, blank, over 64 code points or not valid Unicode.</summary>
    public static bool IsValid(string? regionId) => RegionIdRule.IsValid(regionId);
}
