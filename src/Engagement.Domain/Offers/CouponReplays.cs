using System.Globalization;

namespace Engagement.Domain.Offers;

/// <summary>
/// What a replayed coupon redemption (the same redemptionId again, docs/offers.md §5) answers: the redemption being
/// replayed (its store, order, order amount and discount in CNY, when, UTC), and apart from it the coupon as it is now
/// when it changed since (a full refund restored it, a later redemption used it again). Never the coupon's present
/// status reason as if it were the replayed call's (docs/http-api.md "A coupon's life").
/// </summary>
public static class CouponReplays
{
    private const string RestoredPrefix = "restored: order ";
    private const string RestoredSuffix = " was refunded in full";

    /// <summary>
    /// The order <paramref name="redemption"/> was confirmed by, when known: the coupon's order while this redemption
    /// still holds it, else the order whose full refund restored the coupon after this redemption; null otherwise.
    /// </summary>
    public static string? OrderOf(Coupon coupon, CouponRedemption redemption)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(redemption);
        if (StillHolds(coupon, redemption))
        {
            return coupon.OrderId;
        }

        // By the history's order, not its instants: a refund is applied as of its occurredAt, which may be before the
        // till's call. The transition this redemption made, then the restore that ended it (null when history dropped it).
        var made = -1;
        for (var i = 0; i < coupon.History.Count; i++)
        {
            var step = coupon.History[i];
            if (step.To == CouponStatuses.Redeemed && step.Reason.EndsWith(" by redemption " + redemption.RedemptionId, StringComparison.Ordinal))
            {
                made = i;
            }
            else if (made >= 0 && step.From == CouponStatuses.Redeemed)
            {
                return step.Reason.StartsWith(RestoredPrefix, StringComparison.Ordinal) && step.Reason.EndsWith(RestoredSuffix, StringComparison.Ordinal)
                    ? step.Reason[RestoredPrefix.Length..^RestoredSuffix.Length]
                    : null;
            }
        }

        return null;
    }

    /// <summary>True when the coupon is still redeemed by <paramref name="redemption"/> (nothing changed since).</summary>
    public static bool StillHolds(Coupon coupon, CouponRedemption redemption)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(redemption);
        return coupon.Status == CouponStatuses.Redeemed && string.Equals(coupon.RedemptionId, redemption.RedemptionId, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sentence a replay answers, e.g. <c>replayed: redemption R1 redeemed this coupon at store S001 at
    /// 2026-11-23T08:39:16Z, order O-1 of 268.50 CNY, discount 26.85 CNY; since then: issued (restored: order O-1 was
    /// refunded in full, 2026-11-24T02:00:00Z)</c>.
    /// </summary>
    public static string Describe(Coupon coupon, CouponRedemption redemption)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(redemption);
        var order = OrderOf(coupon, redemption);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"replayed: redemption {redemption.RedemptionId} redeemed this coupon at store {redemption.StoreId ?? "(not known)"} at {redemption.At.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}")
            + (order is null ? "" : $", order {order}")
            + (redemption.OrderAmount is { } amount ? string.Create(CultureInfo.InvariantCulture, $"{(order is null ? ", order" : "")} of {amount:0.00} CNY") : "")
            + string.Create(CultureInfo.InvariantCulture, $", discount {redemption.Discount:0.00} CNY");
        return StillHolds(coupon, redemption)
            ? text
            : text + string.Create(CultureInfo.InvariantCulture, $"; since then: {coupon.Status} ({coupon.StatusReason}, {coupon.StatusAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})");
    }
}
