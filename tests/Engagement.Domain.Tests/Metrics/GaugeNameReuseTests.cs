using System.Globalization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The gauges a member joins, leaves or moves between (<c>tier:V1</c>, <c>segment:New</c>, <c>monetary:12</c>...) are
/// named by one string per name, made once and reused by every outcome (<see cref="GaugeNames"/>), not concatenated
/// anew for each: the same text as before, and the same instance from one outcome to the next. The tests that read the
/// process-wide cache through <see cref="MemberMetrics"/> push a handful of names, far under its cap; the cap itself is
/// tested on a cache of its own (<see cref="GaugeNameCache"/> with a low cap), so no test fills the shared one and the
/// <c>Assert.Same</c> checks cannot depend on which tests ran first.
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

    [Fact]
    public void NamesPastTheCapReadPrefixAndValueAndAreMadeEachTime()
    {
        var cache = new GaugeNameCache(maxKept: 2);
        var v1 = cache.Of(GaugeNames.TierPrefix, "V1");
        var v2 = cache.Of(GaugeNames.TierPrefix, "V2");

        var v3 = cache.Of(GaugeNames.TierPrefix, "V3");
        var v3Again = cache.Of(GaugeNames.TierPrefix, "V3");

        Assert.Equal("tier:V3", v3);
        Assert.Equal("tier:V3", v3Again);
        Assert.NotSame(v3, v3Again);
        Assert.Equal("segment:New", cache.Of(GaugeNames.SegmentPrefix, "New"));
        Assert.NotSame(cache.Of(GaugeNames.SegmentPrefix, "New"), cache.Of(GaugeNames.SegmentPrefix, "New"));

        // The names kept before the cap was reached are still the ones handed out.
        Assert.Equal("tier:V1", v1);
        Assert.Same(v1, cache.Of(GaugeNames.TierPrefix, "V1"));
        Assert.Same(v2, cache.Of(GaugeNames.TierPrefix, "V2"));
    }

    [Fact]
    public void MissesRacingOnManyThreadsKeepExactlyTheCap()
    {
        var cache = new GaugeNameCache(maxKept: 64);
        var values = Enumerable.Range(0, 256).Select(i => "S" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

        // Each name asked for by several threads at once: racing misses of one name, and of more names than the cap.
        Parallel.For(0, values.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => cache.Of(GaugeNames.SegmentPrefix, values[i % values.Length]));

        // Asked again one by one, a name is kept if it comes back as the same instance (a slot a race left free is taken
        // here): more than the cap, or fewer because a slot was lost, would be a miscount.
        var kept = values.Count(v => ReferenceEquals(cache.Of(GaugeNames.SegmentPrefix, v), cache.Of(GaugeNames.SegmentPrefix, v)));
        Assert.Equal(64, kept);
    }

    [Fact]
    public void TheSharedCacheKeepsUpTo1024Names() => Assert.Equal(1024, GaugeNames.MaxKeptNames);

    [Fact]
    public void MonetaryBucketsOutsideTheHistogramReadPrefixAndBucketAndAreMadeEachTime()
    {
        var last = MonetaryHistogram.MaxBucket;
        Assert.Equal("monetary:" + last.ToString(CultureInfo.InvariantCulture), GaugeNames.Monetary(last));
        Assert.Same(GaugeNames.Monetary(last), GaugeNames.Monetary(last));
        Assert.Same(GaugeNames.Monetary(0), GaugeNames.Monetary(0));

        foreach (var outside in new[] { -1, last + 1, int.MaxValue, int.MinValue })
        {
            var name = GaugeNames.Monetary(outside);
            Assert.Equal("monetary:" + outside.ToString(CultureInfo.InvariantCulture), name);
            Assert.NotSame(name, GaugeNames.Monetary(outside));
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
