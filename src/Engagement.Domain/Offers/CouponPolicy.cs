using System.Globalization;

namespace Engagement.Domain.Offers;

/// <summary>
/// Whether a coupon may be redeemed (CONTRACT.md §2.1, §4): the checks a POS redeem call and a purchase's
/// <c>coupons</c> field go through, each refusal with its reason code and a sentence a cashier understands.
/// </summary>
public static class CouponPolicy
{
    /// <summary>
    /// Why <paramref name="coupon"/> cannot be redeemed at <paramref name="at"/> for <paramref name="order"/>, or null
    /// when it can. Checked in this order: voided, used, expired (or not yet valid), wrong store, below minSpend, not
    /// the goods it is tied to.
    /// </summary>
    public static CouponRefusal? CheckRedeem(Coupon coupon, CouponOrder order, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(order);
        switch (coupon.Status)
        {
            case CouponStatuses.Voided:
                return new(CouponRefusals.Voided, $"coupon was voided: {coupon.StatusReason}");
            case CouponStatuses.Redeemed:
                return new(CouponRefusals.Used, $"coupon was already used: {coupon.StatusReason}");
        }

        if (coupon.Status == CouponStatuses.Expired || at >= coupon.ValidUntil)
        {
            return new(CouponRefusals.Expired, Invariant($"coupon expired at {coupon.ValidUntil:yyyy-MM-dd HH:mm:ss zzz}"));
        }

        if (at < coupon.ValidFrom)
        {
            return new(CouponRefusals.NotYetValid, Invariant($"coupon is valid from {coupon.ValidFrom:yyyy-MM-dd HH:mm:ss zzz}"));
        }

        var scope = coupon.Scope;
        if (scope.Stores.Count > 0 && (order.StoreId is null || !scope.Stores.Contains(order.StoreId, StringComparer.Ordinal)))
        {
            return new(CouponRefusals.WrongStore, $"coupon is valid only at stores {string.Join(", ", scope.Stores)}, not at '{order.StoreId}'");
        }

        if (scope.Regions.Count > 0)
        {
            // No region known (a store that never reported one, and a till that sent none): never assumed, refused.
            if (order.RegionId is null)
            {
                return new(CouponRefusals.WrongStore, order.StoreId is { } store
                    ? $"coupon is valid only in regions {string.Join(", ", scope.Regions)}, and the region of store '{store}' is not known (it never reported one with its inventory, and none was sent)"
                    : $"coupon is valid only in regions {string.Join(", ", scope.Regions)}, and the order's region is not known");
            }

            if (!scope.Regions.Contains(order.RegionId, StringComparer.Ordinal))
            {
                return new(CouponRefusals.WrongStore, $"coupon is valid only in regions {string.Join(", ", scope.Regions)}, not in '{order.RegionId}'");
            }
        }

        if (order.Amount < coupon.MinSpend)
        {
            return new(CouponRefusals.BelowMinSpend, Invariant($"order of {order.Amount:0.00} CNY is below the coupon's minimum spend of {coupon.MinSpend:0.00} CNY"));
        }

        if (scope.IsGoodsTied && order.Items is { Count: > 0 } items
            && !items.Any(i => scope.Skus.Contains(i.Sku, StringComparer.Ordinal) || (i.Category is not null && scope.Categories.Contains(i.Category, StringComparer.Ordinal))))
        {
            return new(CouponRefusals.NotApplicable, "the order holds none of the goods the coupon is for");
        }

        return null;
    }

    /// <summary>
    /// The discount in CNY the coupon gives on an order of <paramref name="orderAmount"/> CNY: its value (at most the
    /// order), the percent of the order rounded half away from zero to the fen, or 0 for a gift.
    /// </summary>
    public static decimal DiscountOn(Coupon coupon, decimal orderAmount)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        return coupon.Kind switch
        {
            CouponKinds.Percent => decimal.Round(orderAmount * coupon.Value / 100m, 2, MidpointRounding.AwayFromZero),
            CouponKinds.Gift => 0m,
            _ => Math.Min(coupon.Value, orderAmount),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The order a coupon is offered against: CNY amount, where, and (optionally) what it holds.</summary>
public sealed record CouponOrder(decimal Amount, string? StoreId, string? RegionId, IReadOnlyList<CouponOrderItem>? Items = null);

/// <summary>One line of an order, for goods-tied coupons.</summary>
public sealed record CouponOrderItem(string Sku, string? Category);

/// <summary>A refusal: a <see cref="CouponRefusals"/> code and a sentence naming why.</summary>
public sealed record CouponRefusal(string Reason, string Detail);

/// <summary>Reason codes of a refused coupon redemption; the same strings as the HTTP 409 <c>reason</c>.</summary>
public static class CouponRefusals
{
    public const string Expired = "expired";
    public const string Used = "used";
    public const string WrongStore = "wrong_store";
    public const string BelowMinSpend = "below_min_spend";
    public const string Voided = "voided";
    public const string NotYetValid = "not_yet_valid";
    public const string NotApplicable = "not_applicable";

    /// <summary>No coupon with this code is held by this member (whether or not the code exists elsewhere).</summary>
    public const string NotFound = "not_found";
}
