using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <see cref="DistinctCounts"/> keeps a member's region list (or returns the state itself) when the counted region's
/// entry does not move: at every step of a mixed sequence the state it returns serializes exactly as the one the full
/// rebuild makes from the same state, and the contributions it adds are the rebuild's.
/// </summary>
public sealed class KeptRegionListTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly MetricsOptions _options = new();

    private int _keptLists;

    private int _keptStates;

    /// <summary>Counts the activity both ways from <paramref name="s"/>; asserts the same state and contributions (JSON); returns the shortcut's state.</summary>
    private MemberMetricState Count(MemberMetricState s, string type, string region, DateOnly day)
    {
        var t = T("m1", "e", day, type, after: Seg(region));
        var sinkKept = new ContributionSink(t, _options);
        var sinkRebuilt = new ContributionSink(t, _options);
        var kept = DistinctCounts.Count(s, type, region, day, sinkKept);
        var rebuilt = DistinctCounts.Count(s, type, region, day, sinkRebuilt, keepUnmoved: false);
        Assert.Equal(JsonSerializer.Serialize(rebuilt, Web), JsonSerializer.Serialize(kept, Web));
        Assert.Equal(JsonSerializer.Serialize(sinkRebuilt.Build(1), Web), JsonSerializer.Serialize(sinkKept.Build(1), Web));
        Assert.NotSame(s, rebuilt);
        _keptStates += ReferenceEquals(kept, s) ? 1 : 0;
        _keptLists += s.Regions is not null && ReferenceEquals(kept.Regions, s.Regions) ? 1 : 0;
        return kept;
    }

    [Fact]
    public void AStateKeptAsItIsSerializesAsTheFullRebuildAtEveryStep()
    {
        var s = Count(MemberMetricState.Empty, "login", "east", D0);

        // The same region again: a second login of the day (nothing moved), then a purchase and a new day there.
        var again = Count(s, "login", "east", D0);
        Assert.Same(s, again);
        var bought = Count(again, "purchase", "east", D0);
        Assert.Same(s.Regions, bought.Regions);
        s = Count(bought, "login", "east", D0.AddDays(1));

        // A region change, then more in the new region (its own days move, then do not).
        s = Count(s, "login", "west", D0.AddDays(2));
        s = Count(s, "browse", "west", D0.AddDays(2));
        var before = s;
        s = Count(s, "login", "west", D0.AddDays(2));
        Assert.Same(before, s);
        s = Count(s, "login", "east", D0.AddDays(2));
        s = Count(s, "login", "east", D0.AddDays(2));

        // A member of four regions, then a fifth (the least recent forgotten), then back to ones it knows.
        s = Count(s, "login", "north", D0.AddDays(3));
        s = Count(s, "share", "south", D0.AddDays(4));
        Assert.Equal(MemberMetricState.MaxTrackedRegions, s.Regions!.Count);
        s = Count(s, "share", "south", D0.AddDays(4));
        s = Count(s, "login", "south", D0.AddDays(5));
        s = Count(s, "login", "centre", D0.AddDays(6));
        Assert.NotEqual(0, s.ForgottenThrough);
        s = Count(s, "login", "centre", D0.AddDays(6));
        s = Count(s, "purchase", "centre", D0.AddDays(7));
        s = Count(s, "login", "west", D0.AddDays(7));
        s = Count(s, "login", "west", D0.AddDays(3));

        // An old state: stored before regions were kept, its days all forgotten through its latest.
        var old = Count(MemberMetricState.Empty, "login", "east", D0) with { Regions = null };
        old = Count(old, "purchase", "east", D0.AddDays(1));
        Assert.NotEqual(0, old.ForgottenThrough);
        old = Count(old, "login", "east", D0.AddDays(1));
        old = Count(old, "login", "east", D0.AddDays(2));
        old = Count(old, "browse", "west", D0.AddDays(2));
        Count(old, "browse", "west", D0.AddDays(2));

        // The shortcut was taken, both ways, not only the rebuild.
        Assert.True(_keptStates >= 3, $"{_keptStates} states kept");
        Assert.True(_keptLists > _keptStates, $"{_keptLists} lists kept");
    }
}
