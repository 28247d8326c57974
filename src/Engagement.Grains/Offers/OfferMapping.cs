using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Grains.Offers;

/// <summary>Between the offer domain's values and the wire types of <c>Engagement.Contracts.Offers</c>.</summary>
public static class OfferMapping
{
    /// <summary>The view of <paramref name="coupon"/> held by <paramref name="memberId"/>.</summary>
    public static CouponView ToView(this Coupon coupon, string memberId) => new()
    {
        Code = coupon.Code,
        MemberId = memberId,
        OfferId = coupon.OfferId,
        Kind = coupon.Kind,
        Value = coupon.Value,
        MinSpend = coupon.MinSpend,
        Gift = coupon.Gift,
        IssuedAt = coupon.IssuedAt,
        ValidFrom = coupon.ValidFrom,
        ValidUntil = coupon.ValidUntil,
        Status = coupon.Status,
        StatusReason = coupon.StatusReason,
        StatusAt = coupon.StatusAt,
        Regions = coupon.Scope.Regions,
        Stores = coupon.Scope.Stores,
        Skus = coupon.Scope.Skus,
        Categories = coupon.Scope.Categories,
        RedemptionId = coupon.RedemptionId,
        OrderId = coupon.OrderId,
        StoreId = coupon.StoreId,
        History = History(coupon),
    };

    /// <summary>The coupon's status changes and refused redemptions, newest first; at the same instant the refusal notes (listed after the status changes) come first.</summary>
    private static List<CouponHistoryEntry> History(Coupon coupon) =>
    [
        .. coupon.History.Select(t => new CouponHistoryEntry { At = t.At, Kind = CouponHistoryEntry.StatusKind, From = t.From, To = t.To, Reason = t.Reason })
            .Concat((coupon.Refusals ?? []).Select(r => new CouponHistoryEntry
            {
                At = r.At, Kind = CouponHistoryEntry.RefusedKind, Reason = r.Describe(coupon),
                Refusal = r.Reason, RedemptionId = r.RedemptionId, StoreId = r.StoreId,
            }))
            .Select((entry, i) => (entry, i))
            .OrderByDescending(x => x.entry.At)
            .ThenByDescending(x => x.i)
            .Select(x => x.entry),
    ];

    /// <summary>The coupon template a grant describes.</summary>
    public static CouponTemplate ToTemplate(this CouponGrant grant) => new()
    {
        OfferId = grant.OfferId,
        Kind = grant.Kind,
        Value = grant.Value,
        MinSpend = grant.MinSpend,
        Gift = grant.Gift,
        ValidDays = grant.ValidDays,
        Scope = new CouponScope { Regions = grant.Regions, Stores = grant.Stores, Skus = grant.Skus, Categories = grant.Categories },
    };

    public static RewardItem ToDomain(this RewardItemDto item) => new()
    {
        RewardId = item.RewardId,
        Name = item.Name,
        MarketPrice = item.MarketPrice,
        PointsPrice = item.PointsPrice,
        Steps = [.. item.Steps.Select(s => new PointsCashStep(s.Points, s.Cash))],
        EligibleTiers = item.EligibleTiers,
        Sku = item.Sku,
        Active = item.Active,
    };

    public static PointValueView ToView(this PointValueSchedule schedule, DateTimeOffset now) => new()
    {
        Current = schedule.ValueAt(now),
        Anchor = Domain.Program.ProgramOptions.PointValueAnchor,
        Min = PointValueSchedule.Min,
        Max = PointValueSchedule.Max,
        History = [.. schedule.Changes.Select(c => new PointValueChangeView
        {
            ChangeId = c.ChangeId, Value = c.Value, EffectiveFrom = c.EffectiveFrom, SetAt = c.SetAt, SetBy = c.SetBy, Reason = c.Reason,
        })],
    };
}
