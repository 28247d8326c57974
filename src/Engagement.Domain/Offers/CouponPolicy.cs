using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Offers;

/// <summary>
/// Whether a coupon may be redeemed (CONTRACT.md §2.1, §4): the checks a POS redeem call and a purchase's
/// <c>coupons</c> field go through, each refusal with its reason code and a sentence a cashier understands.
/// </summary>
public static class CouponPolicy
{
    /// <summary>
    /// Why <paramref name="coupon"/> cannot be redeemed at <paramref name="at"/> for <paramref name="order"/>, or null
    /// when it can. Checked in this order: voided, used, expired (or not yet valid), wrong store, not the goods it is
    /// tied to, below minSpend, matching items worth 0.00 CNY (<see cref="CouponRefusals.NotApplicable"/>, except a gift). A coupon scoped to skus or categories needs the order's items (<see cref="CouponRefusals.NotApplicable"/>
    /// without them, telling the till to send them) and judges minSpend on the matching items' amount
    /// (<see cref="EligibleAmount"/>), the same for a POS redeem call and a purchase's <c>coupons</c>; only a purchase
    /// event sent without items (<see cref="CouponOrder.ItemsOptional"/>, CONTRACT.md §1) is judged on its whole amount.
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

        if (scope.IsGoodsTied && !JudgedWithoutItems(coupon, order))
        {
            if (order.Items is not { Count: > 0 } items)
            {
                return new(CouponRefusals.NotApplicable,
                    $"the coupon is for {Goods(scope)} only: send the order's items (sku, category, quantity, unitPrice) so it applies to those goods");
            }

            if (!items.Any(i => Matches(scope, i)))
            {
                return new(CouponRefusals.NotApplicable, $"the order holds none of the goods the coupon is for ({Goods(scope)})");
            }

            var eligible = EligibleAmount(coupon, order);
            if (eligible < coupon.MinSpend)
            {
                return new(CouponRefusals.BelowMinSpend, Invariant($"the order's {Goods(scope)} come to {eligible:0.00} CNY, below the coupon's minimum spend of {coupon.MinSpend:0.00} CNY"));
            }

            // Lines worth nothing (e.g. a till that sent "price" for unitPrice, which then counts 0) would use the coupon up
            // for a 0.00 discount; a gift gives its goods whatever the lines are worth.
            if (eligible <= 0m && coupon.Kind != CouponKinds.Gift)
            {
                return new(CouponRefusals.NotApplicable, $"the order's matching items ({Goods(scope)}) come to 0.00 CNY: nothing to discount; send each item's unitPrice");
            }

            return null;
        }

        if (order.Amount < coupon.MinSpend)
        {
            return new(CouponRefusals.BelowMinSpend, Invariant($"order of {order.Amount:0.00} CNY is below the coupon's minimum spend of {coupon.MinSpend:0.00} CNY"));
        }

        return null;
    }

    /// <summary>
    /// The CNY amount of <paramref name="order"/> the coupon's minSpend and discount are judged on: the whole order, or,
    /// for a coupon scoped to skus or categories, the matching items' amount (sum of their <see cref="CouponOrderItem.Amount"/>,
    /// at most the order's amount; 0 without items, except a purchase event's order without items, <see cref="CouponOrder.ItemsOptional"/>:
    /// its whole amount).
    /// </summary>
    public static decimal EligibleAmount(Coupon coupon, CouponOrder order)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(order);
        if (!coupon.Scope.IsGoodsTied || JudgedWithoutItems(coupon, order))
        {
            return order.Amount;
        }

        var matching = order.Items?.Where(i => Matches(coupon.Scope, i)).Sum(i => i.Amount) ?? 0m;
        return Math.Min(matching, order.Amount);
    }

    /// <summary>The discount in CNY the coupon gives on <paramref name="order"/>: <see cref="DiscountOn(Coupon, decimal)"/> of its <see cref="EligibleAmount"/>.</summary>
    public static decimal DiscountOn(Coupon coupon, CouponOrder order) => DiscountOn(coupon, EligibleAmount(coupon, order));

    /// <summary>A goods-tied coupon on a purchase event that listed no items: the till honoured it already, judged on the whole order.</summary>
    private static bool JudgedWithoutItems(Coupon coupon, CouponOrder order) =>
        coupon.Scope.IsGoodsTied && order.ItemsOptional && order.Items is not { Count: > 0 };

    private static bool Matches(CouponScope scope, CouponOrderItem item) =>
        (item.Sku is not null && scope.Skus.Contains(item.Sku, StringComparer.Ordinal))
        || (item.Category is not null && scope.Categories.Contains(item.Category, StringComparer.Ordinal));

    private static string Goods(CouponScope scope) =>
        string.Join(" and ", new[] { scope.Skus.Count > 0 ? "skus " + string.Join(", ", scope.Skus) : null, scope.Categories.Count > 0 ? "categories " + string.Join(", ", scope.Categories) : null }.Where(p => p is not null));

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
public sealed record CouponOrder(decimal Amount, string? StoreId, string? RegionId, IReadOnlyList<CouponOrderItem>? Items = null)
{
    /// <summary>
    /// True for a purchase event's order (items are optional there, CONTRACT.md §1): one without items confirms a
    /// goods-tied coupon the till already honoured, judged and discounted on the whole amount as before items were
    /// judged. False (a till's redeem call, CONTRACT.md §4): a goods-tied coupon without items is refused not_applicable.
    /// </summary>
    public bool ItemsOptional { get; init; }
}

/// <summary>
/// One line of an order, for goods-tied coupons: its sku and category (either may be null) and the line's amount in CNY
/// (quantity × unit price, converted to CNY as the order is).
/// </summary>
public sealed record CouponOrderItem(string? Sku, string? Category, decimal Amount);

/// <summary>A refusal: a <see cref="CouponRefusals"/> code and a sentence naming why.</summary>
public sealed record CouponRefusal(string Reason, string Detail)
{
    /// <summary>
    /// For a redemptionId reused with another request: the request field that makes it another redemption
    /// (<c>orderAmount</c>, <c>storeId</c>, or <c>redemptionId</c> itself when it redeemed another coupon,
    /// <see cref="CouponRedemptionIds"/>), the 409's <c>field</c>; null for every other refusal.
    /// </summary>
    public string? Field { get; init; }
}

/// <summary>
/// A coupon of a purchase's <c>coupons</c> (CONTRACT.md §1) that was not applied; the purchase applied without it and
/// the coupon stays as it was. <see cref="Code"/> is the full code: for the caller who sent it, never for a log
/// (<see cref="Masked"/>).
/// </summary>
public sealed record CouponEventRefusal(string Code, string OrderId, string Reason, string Detail)
{
    /// <summary>The refusal as one sentence with every coupon code in it masked (<see cref="CouponCodes.Mask"/>): what a log may show.</summary>
    public string Masked => CouponCodes.Mask($"coupon {Code} on order {OrderId}: {Reason} ({Detail})");
}

/// <summary>Reason codes of a refused coupon redemption; the same strings as the HTTP 409 <c>reason</c>.</summary>
public static class CouponRefusals
{
    public const string Expired = "expired";
    public const string Used = "used";
    public const string WrongStore = "wrong_store";
    public const string BelowMinSpend = "below_min_spend";
    public const string Voided = "voided";
    public const string NotYetValid = "not_yet_valid";
    /// <summary>A coupon scoped to skus/categories: the order holds none of them, no items were sent to judge it on, or (except a gift) the matching items come to 0.00 CNY.</summary>
    public const string NotApplicable = "not_applicable";

    /// <summary>The redemptionId was already accepted for a request with another <c>orderAmount</c>: not a retry (HTTP 409, <c>field</c> orderAmount).</summary>
    public const string RedemptionIdReused = "redemption_id_reused";

    /// <summary>No coupon with this code is held by this member (whether or not the code exists elsewhere).</summary>
    public const string NotFound = "not_found";
}

/// <summary>The amount of one order line (CNY or the event's currency, as its unit price is).</summary>
public static class CouponOrderLine
{
    /// <summary>quantity × unit price; a quantity of 0 (not given, CONTRACT.md §1 <c>items</c>) counts as 1.</summary>
    public static decimal Amount(int quantity, decimal unitPrice) => (quantity <= 0 ? 1 : quantity) * unitPrice;

    /// <summary>
    /// A purchase's items as a coupon judges them (<see cref="CouponPolicy.EligibleAmount"/>): each line's
    /// <see cref="Amount"/> converted to CNY as the purchase's amount is (<see cref="Money.ToProgramme"/>; its currency must be accepted).
    /// </summary>
    public static List<CouponOrderItem> ItemsOf(MemberEvent evt, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var currency = Money.CurrencyOf(evt, options);
        return [.. evt.Items.Select(i => new CouponOrderItem(i.Sku, i.Category, Money.ToProgramme(Amount(i.Quantity, i.UnitPrice), currency, options).Amount))];
    }
}
