using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Metrics;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// A member's first call after it was activated from storage decides and answers with the rules in force (value classes
/// by rank, the metrics settings; CONTRACT.md §2 and §5), whatever the call is: until 2026-12-03 only events, ticks,
/// redemptions, adjustments and bookings took them, so a coupon issued to a member whose activation had been collected
/// was never counted (and a first view showed the configured value class: <see cref="ValueClassByRankTests"/>).
/// </summary>
public sealed class FirstCallOfActivationTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(ProgrammeSilo.Start.ToOffset(TimeSpan.FromHours(8)).DateTime);

    [Fact]
    public async Task ACouponIssuedAsTheFirstCallAfterARestartIsCountedOnItsDay()
    {
        await using var silo = new ProgrammeSilo { CouponSecret = "first-call-coupon-secret-0123456789" };
        await silo.StartAsync();
        const string region = "fca";
        var id = "fc-" + Guid.NewGuid().ToString("N")[..8];
        var joined = await silo.Grains.GetGrain<IMemberGrain>(id).ApplyEventAsync(new EngagementEvent
        {
            EventId = id + "-reg", Type = EventTypes.Register, MemberId = id, OccurredAt = ProgrammeSilo.Start.AddHours(-1), RegionId = region,
        });
        Assert.Equal(ApplyStatus.Applied, joined.Status);

        // The silo restarts: the member's activation is gone, its state is in the table.
        await silo.StopAsync();
        await silo.StartAsync();
        var issued = await silo.Grains.GetGrain<IMemberGrain>(id).IssueCouponAsync(new CouponGrant { GrantId = "g1", OfferId = "fc.gift", Kind = "no_threshold", Value = 20m, ValidDays = 14 });
        Assert.True(issued.Status == CouponIssueResult.Issued, issued.Detail);

        await Streaming.Eventually.ReturnsAsync(
            () => silo.Reader.GetDaysAsync(region, Today, Today),
            d => d.Count == 1 && d[0].Counters.GetValueOrDefault(MetricNames.CouponsIssued) == 1,
            TimeSpan.FromSeconds(30),
            $"{region}: one coupon issued on {Today}");
    }
}
