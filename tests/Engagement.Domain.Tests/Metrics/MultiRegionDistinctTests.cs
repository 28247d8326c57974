using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// CONTRACT.md §5 distinct counts per region: a chain's member who shops in a Shanghai store and a Beijing store in the
/// same week is a distinct member of both regions (dau, wau, mau, funnel, sharers, purchasers), and of the programme
/// once. Until 2026-12-04 one set of "already counted" days served every region, so the second region missed it.
/// </summary>
public sealed class MultiRegionDistinctTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly MetricsKit _kit = new();

    /// <summary>An event of <paramref name="type"/> in <paramref name="region"/>'s store; the member's region follows it.</summary>
    private void Event(string member, string id, DateOnly day, string type, string region, string? from = null, bool joined = false) =>
        _kit.Apply(T(member, id, day, type, joined: joined, first: type == "purchase" && joined, before: joined ? null : Seg(from ?? region), after: Seg(region)));

    private (long Dau, long Wau, long Mau) Active(string? region, DateOnly day) => region is null
        ? (_kit.Day(day, MetricNames.Dau), _kit.Day(day, MetricNames.Wau), _kit.Day(day, MetricNames.Mau))
        : (_kit.RegionDay(region, day, MetricNames.Dau), _kit.RegionDay(region, day, MetricNames.Wau), _kit.RegionDay(region, day, MetricNames.Mau));

    [Fact]
    public void AMemberActiveInTwoRegionsInAWeekCountsInEachRegionAndOnceInTheProgramme()
    {
        // Shops in Shanghai on D0 (login, share), in Beijing on D0 + 3 (login, purchase).
        Event("m1", "e1", D0, "login", "shanghai", joined: true);
        Event("m1", "e2", D0, "share", "shanghai");
        Event("m1", "e3", D0.AddDays(3), "login", "beijing", from: "shanghai");
        Event("m1", "e4", D0.AddDays(3), "purchase", "beijing");

        var day3 = D0.AddDays(3);
        Assert.Equal((1L, 1L, 1L), Active("shanghai", D0));
        Assert.Equal((0L, 1L, 1L), Active("shanghai", day3));
        Assert.Equal((1L, 1L, 1L), Active("beijing", day3));
        Assert.Equal(1, _kit.RegionDay("beijing", day3, MetricNames.FunnelLogin));
        Assert.Equal(1, _kit.RegionDay("beijing", day3, MetricNames.Purchasers));
        Assert.Equal(1, _kit.RegionDay("beijing", day3, MetricNames.Purchasers30));
        Assert.Equal(1, _kit.RegionDay("shanghai", D0, MetricNames.Sharers));

        // The programme counts it once on each day and window: not twice (the sum of the regions), not zero.
        Assert.Equal((1L, 1L, 1L), Active(null, D0));
        Assert.Equal((1L, 1L, 1L), Active(null, day3));
        Assert.Equal((0L, 1L, 1L), Active(null, D0.AddDays(6)));
        Assert.Equal((0L, 0L, 1L), Active(null, D0.AddDays(10)));
        Assert.Equal(1, _kit.Day(day3, MetricNames.FunnelLogin));
        Assert.Equal(1, _kit.Day(D0.AddDays(29), MetricNames.Mau));
        Assert.Equal(0, _kit.Day(D0.AddDays(33), MetricNames.Mau));
    }

    [Fact]
    public void TheSameDayInTwoRegionsIsTwoRegionsDauAndOneProgrammeDauAndTwoPurchasesThereAreARepurchase()
    {
        Event("m1", "e1", D0, "purchase", "shanghai", joined: true);
        Event("m1", "e2", D0, "purchase", "beijing", from: "shanghai");

        foreach (var region in new[] { "shanghai", "beijing" })
        {
            Assert.Equal((1L, 1L, 1L), Active(region, D0));
            Assert.Equal((1L, 0L), (_kit.RegionDay(region, D0, MetricNames.Purchasers), _kit.RegionDay(region, D0, MetricNames.Repurchasers)));
            Assert.Equal((1L, 0L), (_kit.RegionDay(region, D0, MetricNames.Purchasers30), _kit.RegionDay(region, D0, MetricNames.Repurchasers30)));
        }

        // Programme-wide the member bought twice that day: one purchaser, one repurchaser (in no single region).
        Assert.Equal((1L, 1L, 1L), Active(null, D0));
        Assert.Equal((1L, 1L), (_kit.Day(D0, MetricNames.Purchasers), _kit.Day(D0, MetricNames.Repurchasers)));
        Assert.Equal((1L, 1L), (_kit.Day(D0, MetricNames.Purchasers30), _kit.Day(D0, MetricNames.Repurchasers30)));
        Assert.Equal(1.0, HealthMetrics.Of(_kit.Counters(D0), 1, D0.AddDays(1)).RepurchaseRate30);
    }

    [Fact]
    public void AMemberStoredBeforeRegionsWereKeptIsNotCountedTwiceInTheWindowItAlreadyCountedIn()
    {
        // The previous version counted D0 (Shanghai) with one set of days and stored no regions.
        Event("m1", "e1", D0, "login", "shanghai", joined: true);
        var stored = JsonSerializer.SerializeToNode(_kit.State("m1"), Web)!.AsObject();
        Assert.True(stored.Remove("regions"));
        _kit.Store("m1", JsonSerializer.Deserialize<MemberMetricState>(stored, Web)!);

        // After the deploy: more on D0 and D0 + 2 in Shanghai, and on D0 in Beijing.
        Event("m1", "e2", D0, "browse", "shanghai");
        Event("m1", "e3", D0.AddDays(2), "login", "shanghai");
        Event("m1", "e4", D0, "login", "beijing", from: "shanghai");

        Assert.Equal((1L, 1L, 1L), Active("shanghai", D0));
        Assert.Equal((1L, 1L, 1L), Active("shanghai", D0.AddDays(2)));
        Assert.Equal(1, _kit.RegionDay("shanghai", D0, MetricNames.FunnelLogin));
        // Beijing's D0 is taken as counted (the member's region of D0 is not known): never twice anywhere.
        Assert.Equal((0L, 0L, 0L), Active("beijing", D0));
        Assert.Equal((1L, 1L, 1L), Active(null, D0));
        Assert.Equal((1L, 1L, 1L), Active(null, D0.AddDays(2)));

        // From then on the member's regions are known: Beijing on a new day counts there.
        Event("m1", "e5", D0.AddDays(40), "login", "beijing", from: "shanghai");
        Assert.Equal((1L, 1L, 1L), Active("beijing", D0.AddDays(40)));
        Assert.Equal((1L, 1L, 1L), Active(null, D0.AddDays(40)));
    }

    [Fact]
    public void PastTheRegionCapTheLeastRecentRegionIsForgottenAndNeverCountedTwice()
    {
        string[] regions = ["r1", "r2", "r3", "r4", "r5"];
        for (var i = 0; i < regions.Length; i++)
        {
            Event("m1", $"e{i}", D0.AddDays(i), "login", regions[i], from: i == 0 ? null : regions[i - 1], joined: i == 0);
        }

        var state = _kit.State("m1");
        Assert.Equal(["r5", "r4", "r3", "r2"], state.Regions!.Select(r => r.Region));
        Assert.Equal(D0.DayNumber, state.ForgottenThrough);

        // Back in r1 on D0 + 5 (its D0 forgotten): r1's D0 is not counted again, its new day is; a late browse of D0
        // there (never counted anywhere) is.
        Event("m1", "e6", D0.AddDays(5), "login", "r1", from: "r5");
        Event("m1", "e7", D0, "browse", "r1", from: "r1");
        Assert.Equal((1L, 1L, 1L), Active("r1", D0));
        Assert.Equal(1, _kit.RegionDay("r1", D0, MetricNames.FunnelBrowse));
        Assert.Equal(1, _kit.RegionDay("r1", D0.AddDays(5), MetricNames.Dau));
        Assert.Equal(1, _kit.Day(D0, MetricNames.FunnelBrowse));
        for (var d = D0; d <= D0.AddDays(35); d = d.AddDays(1))
        {
            Assert.InRange(_kit.RegionDay("r1", d, MetricNames.Wau), 0, 1);
            Assert.InRange(_kit.RegionDay("r1", d, MetricNames.Mau), 0, 1);
            Assert.Equal(d <= D0.AddDays(29 + 5) ? 1 : 0, _kit.Day(d, MetricNames.Mau));
        }
    }

    [Fact]
    public void RegionDaysAreStoredCompactlyAndReadBack()
    {
        Event("m1", "e1", D0, "login", "shanghai", joined: true);
        Event("m1", "e2", D0.AddDays(1), "purchase", "beijing", from: "shanghai");
        var json = JsonSerializer.Serialize(_kit.State("m1"), Web);

        // Only the bitmaps that are set, and no forgottenThrough while nothing is forgotten.
        Assert.Contains("\"regions\":[{\"region\":\"beijing\",\"active\":", json, StringComparison.Ordinal);
        Assert.DoesNotContain("forgottenThrough", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"share\":{", json.Split("\"regions\"")[1], StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<MemberMetricState>(json, Web)!;
        Assert.Equal(["beijing", "shanghai"], back.Regions!.Select(r => r.Region));
        Assert.Equal(_kit.State("m1").Regions, back.Regions);
    }

    [Fact]
    public void AMemberOfOneRegionStoresNoCopyOfItsProgrammeDays()
    {
        // Active daily for 360 days, all in Shanghai: its region's days are the programme's, so they are not stored
        // again (dc353cf stored a copy: 1,415 bytes of JSON without regions, 2,661 with).
        Event("m1", "e0", D0, "login", "shanghai", joined: true);
        for (var i = 1; i < 360; i++)
        {
            Event("m1", $"e{i}", D0.AddDays(i), i % 3 == 0 ? "purchase" : "login", "shanghai");
        }

        var state = _kit.State("m1");
        var with = JsonSerializer.Serialize(state, Web).Length;
        var without = JsonSerializer.Serialize(state with { Regions = null }, Web).Length;

        Assert.InRange(with - without, 0, 199);
        Assert.Equal(1, _kit.RegionDay("shanghai", D0.AddDays(359), MetricNames.Dau));
        Assert.Equal(1, _kit.RegionDay("shanghai", D0.AddDays(359), MetricNames.Mau));
        Assert.Equal(1, _kit.Day(D0.AddDays(359), MetricNames.Mau));
    }

    [Fact]
    public void DayBitsAnyAndCountReadRangesAcrossWordBoundaries()
    {
        var latest = D0.AddDays(400);
        var bits = DayBits.Empty.With(latest).With(latest.AddDays(-63)).With(latest.AddDays(-64)).With(latest.AddDays(-200)).With(latest.AddDays(-447));
        DateOnly Back(int days) => latest.AddDays(-days);

        Assert.True(bits.Any(Back(64), Back(63)));      // both sides of the first boundary
        Assert.False(bits.Any(Back(62), Back(1)));
        Assert.False(bits.Any(Back(199), Back(65)));    // spans words 1-3, none marked
        Assert.True(bits.Any(Back(300), Back(65)));     // word 3 only
        Assert.True(bits.Any(Back(500), Back(447)));    // partly before the window
        Assert.False(bits.Any(Back(600), Back(448)));   // wholly before it
        Assert.True(bits.Any(latest, latest.AddDays(5)));
        Assert.False(bits.Any(latest.AddDays(1), latest.AddDays(5)));
        Assert.False(bits.Any(Back(1), Back(2)));       // an empty range (from after to)
        Assert.Equal(5, bits.Count(Back(600), latest.AddDays(3)));
        Assert.Equal(2, bits.Count(Back(64), Back(63)));
        Assert.Equal(3, bits.Count(Back(64), latest));
        Assert.False(DayBits.Empty.Any(D0, D0.AddDays(30)));
    }

    [Fact]
    public void DayBitsUntilKeepsTheMarksUpToTheDayAcrossWords()
    {
        var bits = DayBits.Empty.With(D0).With(D0.AddDays(70)).With(D0.AddDays(130)).With(D0.AddDays(200));

        var kept = bits.Until(D0.AddDays(130).DayNumber);

        Assert.Equal([true, true, true, false], new[] { 0, 70, 130, 200 }.Select(d => kept.Has(D0.AddDays(d))));
        Assert.False(kept.Has(D0.AddDays(131)));
        Assert.Same(bits, bits.Until(D0.AddDays(200).DayNumber));
        Assert.True(bits.Until(D0.AddDays(-1).DayNumber).IsEmpty);
    }
}
