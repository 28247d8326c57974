using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>The points liability (CONTRACT.md §5 <c>points</c>) is what the programme owes: positive balances only.</summary>
public sealed class PointsLiabilityTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    private static IReadOnlyList<MetricContribution> Join(string member, long balance) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
    {
        MemberId = member,
        EffectId = "e-" + member,
        Day = Day,
        EventType = "purchase",
        Joined = true,
        After = new MemberSegments { RegionId = "east", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = balance },
    }, new MetricsOptions()).Contributions;

    [Fact]
    public void AMembersDebtDoesNotReduceWhatIsOwedToAnother()
    {
        // A holds 1,000 points; B owes 300 (a refund of points already spent). The programme owes A 10.00 CNY.
        var gauges = Join("A", 1000).Concat(Join("B", -300)).Where(c => c.IsGauge).SelectMany(c => c.Counters)
            .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));

        var view = PointsEconomy.Of([], [], gauges[GaugeNames.PointsOutstanding], 0.01m, 0.28, 0.32, gauges.GetValueOrDefault(GaugeNames.PointsDebt));

        Assert.Equal((700L, 300L, 1000L), (view.Outstanding, view.Debt, view.Held));
        Assert.Equal(10.00m, view.LiabilityCny);
    }

    [Fact]
    public void ADebtRepaidMovesTheDebtGaugeBackToZero()
    {
        var owes = new MemberSegments { RegionId = "east", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = -300 };
        var (owing, first) = MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = "B", EffectId = "e1", Day = Day, EventType = "refund", Joined = true, After = owes,
        }, new MetricsOptions());
        var (_, second) = MemberMetrics.Derive(owing, new MemberTransition
        {
            MemberId = "B", EffectId = "e2", Day = Day, EventType = "purchase", Before = owes, After = owes with { PointsBalance = 200 },
        }, new MetricsOptions());

        long Sum(string gauge) => first.Concat(second).Where(c => c.IsGauge).Sum(c => c.Counters.GetValueOrDefault(gauge));
        Assert.Equal(300, first.Where(c => c.IsGauge).Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsDebt)));
        Assert.Equal(0, Sum(GaugeNames.PointsDebt));
        Assert.Equal(200, Sum(GaugeNames.PointsOutstanding));
    }
}
