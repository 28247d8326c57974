using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <see cref="MemberMetrics.Derive"/> sets a join and a first purchase's cohort (and its repurchase, and a late first
/// purchase's move) on the one copy of the state the event's activity made, not on a copy each: a new member's first
/// purchase copied the state three times. Set in place, so the state the derivation is given must come out untouched
/// whatever path set them, and the new state must hold them.
/// </summary>
public sealed class MetricStateCopyTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly MetricsOptions _options = new();

    private MemberMetricState Derive(MemberMetricState given, MemberTransition t)
    {
        var before = JsonSerializer.Serialize(given, Web);
        var (after, _) = MemberMetrics.Derive(given, t, _options);
        Assert.Equal(before, JsonSerializer.Serialize(given, Web));
        Assert.NotSame(given, after);
        return after;
    }

    [Fact]
    public void EachCohortIsSetOnTheNewStateAndNeverOnTheGivenOne()
    {
        // Join and first purchase in one outcome.
        var s = Derive(MemberMetricState.Empty, T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 10m));
        Assert.Equal((D0, "east", D0, "east", false), (s.JoinedDay, s.JoinedRegion, s.FirstPurchaseDay, s.FirstPurchaseRegion, s.Repurchased7dCounted));

        // A second purchase of the day: the repurchase counted.
        var again = Derive(s, T("m1", "e2", D0, "purchase", revenue: 10m));
        Assert.True(again.Repurchased7dCounted);
        Assert.Equal((D0, "east"), (again.FirstPurchaseDay, again.FirstPurchaseRegion));

        // A late purchase before the first: the first purchase moves there (a third purchase of D0 moved no bitmap).
        var third = Derive(again, T("m1", "e3", D0, "purchase", revenue: 10m));
        var late = Derive(third, T("m1", "e4", D0.AddDays(-3), "purchase", first: true, revenue: 10m, after: Seg("west")));
        Assert.Equal((D0.AddDays(-3), "west", true), (late.FirstPurchaseDay, late.FirstPurchaseRegion, late.Repurchased7dCounted));

        // A join counted by an event that moves no bitmap (a complaint): its own copy.
        var joined = Derive(MemberMetricState.Empty, T("m2", "e1", D0, "complaint", joined: true));
        Assert.Equal((D0, "east"), (joined.JoinedDay, joined.JoinedRegion));
        Assert.Null(MemberMetricState.Empty.JoinedDay);

        // A repurchase on a later day of the 7: the day's bitmaps move, so it is set on the activity's copy.
        var later = Derive(s, T("m1", "e5", D0.AddDays(3), "purchase", revenue: 10m));
        Assert.Equal((D0, "east", true), (later.FirstPurchaseDay, later.FirstPurchaseRegion, later.Repurchased7dCounted));
    }

    [Fact]
    public void ACohortSetByAPurchaseThatMovedNoBitmapIsSetOnACopyOfItsOwn()
    {
        // States whose purchase of D0 (and its repurchase) are already marked: another purchase of D0 moves no bitmap, so the
        // activity hands the given state on as it is and the cohort is set on a copy the derivation makes then (Owned).
        var s = Derive(MemberMetricState.Empty, T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 10m));
        s = Derive(s, T("m1", "e2", D0, "purchase", revenue: 10m));
        Assert.True(s.Repurchased7dCounted);

        // The repurchase not yet counted.
        var repurchase = Derive(s with { Repurchased7dCounted = false }, T("m1", "e3", D0, "purchase", revenue: 10m));
        Assert.Equal((D0, "east", true), (repurchase.FirstPurchaseDay, repurchase.FirstPurchaseRegion, repurchase.Repurchased7dCounted));

        // The first purchase not yet counted.
        var first = Derive(s with { FirstPurchaseDay = null, FirstPurchaseRegion = null }, T("m1", "e3", D0, "purchase", first: true, revenue: 10m));
        Assert.Equal((D0, "east"), (first.FirstPurchaseDay, first.FirstPurchaseRegion));

        // The first purchase counted on a later day: it moves to D0 (where the member bought again within 7 days).
        var moved = Derive(s with { FirstPurchaseDay = D0.AddDays(1), Repurchased7dCounted = false }, T("m1", "e3", D0, "purchase", first: true, revenue: 10m));
        Assert.Equal((D0, "east", true), (moved.FirstPurchaseDay, moved.FirstPurchaseRegion, moved.Repurchased7dCounted));
    }

    [Fact]
    public void ANewMembersFirstPurchaseCopiesTheStateOnce()
    {
        var first = T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 10m);
        var plain = T("m1", "e1", D0, "purchase", revenue: 10m, before: null) with { Before = null };
        Assert.Equal(JsonSerializer.Serialize(MemberMetrics.Derive(MemberMetricState.Empty, first, _options).State with { JoinedDay = null, JoinedRegion = null, FirstPurchaseDay = null, FirstPurchaseRegion = null }, Web),
            JsonSerializer.Serialize(MemberMetrics.Derive(MemberMetricState.Empty, plain, _options).State, Web));

        // The same outcome without the join and the first purchase adds two counters (newMembers, firstPurchasers) to its
        // contribution, nothing else: the difference is less than one copy of the state (it was two copies and more).
        // Measured without first, then with until one call is within a copy of it (as a re-JIT between the two windows can
        // make a call allocate more for a while, never less).
        var copy = AllocationProbe.FewestBytes(() => _ = MemberMetricState.Empty with { });
        var without = AllocationProbe.FewestBytes(() => MemberMetrics.Derive(MemberMetricState.Empty, plain, _options));
        var withCohorts = AllocationProbe.FewestBytes(() => MemberMetrics.Derive(MemberMetricState.Empty, first, _options), without + copy - 1);
        Assert.True(withCohorts - without < copy, $"{withCohorts} bytes with the join and first purchase, {without} without, a copy {copy}");
    }
}
