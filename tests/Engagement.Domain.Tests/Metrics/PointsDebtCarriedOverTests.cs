using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The pointsDebt gauge (CONTRACT.md §5 <c>points</c> liability: held = outstanding + debt) must hold debts that existed
/// before the gauge did: a member stored by the previous version enters its whole debt once, before any repayment.
/// </summary>
public sealed class PointsDebtCarriedOverTests
{
    private static readonly DateOnly Day = new(2026, 12, 3);
    private static readonly MetricsOptions Options = new();
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static MemberSegments Seg(string region, long points) =>
        new() { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "active", PointsBalance = points };

    /// <summary>A member's metric state as the previous version stored it: no debtCounted field in the JSON.</summary>
    private static MemberMetricState StoredBeforeTheGauge(MemberSegments segments)
    {
        var json = JsonSerializer.SerializeToNode(new MemberMetricState { Sequence = 4, Segments = segments }, Web)!.AsObject();
        json.Remove("debtCounted");
        return JsonSerializer.Deserialize<MemberMetricState>(json, Web)!;
    }

    private static (MemberMetricState State, IReadOnlyList<MetricContribution> Contributions) Derive(MemberMetricState state, string member, string effect, MemberSegments? before, MemberSegments after) =>
        MemberMetrics.Derive(state, new MemberTransition
        {
            MemberId = member, EffectId = effect, Day = Day, EventType = "purchase", Joined = before is null, Before = before, After = after,
        }, Options);

    private static long Debt(IEnumerable<MetricContribution> contributions, string? region = null) =>
        contributions.Where(c => c.IsGauge && (region is null || c.RegionId == region)).Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsDebt));

    [Fact]
    public void AnOldDebtRepaidAfterTheDeployDoesNotCancelANewOne()
    {
        // X owed 300 before the gauge existed and repays it; Y then goes 300 into debt. The programme is owed 300.
        var owes = Seg("east", -300);
        var (_, repaid) = Derive(StoredBeforeTheGauge(owes), "X", "x1", owes, owes with { PointsBalance = 0 });
        var (_, y) = Derive(MemberMetricState.Empty, "Y", "y1", null, Seg("east", -300));

        Assert.Equal(0, Debt(repaid));
        Assert.Equal(300, Debt([.. repaid, .. y]));
    }

    [Fact]
    public void AnOldDebtEntersWholeOnTheMembersNextOutcomeAndLeavesOnlyOnce()
    {
        // Its next outcome (the debt partly repaid) adds what it still owes; the rest of the repayment then takes it out.
        var owes = Seg("east", -300);
        var (x, first) = Derive(StoredBeforeTheGauge(owes), "X", "x1", owes, owes with { PointsBalance = -100 });
        var (_, second) = Derive(x with { Segments = owes with { PointsBalance = -100 } }, "X", "x2", owes with { PointsBalance = -100 }, owes with { PointsBalance = 50 });

        Assert.Equal(100, Debt(first));
        Assert.Equal(0, Debt([.. first, .. second]));
    }

    [Fact]
    public void AnOldDebtThatMovesRegionEntersWhereTheMemberIsNow()
    {
        // The east gauge never held it: the move takes nothing out of east and puts the whole debt in west.
        var owes = Seg("east", -300);
        var (x, moved) = Derive(StoredBeforeTheGauge(owes), "X", "x1", owes, Seg("west", -300));
        var (_, back) = Derive(x with { Segments = Seg("west", -300) }, "X", "x2", Seg("west", -300), Seg("east", -300));

        Assert.Equal((0L, 300L), (Debt(moved, "east"), Debt(moved, "west")));
        Assert.Equal((300L, 0L), (Debt([.. moved, .. back], "east"), Debt([.. moved, .. back], "west")));
    }
}
