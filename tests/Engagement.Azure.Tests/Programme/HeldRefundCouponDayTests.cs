using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// Coupons redeemed per local day net of restores (CONTRACT.md §5) through a member grain and the aggregators on Azurite:
/// a full refund from another region that waited for its late purchase restores the purchase's coupon on the refund's
/// own day and in its region (−1), while the purchase's day keeps its redemption (+1), as for a refund arriving in order;
/// the coupon ledger's restore row names the refund.
/// </summary>
public sealed class HeldRefundCouponDayTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    [Fact]
    public async Task AHeldFullRefundRestoresTheCouponOnItsOwnDayInItsRegionOnceItsLatePurchaseArrives()
    {
        await using var silo = new ProgrammeSilo { CouponSecret = "held-refund-coupon-secret-0123456789" };
        await silo.StartAsync();
        const string east = "hce", west = "hcw";
        var id = "hcd-" + Guid.NewGuid().ToString("N")[..8];
        var member = silo.Grains.GetGrain<IMemberGrain>(id);
        var start = silo.Clock.GetUtcNow(); // 2026-11-24 10:00 +08:00
        var purchaseDay = new DateOnly(2026, 11, 24);
        var refundDay = purchaseDay.AddDays(1);

        var joined = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-reg", Type = EventTypes.Register, MemberId = id, OccurredAt = start.AddHours(-1), RegionId = east,
        });
        Assert.Equal(ApplyStatus.Applied, joined.Status);
        var issued = await member.IssueCouponAsync(new CouponGrant { GrantId = "g1", OfferId = "hc.gift", Kind = "no_threshold", Value = 20m, ValidDays = 14 });
        Assert.True(issued.Status == CouponIssueResult.Issued, issued.Detail);
        var code = issued.Coupon!.Code;

        // Two days later the full refund (a west store, day D+1) arrives first and waits for its purchase.
        silo.Clock.Advance(TimeSpan.FromDays(2));
        var refund = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-r1", Type = EventTypes.Refund, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 25, 15, 0, 0, Shanghai),
            RegionId = west, StoreId = "S-W1", OrderId = "O1", Amount = 100.00m,
        });
        Assert.Equal(ApplyStatus.Held, refund.Status);

        // The purchase (an east store, day D, using the coupon) arrives an hour later and applies it.
        silo.Clock.Advance(TimeSpan.FromHours(1));
        var purchase = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, Shanghai),
            RegionId = east, StoreId = "S-E1", OrderId = "O1", Amount = 100.00m, Coupons = [code],
        });
        Assert.Equal(ApplyStatus.Applied, purchase.Status);
        Assert.Equal("issued", Assert.Single(await member.GetCouponsAsync()).Status);

        async Task Redeemed(string? regionId, long onPurchaseDay, long onRefundDay) =>
            await Streaming.Eventually.ReturnsAsync(
                () => silo.Reader.GetDaysAsync(regionId, purchaseDay, refundDay),
                d => d.Count == 2
                    && d[0].Counters.GetValueOrDefault(MetricNames.CouponsRedeemed) == onPurchaseDay
                    && d[1].Counters.GetValueOrDefault(MetricNames.CouponsRedeemed) == onRefundDay
                    && d[1].Counters.GetValueOrDefault(MetricNames.CouponsRedeemedOfferPrefix + "hc.gift") == onRefundDay,
                TimeSpan.FromSeconds(30),
                $"{regionId ?? "programme"}: coupons redeemed {onPurchaseDay} on {purchaseDay} and {onRefundDay} on {refundDay}");

        await Redeemed(east, 1, 0);
        await Redeemed(west, 0, -1);
        await Redeemed(null, 1, -1);

        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 50, Kind = "coupon" });
        var restore = Assert.Single(ledger.Entries, e => e.RuleId == "coupon.restore");
        Assert.Equal(id + "-r1", restore.EventId);
    }
}
