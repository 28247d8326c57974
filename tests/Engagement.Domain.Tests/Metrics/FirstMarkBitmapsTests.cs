using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The first mark of an empty day bitmap (a new member's activity, a kind of activity new to the member) is one shared,
/// immutable instance per day (<see cref="DayBits.FirstMark"/>) instead of a new 80-byte bitmap per member and kind: it
/// equals the bitmap marked anew, is stored alike, and the state and counts it gives are those of the rebuild.
/// </summary>
public sealed class FirstMarkBitmapsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly MetricsOptions _options = new();

    [Fact]
    public void AFirstMarkIsTheDaysSharedBitmapAndEqualsOneMarkedAnew()
    {
        // Days 16 apart share a slot of the table: each still answers its own day.
        foreach (var day in new[] { D0, D0.AddDays(16), D0, D0.AddDays(-1), D0.AddDays(15), D0.AddDays(-365) })
        {
            var shared = DayBits.FirstMark(day);
            var anew = DayBits.Empty.With(day);
            Assert.Equal(anew, shared);
            Assert.True(shared.Has(day) && shared.Count(day.AddDays(-DayBits.Span), day.AddDays(DayBits.Span)) == 1);
            Assert.Equal(JsonSerializer.Serialize(anew, Web), JsonSerializer.Serialize(shared, Web));
            Assert.Same(shared, DayBits.FirstMark(day));
        }
    }

    [Theory]
    [InlineData("login")]
    [InlineData("purchase")]
    [InlineData("share")]
    public void NewMembersShareTheirFirstMarksAndCountAsTheRebuild(string type)
    {
        var first = DistinctCounts.Count(MemberMetricState.Empty, type, "east", D0, new ContributionSink(T("m1", "e1", D0, type, after: Seg("east")), _options));
        var second = DistinctCounts.Count(MemberMetricState.Empty, type, "east", D0, new ContributionSink(T("m2", "e2", D0, type, after: Seg("east")), _options));
        Assert.Same(first.Active, second.Active);
        Assert.False(first.Active.IsEmpty);

        // Then a second kind of activity the same day, and a next day: as stored and as counted, the same as marking anew.
        var transition = T("m1", "e3", D0, "browse", after: Seg("east"));
        var sinkKept = new ContributionSink(transition, _options);
        var sinkRebuilt = new ContributionSink(transition, _options);
        var kept = DistinctCounts.Count(first, "browse", "east", D0, sinkKept);
        var rebuilt = DistinctCounts.Count(first, "browse", "east", D0, sinkRebuilt, keepUnmoved: false);
        Assert.Equal(JsonSerializer.Serialize(rebuilt, Web), JsonSerializer.Serialize(kept, Web));
        Assert.Equal(JsonSerializer.Serialize(sinkRebuilt.Build(1), Web), JsonSerializer.Serialize(sinkKept.Build(1), Web));
        Assert.True(kept.Browse.Has(D0) && kept.Active.Has(D0));

        var next = DistinctCounts.Count(kept, type, "east", D0.AddDays(1), new ContributionSink(T("m1", "e4", D0.AddDays(1), type, after: Seg("east")), _options));
        Assert.True(next.Active.Has(D0) && next.Active.Has(D0.AddDays(1)));
        Assert.True(DayBits.FirstMark(D0).Has(D0) && !DayBits.FirstMark(D0).Has(D0.AddDays(1)), "the shared bitmap is never changed by a later mark");
    }
}
