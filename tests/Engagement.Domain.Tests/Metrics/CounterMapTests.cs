using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The contributions' counters are one array of pairs per contribution (<see cref="CounterMap"/>), not a dictionary
/// each: they read, look up and enumerate as the dictionary did, in ordinal name order, with no zero entries.
/// </summary>
public sealed class CounterMapTests
{
    [Fact]
    public void ContributionCountersAreOrderedMapsThatAnswerLikeTheDictionary()
    {
        var options = new MetricsOptions();
        var joined = T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 120m, after: Seg(tier: "V2", monetary: 120m, points: 120));
        var (_, contributions) = MemberMetrics.Derive(MemberMetricState.Empty, joined with { PointsIssued = 120 }, options);

        Assert.Equal(2, contributions.Count);
        foreach (var c in contributions)
        {
            var map = Assert.IsType<CounterMap>(c.Counters);
            var names = map.Select(kv => kv.Key).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            Assert.Equal(names, map.Keys);
            Assert.Equal(map.Select(kv => kv.Value), map.Values);
            Assert.DoesNotContain(0L, map.Values);
            foreach (var (name, delta) in map)
            {
                Assert.True(map.ContainsKey(name));
                Assert.True(map.TryGetValue(name, out var found));
                Assert.Equal(delta, found);
                Assert.Equal(delta, map[name]);
            }

            Assert.False(map.ContainsKey("no-such-counter"));
            Assert.False(map.TryGetValue("no-such-counter", out var none));
            Assert.Equal(0, none);
            Assert.Throws<KeyNotFoundException>(() => map["no-such-counter"]);
        }

        var day = Assert.Single(contributions, c => !c.IsGauge);
        Assert.Equal(1, day.Counters[MetricNames.NewMembers]);
        Assert.Equal(1, day.Counters[MetricNames.FirstPurchasers]);
        Assert.Equal(120, day.Counters[MetricNames.PointsIssued]);
        Assert.Equal(120m, day.Revenue);
        var gauges = Assert.Single(contributions, c => c.IsGauge);
        Assert.Equal(1, gauges.Counters[GaugeNames.Members]);
        Assert.Equal(1, gauges.Counters[GaugeNames.TierPrefix + "V2"]);
        Assert.Equal(120, gauges.Counters[GaugeNames.PointsOutstanding]);
    }
}
