using Engagement.Domain.Offers;

namespace Engagement.Domain.Metrics;

/// <summary>Coupons issued and redeemed per offer by one member outcome (CONTRACT.md §5, coupon redemption per offer).</summary>
public static class CouponMetrics
{
    /// <summary>
    /// What changed between the member's coupon book <paramref name="before"/> an outcome and <paramref name="after"/>
    /// it, per offer id: coupons new in the book are issued (none for a <paramref name="reissue"/>, whose fresh coupon
    /// replaces one counted already), coupons that became redeemed count +1 redeemed, and a redeemed coupon restored (its
    /// order refunded) −1. Both null when <paramref name="before"/> is null (not known) or nothing moved.
    /// </summary>
    public static (IReadOnlyDictionary<string, int>? Issued, IReadOnlyDictionary<string, int>? Redeemed) ByOffer(CouponBook? before, CouponBook after, bool reissue)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null || ReferenceEquals(before, after))
        {
            return (null, null);
        }

        Dictionary<string, int>? issued = null, redeemed = null;
        foreach (var coupon in after.Coupons)
        {
            var old = before.Find(coupon.Code);
            if (old is null && !reissue)
            {
                Add(ref issued, coupon.OfferId, 1);
            }

            var was = old?.Status == CouponStatuses.Redeemed;
            var now = coupon.Status == CouponStatuses.Redeemed;
            if (was != now)
            {
                Add(ref redeemed, coupon.OfferId, now ? 1 : -1);
            }
        }

        return (issued, redeemed);
    }

    private static void Add(ref Dictionary<string, int>? counts, string offerId, int delta)
    {
        counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        counts[offerId] = counts.GetValueOrDefault(offerId) + delta;
    }
}
