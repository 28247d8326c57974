using System.Buffers;
using System.Text;

namespace Engagement.Contracts.Events;

/// <summary>
/// The one rule of a region id, one source compiled into both assemblies that need it (the pure domain cannot reference
/// Contracts, which carries Orleans; Contracts, which clients take alone, must not reference the domain):
/// <c>Engagement.Domain.csproj</c> links this file, and <c>Engagement.Domain.Offers.RegionIds</c> forwards to it. It
/// accepts every non-blank <c>regionId</c> an event may carry (CONTRACT.md §1: an event may leave it out or blank, and the
/// wire validator bounds it by <c>EventBounds.MaxRegionIdLength</c>, which is <see cref="MaxLength"/>), and it is the rule
/// of a campaign's <c>audience.regions</c> (§4), a coupon's <c>scope.regions</c> (§2.1), and the <c>regionId</c> of a
/// coupon redemption or a store's inventory report (an additive API field, docs/http-api.md): 1–64 characters counted
/// as Unicode code points (<c>华东</c> is 2, <c>😀</c> is 1), not blank, and valid Unicode text (no lone surrogate).
/// CONTRACT.md names no alphabet for a regionId: <c>a/b</c> and <c>a_b</c> are two valid, different regions. A region id
/// is kept as sent; a coupon scope compares it exactly (ordinal), while a campaign's audience compares regions ignoring
/// case (ordinal), as it does every audience list (<c>AudienceCriteria</c>). Internal in each assembly, so a project
/// referencing both sees no second type.
/// </summary>
internal static class RegionIdRule
{
    /// <summary>The most characters (Unicode code points) a region id may have.</summary>
    public const int MaxLength = 64;

    /// <summary>What a problem or poison reason says of a region id that breaks the rule.</summary>
    public const string Rule = "1–64 characters (Unicode code points), not blank, as an event's regionId";

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
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done || ++count > MaxLength)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }
}
