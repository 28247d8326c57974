using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;

namespace Engagement.Grains.Members;

/// <summary>
/// The stock look-up of coupons tied to goods (rule: <see cref="GoodsTiedCoupons"/>; CONTRACT.md §2.1), the one a
/// campaign arm (<see cref="CampaignOffers.HeldBackForStockAsync"/>), the admin issue and the tick's win-back L1 gift and
/// birthday coupon (<see cref="MemberTouchStock.TouchStockAsync"/>) ask (docs/offers.md "Store inventory").
/// </summary>
public static class CouponStock
{
    /// <summary>
    /// True when a coupon tied to <paramref name="skus"/> may be issued to <paramref name="member"/>: the list is empty (no
    /// grain is called), or the member's home store (<see cref="MemberCoupons.HomeStore"/>, as of <paramref name="now"/>)
    /// or any other store of the member's region (<see cref="IRegionStockGrain"/>, stores placed by
    /// <c>PUT /stores/{storeId}/inventory?regionId=</c>) has one of them in stock.
    /// </summary>
    public static async Task<bool> InStockNearAsync(IGrainFactory grains, MemberState member, DateTimeOffset now, IReadOnlyList<string> skus)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(skus);
        if (skus.Count == 0)
        {
            return true;
        }

        if (MemberCoupons.HomeStore(member, now) is { } store && await grains.GetGrain<IStoreInventoryGrain>(store).HasAnyAsync(skus))
        {
            return true;
        }

        // The home store has none (or is unknown): another store of the member's region may have some.
        if (member.RegionId is { Length: > 0 } region && RegionIds.IsValid(region))
        {
            foreach (var sku in skus)
            {
                if (await grains.GetGrain<IRegionStockGrain>(OfferIds.RegionStockKey(region, sku)).AnyAsync())
                {
                    return true;
                }
            }
        }

        return false;
    }
}
