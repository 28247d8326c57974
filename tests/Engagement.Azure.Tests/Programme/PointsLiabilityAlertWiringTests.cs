using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// points.liability-jump on Azurite: the alerts grain reads the live points-outstanding gauge beside the day counters and
/// works each day's outstanding points back from it (<see cref="AlertPolicy.PointsLiability"/>), for the whole programme only:
/// a region's past points cannot be worked back from its counters once members move region.
/// </summary>
public sealed class PointsLiabilityAlertWiringTests
{
    [Fact]
    public async Task OutstandingPointsTwentyPercentAboveTheirBaselineRaiseTheAlertForTheProgrammeOnly()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync();

        // 1,000,000 points earned 30 days ago (in the 28 baseline days before the 7 judged ones), 200,000 more yesterday.
        var (state, first) = MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = "liab-m1",
            EffectId = "earn-1",
            Day = Today.AddDays(-30),
            EventType = "purchase",
            Joined = true,
            PointsIssued = 1_000_000,
            After = new MemberSegments { RegionId = "liab", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = 1_000_000 },
        }, Options);
        var (_, second) = MemberMetrics.Derive(state, new MemberTransition
        {
            MemberId = "liab-m1",
            EffectId = "earn-2",
            Day = Today.AddDays(-1),
            EventType = "purchase",
            PointsIssued = 200_000,
            Before = new MemberSegments { RegionId = "liab", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = 1_000_000 },
            After = new MemberSegments { RegionId = "liab", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = 1_200_000 },
        }, Options);
        await silo.Sink.ApplyAsync([.. first, .. second]);

        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();

        var jumps = open.Where(a => a.Rule == AlertRules.PointsLiabilityJump).OrderBy(a => a.RegionId, StringComparer.Ordinal).ToList();
        Assert.Equal(["all"], jumps.Select(a => a.RegionId));
        var yesterday = Today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(jumps, a =>
        {
            Assert.Equal(0.2, a.Value);
            Assert.Equal(0.15, a.Threshold);
            Assert.Contains("points outstanding 1200000 at the end of " + yesterday, a.Message, StringComparison.Ordinal);
        });
        var published = (await silo.AlertMessagesAsync()).Where(m => m.Rule == AlertRules.PointsLiabilityJump).ToList();
        Assert.Equal(["all"], published.Select(m => m.RegionId).Distinct());
    }
}
