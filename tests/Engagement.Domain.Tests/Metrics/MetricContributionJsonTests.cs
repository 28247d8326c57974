using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A contribution waits in the member's outbox, so in every state write, until its aggregator confirms it: its JSON
/// leaves out the fields that hold their default, reads back the same, and reads the older form that wrote them all.
/// </summary>
public class MetricContributionJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ADayContributionOfShardZeroWithoutRevenueLeavesTheDefaultsOutAndReadsBackTheSame()
    {
        var contribution = Contribution(shard: 0, gauge: false, revenue: 0m);

        var json = JsonSerializer.SerializeToNode(contribution, Web)!.AsObject();
        var back = JsonSerializer.Deserialize<MetricContribution>(json, Web)!;

        Assert.Equal(["id", "regionId", "day", "memberId", "sequence", "counters"], json.Select(p => p.Key));
        Assert.Equal((contribution.Id, contribution.MemberId, contribution.Sequence, contribution.RegionId, contribution.Day), (back.Id, back.MemberId, back.Sequence, back.RegionId, back.Day));
        Assert.Equal((0, false, 0m), (back.Shard, back.IsGauge, back.Revenue));
        Assert.Equal(contribution.Counters, back.Counters);
    }

    [Fact]
    public void AGaugeOfAnotherShardAndARevenueAreWrittenAndReadBack()
    {
        var contribution = Contribution(shard: 5, gauge: true, revenue: -12.30m);

        var json = JsonSerializer.SerializeToNode(contribution, Web)!.AsObject();
        var back = JsonSerializer.Deserialize<MetricContribution>(json, Web)!;

        Assert.Equal((5, true, -12.30m), ((int)json["shard"]!, (bool)json["isGauge"]!, (decimal)json["revenue"]!));
        Assert.Equal((5, true, -12.30m), (back.Shard, back.IsGauge, back.Revenue));
    }

    [Fact]
    public void AContributionStoredWithEveryFieldReadsAsOneStoredWithoutItsDefaults()
    {
        // The form written before the defaults were left out: a state stored then still loads the same.
        const string older = """
            {"id":"m1|e:e1|d|east|20261102","regionId":"east","day":"2026-11-02","memberId":"m1","sequence":3,"shard":0,"isGauge":false,"counters":{"dau":1,"purchases":1},"revenue":0}
            """;

        var fromOlder = JsonSerializer.Deserialize<MetricContribution>(older, Web)!;
        var rewritten = JsonSerializer.Serialize(fromOlder, Web);

        Assert.Equal("""{"id":"m1|e:e1|d|east|20261102","regionId":"east","day":"2026-11-02","memberId":"m1","sequence":3,"counters":{"dau":1,"purchases":1}}""", rewritten);
        Assert.Equal((0, false, 0m), (fromOlder.Shard, fromOlder.IsGauge, fromOlder.Revenue));
    }

    [Fact]
    public void AnOutcomesContributionsComeInGaugeRegionDayOrderWithTheirCountersInOrdinalNameOrderAndNoZeroes()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e1", D0, "register", joined: true, after: Seg(region: "west")));

        // A purchase that moves the member from west to east: day counters and gauges in both regions.
        var contributions = kit.Apply(T("m1", "e2", D0, "purchase", first: true, revenue: 88.80m, before: Seg(region: "west"), after: Seg(region: "east", monetary: 88.80m)));

        Assert.Equal(
            [(false, "east"), (false, "west"), (true, "east"), (true, "west")],
            contributions.Select(c => (c.IsGauge, c.RegionId)));
        Assert.All(contributions, c =>
        {
            Assert.Equal(c.Counters.Keys.Order(StringComparer.Ordinal), c.Counters.Keys);
            Assert.DoesNotContain(0L, c.Counters.Values);
        });
        Assert.Equal(88.80m, contributions.Single(c => c.Revenue != 0).Revenue);
    }

    [Fact]
    public void TheFullFormWritesADerivedContributionsCounterMapAsTheDictionaryItReplaced()
    {
        var joined = T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 120m, after: Seg(tier: "V2", monetary: 120m, points: 120));
        var (_, contributions) = MemberMetrics.Derive(MemberMetricState.Empty, joined with { PointsIssued = 120 }, new MetricsOptions());

        Assert.Equal(2, contributions.Count);
        foreach (var c in contributions)
        {
            var map = Assert.IsType<CounterMap>(c.Counters);
            Assert.True(map.Count > 1, $"{map.Count} counters");
            // The same pairs, read from the map's array (not through its enumerator), in a Dictionary as before.
            var dictionary = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (name, delta) in map.Entries)
            {
                dictionary.Add(name, delta);
            }

            var asDictionary = c with { Counters = dictionary };

            var json = JsonSerializer.Serialize(c, Web);

            Assert.Equal(JsonSerializer.Serialize(asDictionary, Web), json);
            Assert.Contains("\"counters\":{", json, StringComparison.Ordinal);
        }
    }

    private static MetricContribution Contribution(int shard, bool gauge, decimal revenue) => new()
    {
        Id = "m1|e:e1|" + (gauge ? "g" : "d") + "|east|20261102",
        RegionId = "east",
        Day = D0,
        MemberId = "m1",
        Sequence = 3,
        Shard = shard,
        IsGauge = gauge,
        Counters = new Dictionary<string, long>(StringComparer.Ordinal) { ["dau"] = 1, ["purchases"] = 1 },
        Revenue = revenue,
    };
}
