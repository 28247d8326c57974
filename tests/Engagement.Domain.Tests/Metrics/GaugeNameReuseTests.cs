using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The gauges a member joins, leaves or moves between (<c>tier:V1</c>, <c>segment:New</c>, <c>monetary:12</c>...) are
/// named by one string per name, made once and reused by every outcome (<see cref="GaugeNames"/>), not concatenated
/// anew for each: the same text as before, and the same instance from one outcome to the next.
/// </summary>
public sealed class GaugeNameReuseTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    private static readonly MemberSegments V1 = new() { RegionId = "east", Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", Monetary = 120m, PointsBalance = 100 };

    private static readonly MemberSegments V2 = V1 with { Tier = "V2", RfmSegment = "Loyal", ValueClass = "B", Stage = "active", Monetary = 5000m };

    [Fact]
    public void TwoMembersJoiningCountUnderTheSameNameInstances()
    {
        var a = GaugeKeys(Derive("A", null, V1));
        var b = GaugeKeys(Derive("B", null, V1));

        Assert.Contains("tier:V1", a);
        Assert.Contains("segment:New", a);
        Assert.Contains("valueClass:C", a);
        Assert.Contains("stage:new", a);
        Assert.Contains(a, k => k.StartsWith(GaugeNames.MonetaryPrefix, StringComparison.Ordinal));
        Assert.Equal(a, b);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Same(a[i], b[i]);
        }
    }

    [Fact]
    public void TwoMembersMovingUpMoveUnderTheSameNameInstances()
    {
        var a = GaugeKeys(Derive("A", V1, V2));
        var b = GaugeKeys(Derive("B", V1, V2));

        Assert.Equal(
            ["monetary:" + MonetaryHistogram.BucketOf(120m), "monetary:" + MonetaryHistogram.BucketOf(5000m), "segment:Loyal", "segment:New",
                "stage:active", "stage:new", "tier:V1", "tier:V2", "valueClass:B", "valueClass:C"],
            a.Order(StringComparer.Ordinal));
        Assert.Equal(a, b);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Same(a[i], b[i]);
        }
    }

    private static IReadOnlyList<MetricContribution> Derive(string member, MemberSegments? before, MemberSegments after) =>
        MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = member,
            EffectId = "e-" + member,
            Day = Day,
            EventType = "purchase",
            Joined = before is null,
            Before = before,
            After = after,
        }, new MetricsOptions()).Contributions;

    private static List<string> GaugeKeys(IReadOnlyList<MetricContribution> contributions) =>
        [.. contributions.Where(c => c.IsGauge).SelectMany(c => c.Counters.Keys).Where(k => k.Contains(':', StringComparison.Ordinal))];
}
