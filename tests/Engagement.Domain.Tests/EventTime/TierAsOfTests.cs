using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.EventTime;

/// <summary>
/// The multiplier is the tier held at occurredAt (Tiers/GrowthTimeline.cs): upgrades at once; when growth ages out
/// of the 365-day window the tier is kept for 30 days, then one level lower for each further 30 days.
/// </summary>
public class TierAsOfTests
{
    private static readonly DateTimeOffset Start = TestMember.Shanghai(2025, 1, 10, 12);

    // 6,000 growth on 2025-01-10 counts through local day 2026-01-09; it ages out at 2026-01-10 00:00 Shanghai.
    private static readonly DateTimeOffset AgedOut = TestMember.Shanghai(2026, 1, 10, 0, 0);

    [Theory]
    [InlineData(-1, 150)]
    [InlineData(10, 150)]
    [InlineData(29, 150)]
    [InlineData(31, 120)]
    [InlineData(59, 120)]
    [InlineData(61, 100)]
    public void PurchaseAfterGrowthAgedOutEarnsAtTheTierTheGraceLeft(int daysAfterAgeing, long expected)
    {
        var at = AgedOut.AddDays(daysAfterAgeing);
        var member = new TestMember(Start);
        member.Purchase("big", 6_000m);
        member.Now = at.AddDays(5);

        var decision = member.Purchase("probe", 100m, at: at);

        Assert.Equal(expected, decision.NewEntries.Single(e => e.RuleId == RuleIds.PointsEarn).Delta);
    }

    [Fact]
    public void GraceProbesGiveTheSameTotalWhicheverOrderTheyArriveIn()
    {
        long Run(params int[] days)
        {
            var member = new TestMember(Start);
            member.Purchase("big", 6_000m);
            member.Now = AgedOut.AddDays(80);
            foreach (var day in days)
            {
                member.Purchase("p" + day, 100m, at: AgedOut.AddDays(day));
            }

            return member.Balance;
        }

        // The 6,000 purchase's lot expired after 12 months; the probes earn at V3, V2 and V1.
        var inOrder = Run(10, 40, 70);
        Assert.Equal(150 + 120 + 100, inOrder);
        Assert.Equal(inOrder, Run(70, 40, 10));
        Assert.Equal(inOrder, Run(40, 70, 10));
    }
}
