using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// Revenue net of refunds per local day (CONTRACT.md §5) through a member grain and the aggregators on Azurite: a refund
/// that waited for its late purchase nets on its own day, and the purchase's day keeps the purchase's whole amount; the
/// points it reversed count on that day too, and both in the refund's own region, as for a refund arriving in order.
/// </summary>
public sealed class HeldRefundRevenueDayTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    [Fact]
    public async Task AHeldRefundNetsOnItsOwnDayInTheRegionAndTheProgrammeOnceItsLatePurchaseArrives()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        const string region = "hrr";
        var id = "hrr-" + Guid.NewGuid().ToString("N")[..8];
        var member = silo.Grains.GetGrain<IMemberGrain>(id);
        var purchaseDay = new DateOnly(2026, 11, 22);
        var refundDay = purchaseDay.AddDays(1);

        // The refund (day D+1) arrives first and waits for its purchase.
        var refund = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-r1", Type = EventTypes.Refund, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 23, 15, 0, 0, Shanghai),
            RegionId = region, OrderId = "O1", Amount = 50.25m,
        });
        Assert.Equal(ApplyStatus.Held, refund.Status);

        // The purchase (day D) arrives an hour later, from an offline POS, and applies the refund.
        silo.Clock.Advance(TimeSpan.FromHours(1));
        var purchase = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 22, 11, 0, 0, Shanghai),
            RegionId = region, OrderId = "O1", Amount = 200.00m,
        });
        Assert.Equal(ApplyStatus.Applied, purchase.Status);

        // What GET /programme/health reads, for the region and for the whole programme (regionId null).
        foreach (var regionId in new[] { region, null })
        {
            var days = await Streaming.Eventually.ReturnsAsync(
                () => silo.Reader.GetDaysAsync(regionId, purchaseDay, refundDay),
                d => d.Sum(x => x.Counters.GetValueOrDefault(MetricNames.Dau)) == 2,
                TimeSpan.FromSeconds(30),
                "the purchase's contributions reach the aggregators");
            var counters = days.Select(d => new DayCounters { Day = d.Day, Counters = d.Counters, Revenue = d.Revenue }).ToList();
            var series = HealthMetrics.Series(counters, membersNow: 1, joinedAfterLast: 0, refundDay.AddDays(1), null);
            Assert.Equal(200.00m, series[0].Revenue);
            Assert.Equal(200.00m, series[0].Arpu);
            Assert.Equal(-50.25m, series[1].Revenue);
            var range = HealthMetrics.Summary(counters, series, refundDay.AddDays(1), DateOnly.MinValue);
            Assert.Equal(149.75m, range.Revenue);
            Assert.Null(range.Arpu); // a two-day range: its distinct purchasers are not counted (CONTRACT.md §5 arpu)
        }
    }

    [Fact]
    public async Task AHeldRefundFromAnotherRegionReversesItsPointsAndNetsItsRevenueThereOnItsOwnDay()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        const string east = "hre", west = "hrw";
        var id = "hrw-" + Guid.NewGuid().ToString("N")[..8];
        var member = silo.Grains.GetGrain<IMemberGrain>(id);
        var purchaseDay = new DateOnly(2026, 11, 22);
        var refundDay = purchaseDay.AddDays(1);

        // A third of the order refunded in a west store on D+1 arrives first and waits for its purchase.
        var refund = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-r1", Type = EventTypes.Refund, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 23, 15, 0, 0, Shanghai),
            RegionId = west, StoreId = "S-W1", OrderId = "O1", Amount = 33.33m,
        });
        Assert.Equal(ApplyStatus.Held, refund.Status);

        // The purchase (an east store, day D) arrives an hour later and applies it.
        silo.Clock.Advance(TimeSpan.FromHours(1));
        var purchase = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = new DateTimeOffset(2026, 11, 22, 11, 0, 0, Shanghai),
            RegionId = east, StoreId = "S-E1", OrderId = "O1", Amount = 100.00m,
        });
        Assert.Equal(ApplyStatus.Applied, purchase.Status);

        async Task<IReadOnlyList<DayCounters>> Days(string? regionId, int dau) =>
            (await Streaming.Eventually.ReturnsAsync(
                () => silo.Reader.GetDaysAsync(regionId, purchaseDay, refundDay),
                d => d.Sum(x => x.Counters.GetValueOrDefault(MetricNames.Dau)) == dau,
                TimeSpan.FromSeconds(30),
                "the purchase's contributions reach the aggregators"))
            .Select(d => new DayCounters { Day = d.Day, Counters = d.Counters, Revenue = d.Revenue }).ToList();
        static long Points(DayCounters d, string name) => d.Counters.GetValueOrDefault(name);

        // 100.00 at V1, first purchase ×2 = 200 points; 33.33 of it reverses floor(33.33 × 200 / 100) = 66.
        var eastDays = await Days(east, 1);
        Assert.Equal([100.00m, 0m], eastDays.Select(d => d.Revenue));
        Assert.Equal([200L, 0L], eastDays.Select(d => Points(d, MetricNames.PointsIssued)));
        Assert.Equal([0L, 0L], eastDays.Select(d => Points(d, MetricNames.PointsReversed)));

        var westDays = await Days(west, 1);
        Assert.Equal([0m, -33.33m], westDays.Select(d => d.Revenue));
        Assert.Equal([0L, 66L], westDays.Select(d => Points(d, MetricNames.PointsReversed)));
        Assert.Equal([0L, 1L], westDays.Select(d => Points(d, MetricNames.Dau)));

        var programme = await Days(null, 2);
        Assert.Equal([100.00m, -33.33m], programme.Select(d => d.Revenue));
        Assert.Equal([0L, 66L], programme.Select(d => Points(d, MetricNames.PointsReversed)));
    }
}
