using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Metrics;
using Engagement.Grains.Members;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// Breakage (CONTRACT.md §5 <c>points</c> expired) through a member grain, its lifecycle reminder and the aggregators on
/// Azurite: the day a lot's points count as expired is the day of the lot's own expiry instant.
/// </summary>
public sealed class PointsExpiryDayTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    [Fact]
    public async Task ALotExpiringAt2359WhoseTickComesAfterMidnightIsBreakageOfItsExpiryDay()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();
        const string region = "brk";
        var id = "brk-" + Guid.NewGuid().ToString("N")[..8];
        var member = silo.Grains.GetGrain<IMemberGrain>(id);

        // A first purchase (points doubled: 1,000) at 23:59 local; its lot expires 12 months later at 23:59.
        var bought = new DateTimeOffset(2026, 11, 24, 23, 59, 0, Shanghai);
        silo.Clock.SetUtcNow(bought.AddSeconds(30));
        var applied = await member.ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = bought, RegionId = region, OrderId = "O1", Amount = 500m,
        });
        Assert.Equal(ApplyStatus.Applied, applied.Status);
        var expiresAt = new DateTimeOffset(2027, 11, 24, 23, 59, 0, Shanghai);
        Assert.Equal(expiresAt, (await member.GetViewAsync())!.PointsLots.Single().ExpiresAt);

        // The member's reminder fires 31 minutes after the expiry, on the next local day.
        silo.Clock.SetUtcNow(new DateTimeOffset(2027, 11, 25, 0, 30, 0, Shanghai));
        var now = silo.Clock.GetUtcNow().UtcDateTime;
        await member.AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
        Assert.Equal(0, (await member.GetViewAsync())!.PointsBalance);

        // What GET /programme/points reads (ProgrammeViews.PointsAsync: these days' counters, PointsEconomy.Day).
        var expiryDay = new DateOnly(2027, 11, 24);
        var days = await Streaming.Eventually.ReturnsAsync(
            () => silo.Reader.GetDaysAsync(region, expiryDay, expiryDay.AddDays(1)),
            d => d.Sum(x => x.Counters.GetValueOrDefault(MetricNames.PointsExpired)) == 1000,
            TimeSpan.FromSeconds(30),
            "the tick's contributions reach the aggregators");
        var points = days.Select(d => PointsEconomy.Day(new DayCounters { Day = d.Day, Counters = d.Counters, Revenue = d.Revenue })).ToList();
        Assert.Equal(1000, points.Single(p => p.Day == expiryDay).Expired);
        Assert.Equal(0, points.Single(p => p.Day == expiryDay.AddDays(1)).Expired);
        Assert.Equal(0, (await silo.Reader.GetGaugesAsync(region))[region][GaugeNames.PointsOutstanding]);
    }
}
