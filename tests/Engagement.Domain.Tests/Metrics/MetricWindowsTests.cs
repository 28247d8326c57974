using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>Window entries (one aggregator per activity, summed on read) and the aggregators' per-member sequence marks.</summary>
public class MetricWindowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);

    private static MetricContribution C(string member, long sequence, long dau = 1) => new()
    {
        Id = $"{member}|e{sequence}|d|east|20261120",
        MemberId = member,
        Sequence = sequence,
        RegionId = "east",
        Day = D0,
        Counters = new Dictionary<string, long> { [MetricNames.Dau] = dau },
    };

    [Fact]
    public void AFirstActivityWritesEveryWindowToItsOwnDayOnly()
    {
        var kit = new MetricsKit();

        var contributions = kit.Apply(T("m1", "e1", D0, "purchase", joined: true, first: true, revenue: 10m));

        var day = Assert.Single(contributions, c => !c.IsGauge);
        Assert.Equal(D0, day.Day);
        Assert.Equal(1, day.Counters[MetricWindows.Entry(MetricNames.Wau, 0, 6)]);
        Assert.Equal(1, day.Counters[MetricWindows.Entry(MetricNames.Mau, 0, 29)]);
        Assert.Equal(1, day.Counters[MetricWindows.Entry(MetricNames.Purchasers30, 0, 29)]);
        Assert.DoesNotContain(MetricNames.Mau, day.Counters.Keys);
    }

    [Fact]
    public void ResolveSumsTheEntriesOfThePrecedingDaysIntoTheDaysReadAndDropsThem()
    {
        var days = Enumerable.Range(-29, 40).Select(i => new DayCounters
        {
            Day = D0.AddDays(i),
            Counters = i switch
            {
                -29 => new Dictionary<string, long> { [MetricWindows.Entry(MetricNames.Mau, 0, 29)] = 2, [MetricNames.Dau] = 2 },
                -1 => new Dictionary<string, long> { [MetricWindows.Entry(MetricNames.Mau, 3, 5)] = 1, [MetricWindows.Entry(MetricNames.Wau, 0, 6)] = 4 },
                // A plain window counter stored before entries existed still counts as it is.
                0 => new Dictionary<string, long> { [MetricNames.Mau] = 10 },
                _ => new Dictionary<string, long>(),
            },
        }).ToList();

        var read = MetricWindows.Resolve(days, D0);

        Assert.Equal(D0, read[0].Day);
        Assert.Equal(11, read.Count);
        Assert.Equal(12, read[0][MetricNames.Mau]);
        Assert.Equal(0, read[1][MetricNames.Mau]);
        Assert.Equal([1, 1, 1, 0], read.Skip(2).Take(4).Select(d => d[MetricNames.Mau]));
        Assert.Equal([4, 4, 4, 4, 4, 4, 0], read.Take(7).Select(d => d[MetricNames.Wau]));
        Assert.All(read, d => Assert.DoesNotContain(d.Counters.Keys, k => k.Contains('@', StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("mau@0-29", true, "mau", 0, 29)]
    [InlineData("wau@6-6", true, "wau", 6, 6)]
    [InlineData("mau", false, "", 0, 0)]
    [InlineData("mau@5-3", false, "", 0, 0)]
    [InlineData("mau@0-30", false, "", 0, 0)]
    [InlineData("@0-3", false, "", 0, 0)]
    [InlineData("mau@-1-3", false, "", 0, 0)]
    public void EntryNamesParseBackAndNothingElseDoes(string name, bool parses, string counter, int from, int to)
    {
        Assert.Equal(parses, MetricWindows.TryParse(name, out var c, out var f, out var t));
        if (parses)
        {
            Assert.Equal((counter, from, to), (c, f, t));
            Assert.Equal(name, MetricWindows.Entry(c, f, t));
        }
    }

    [Fact]
    public void AnOutcomeThatContributesTakesTheMembersNextSequence()
    {
        var kit = new MetricsKit();

        var first = kit.Apply(T("m1", "e1", D0, "login", joined: true));
        var second = kit.Apply(T("m1", "e2", D0, "browse"));

        Assert.All(first, c => Assert.Equal((1L, "m1"), (c.Sequence, c.MemberId)));
        Assert.All(second, c => Assert.Equal(2L, c.Sequence));
    }

    [Fact]
    public void AnAggregatorDropsRepeatsByTheMembersSequenceAndKeepsOneMarkPerMember()
    {
        var (state, applied) = AggregatorShard.Apply(new AggregatorShard(), [C("m1", 2), C("m1", 1), C("m2", 1), C("m1", 2)], Now, 7);
        Assert.Equal(3, applied);

        // Redelivery of the whole pending outbox with one new outcome: only the new one counts.
        (state, applied) = AggregatorShard.Apply(state, [C("m1", 1), C("m1", 2), C("m1", 3, dau: 5)], Now.AddHours(1), 7);

        Assert.Equal(1, applied);
        Assert.Equal(1 + 1 + 1 + 5, state.Counters[MetricNames.Dau]);
        Assert.Equal(2, state.Members.Count);
        Assert.Empty(state.Applied);
        Assert.Equal(3, state.DuplicateCount);
    }

    [Fact]
    public void AMembersMarkIsKeptPastTheHorizonAndTheStatePassedInIsNotChanged()
    {
        var (state, _) = AggregatorShard.Apply(new AggregatorShard(), [C("m1", 1)], Now, 7);

        var (within, again) = AggregatorShard.Apply(state, [C("m1", 1)], Now.AddDays(6), 7);
        var (past, _) = AggregatorShard.Apply(state, [C("m2", 1)], Now.AddDays(7), 7);

        Assert.Equal(0, again);
        Assert.Equal(1, within.Counters[MetricNames.Dau]);
        Assert.Equal(new[] { AggregatorShard.Hash("m1"), AggregatorShard.Hash("m2") }.Order(), past.Members.Keys.Order());
        Assert.Single(state.Members);
    }
}
