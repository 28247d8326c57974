using System.Text;

namespace Engagement.Domain.Offers;

/// <summary>
/// The one rule of a region id (<c>regionId</c> of an event, CONTRACT.md §1; a coupon's <c>scope.regions</c>, §2.1; the
/// <c>regionId</c> of a coupon redemption and of a store's inventory report, which CONTRACT.md §4 does not define: an
/// additive API field, docs/http-api.md): 1–64 characters counted as Unicode code
/// points (<c>华东</c> is 2, <c>😀</c> is 1), not blank, and valid Unicode text (no lone surrogate). CONTRACT.md names no
/// alphabet for a regionId, so this is what events have always accepted (the wire validator's bound,
/// <c>EventBounds.MaxRegionIdLength</c>, which keeps this same rule for the queue): no producer's region is refused
/// that was accepted before. An event may leave its regionId out or blank (no region); an endpoint given one, or a scope
/// entry, must keep the rule. A region is kept and compared exactly as sent (ordinal, case-sensitive); where it becomes
/// part of a storage key it is escaped (<c>OfferIds.RegionStockKey</c>), so no character can make two regions one.
/// </summary>
public static class RegionIds
{
    /// <summary>The most characters (Unicode code points) a region id may have.</summary>
    public const int MaxLength = 64;

    /// <summary>What a problem or poison reason says of a region id that breaks the rule.</summary>
    public const string Rule = "1–64 characters (Unicode code points), not blank, as an event's regionId";

    /// <summary>What an optional field says of a region id given that breaks the rule.</summary>
    public const string OptionalRule = "when given, " + Rule;

    /// <summary>True when <paramref name="regionId"/> keeps the rule; false for null, blank, over 64 code points or not valid Unicode.</summary>
    public static bool IsValid(string? regionId)
    {
        if (string.IsNullOrWhiteSpace(regionId) || regionId.Length > MaxLength * 2)
        {
            return false;
        }

        var count = 0;
        var rest = regionId.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done || ++count > MaxLength)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }
}
