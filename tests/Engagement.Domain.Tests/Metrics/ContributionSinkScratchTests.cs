using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The contribution sink's per-thread scratch: one outcome with many targets (points expiring on dozens of days) or one
/// target with many counters (coupons of many offers) must not leave every thread holding that much for the silo's life.
/// </summary>
public sealed class ContributionSinkScratchTests
{
    [Fact]
    public void AnOutcomeOnManyDaysLeavesTheThreadOnlyItsUsualScratch()
    {
        var options = new MetricsOptions();
        var expired = Enumerable.Range(1, 40).ToDictionary(i => D0.AddDays(-i), _ => 10L);
        var offers = Enumerable.Range(0, 40).ToDictionary(i => $"offer{i:00}", _ => 1, StringComparer.Ordinal);
        var t = T("m1", "e1", D0, "login", joined: true) with { PointsExpired = expired, CouponsIssued = 40, CouponsIssuedByOffer = offers };

        // Synchronous: the sink's scratch is this thread's.
        var (state, contributions) = MemberMetrics.Derive(MemberMetricState.Empty, t, options);

        // The outcome did need 40+ targets and a map of more counters than the usual sort buffer holds.
        Assert.True(contributions.Count > 40, $"{contributions.Count} contributions");
        Assert.Contains(contributions, c => c.Counters.Count > 32);
        var (targets, capacity, entries) = ContributionSink.IdleScratch;
        Assert.InRange(targets, 1, 8);
        Assert.InRange(capacity, 1, 8);
        Assert.Equal(32, entries);

        // The next outcome on the thread is counted as ever from the trimmed scratch.
        var (_, next) = MemberMetrics.Derive(state, T("m1", "e2", D0.AddDays(1), "login"), options);
        var day = Assert.Single(next, c => !c.IsGauge && c.Day == D0.AddDays(1));
        Assert.Equal(1, day.Counters[MetricNames.Dau]);
    }

    [Fact]
    public void AnOutcomeThatContributesNothingMakesNoList()
    {
        var options = new MetricsOptions();
        var (state, first) = MemberMetrics.Derive(MemberMetricState.Empty, T("m1", "e1", D0, "login", joined: true), options);
        Assert.NotEmpty(first);

        // A second login on the same day with the same segments: already active, no gauge moves, nothing to count.
        // Such an outcome gets the shared empty list, not a list made for it.
        var (_, second) = MemberMetrics.Derive(state, T("m1", "e2", D0, "login"), options);
        Assert.Same(Array.Empty<MetricContribution>(), second);
    }

    [Fact]
    public void TargetsWhoseCountersCancelOutAllShareOneEmptyCounterMap()
    {
        var options = new MetricsOptions();

        // Two outcomes, each with a target whose deltas cancel out but that carries revenue (kept), and one with
        // nothing left at all (skipped): both kept contributions hold the same empty map, made once.
        var first = RevenueOnly(T("m1", "e1", D0, "purchase"), options);
        var second = RevenueOnly(T("m2", "e2", D0.AddDays(1), "purchase"), options);

        Assert.Empty(first.Counters);
        Assert.Equal(12.5m, first.Revenue);
        Assert.Same(first.Counters, second.Counters);
        Assert.Equal("{}", System.Text.Json.JsonSerializer.Serialize(first.Counters));
    }

    private static MetricContribution RevenueOnly(MemberTransition t, MetricsOptions options)
    {
        var sink = new ContributionSink(t, options);
        sink.Add("east", t.Day, MetricNames.Purchases, 1);
        sink.Add("east", t.Day, MetricNames.Purchases, -1);
        sink.AddRevenue("east", t.Day, 12.5m);
        sink.Add("west", t.Day, MetricNames.Purchases, 2);
        sink.Add("west", t.Day, MetricNames.Purchases, -2);
        return Assert.Single(sink.Build(sequence: 1));
    }
}
