using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A catalogue redemption undone (stock lost after the points were taken) gives its points back as the engine's
/// adjustment <c>redemption-undo:{redemptionId}</c>: for the points economy (CONTRACT.md §5) that un-redeems them, it is
/// no manual adjustment, so pointsRedemptionRate reads what members really redeemed.
/// </summary>
public sealed class RedemptionUndoMetricsTests
{
    private static readonly MetricsOptions Metrics = new() { Shards = 4 };

    private static readonly DateTimeOffset Noon = TestMember.Shanghai(2026, 11, 23, 12);

    private static long Day(MemberOutcome outcome, string name) =>
        outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions).Where(x => !x.IsGauge).Sum(x => x.Counters.GetValueOrDefault(name));

    [Fact]
    public void AnUndoneRedemptionNetsRedeemedToZeroAndIsNoAdjustment()
    {
        var state = new MemberState { MemberId = "M-undo" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, new MemberEvent("e1", "purchase", Noon) { RegionId = "east", OrderId = "O1", Amount = 1_000m }, options, Noon, Metrics);

        var redeemed = MemberDecider.Redeem(state, "R1", 500, null, "gift-1", options, Noon.AddHours(1), Metrics, storeId: "S001");
        var undone = MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + "R1", AdjustmentPolicy.PointsKind, 500,
            "redemption R1 undone: stock lost (gift-1 at S001)", options, Noon.AddHours(2), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal(500, Day(redeemed, MetricNames.PointsRedeemed));
        Assert.Equal(-500, Day(undone, MetricNames.PointsRedeemed));
        Assert.Equal(0, Day(undone, MetricNames.PointsAdjusted));
        Assert.Equal(0, Day(undone, MetricNames.PointsIssued));
        Assert.Equal(0, Day(redeemed, MetricNames.PointsRedeemed) + Day(undone, MetricNames.PointsRedeemed));

        // A staff adjustment of the same size is still an adjustment.
        var staff = MemberDecider.Adjust(state, "goodwill-1", AdjustmentPolicy.PointsKind, 500, "goodwill", options, Noon.AddHours(3), Metrics);
        Assert.Equal((500L, 0L), (Day(staff, MetricNames.PointsAdjusted), Day(staff, MetricNames.PointsRedeemed)));
    }
}
