using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>An aggregator split into rows counts exactly what one whole state counted, and a commit touches only its members' rows.</summary>
public sealed class AggregatorRowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly D0 = new(2026, 11, 20);

    private static MetricContribution C(string member, long sequence, long dau = 1, decimal revenue = 0) => new()
    {
        Id = $"{member}|e{sequence}|d|east|20261120",
        MemberId = member,
        Sequence = sequence,
        RegionId = "east",
        Day = D0,
        Counters = new Dictionary<string, long> { [MetricNames.Dau] = dau, [MetricNames.Purchases] = sequence % 3 },
        Revenue = revenue,
    };

    private static MetricContribution Unsequenced(string id) => new()
    {
        Id = id,
        RegionId = "east",
        Day = D0,
        Counters = new Dictionary<string, long> { [MetricNames.Shares] = 1 },
    };

    [Fact]
    public void RowsCountExactlyWhatOneWholeStateCountsUnderRedeliveryReorderingAndRepeats()
    {
        var random = new Random(12);
        IReadOnlyDictionary<int, AggregatorShard> rows = new Dictionary<int, AggregatorShard>();
        var whole = new AggregatorShard();
        var next = new Dictionary<string, long>();
        for (var call = 0; call < 400; call++)
        {
            // Each call: a few members each re-emitting their pending tail (some already applied) plus new outcomes.
            var batch = new List<MetricContribution>();
            foreach (var member in Enumerable.Range(0, random.Next(1, 6)).Select(_ => $"m{random.Next(300)}"))
            {
                var last = next.GetValueOrDefault(member);
                var upTo = last + random.Next(0, 3);
                for (var s = Math.Max(1, last - random.Next(0, 3)); s <= upTo; s++)
                {
                    batch.Add(C(member, s, dau: 1 + (s % 2), revenue: 0.01m * s));
                }

                next[member] = upTo;
            }

            if (random.Next(4) == 0)
            {
                batch.Add(Unsequenced($"legacy-{random.Next(50)}"));
            }

            var at = Now.AddMinutes(call);
            var (changed, applied) = AggregatorRows.Apply(rows, batch, at, 7);
            (whole, var wholeApplied) = AggregatorShard.Apply(whole, batch, at, 7);
            Assert.Equal(wholeApplied, applied);
            var merged = new Dictionary<int, AggregatorShard>(rows);
            foreach (var (row, state) in changed)
            {
                merged[row] = state;
            }

            rows = merged;
        }

        var sum = AggregatorRows.Sum(rows.Values);
        Assert.Equal(whole.Counters.OrderBy(kv => kv.Key), sum.Counters.OrderBy(kv => kv.Key));
        Assert.Equal(whole.Revenue, sum.Revenue);
        Assert.True(rows.Count > 40, $"300 members spread over the rows ({rows.Count} used)");
    }

    [Fact]
    public void AContributionResentAfterTheDedupeHorizonIsStillARepeat()
    {
        // A silo crashed after the aggregator confirmed but before the member wrote again: the member's next activation
        // (a lifecycle reminder weeks later) sends the confirmed contribution again.
        var (first, applied) = AggregatorShard.Apply(new AggregatorShard(), [C("a", 1, revenue: 100m)], Now, 7);
        Assert.Equal(1, applied);

        var (later, again) = AggregatorShard.Apply(first, [C("a", 1, revenue: 100m)], Now.AddDays(8), 7);
        var (month, third) = AggregatorShard.Apply(later.WithoutExpired(Now.AddDays(30), 7), [C("a", 1, revenue: 100m)], Now.AddDays(30), 7);

        Assert.Equal(0, again);
        Assert.Equal(0, third);
        Assert.Equal(1, month.Counters[MetricNames.Dau]);
        Assert.Equal(100m, month.Revenue);
    }

    [Fact]
    public void ARepeatOnALaterDayChangesNoRowAndIsNotCountedAgain()
    {
        // A member whose batch keeps failing at another aggregator sends this one the same contribution every day.
        var (rows, _) = AggregatorRows.Apply(new Dictionary<int, AggregatorShard>(), [C("a", 1)], Now, 7);
        for (var day = 1; day <= 40; day++)
        {
            var (changed, applied) = AggregatorRows.Apply(rows, [C("a", 1)], Now.AddDays(day), 7);
            Assert.Equal(0, applied);
            Assert.Empty(changed); // nothing to write: the mark does not expire
        }

        Assert.Equal(1, rows.Values.Sum(s => s.Counters.GetValueOrDefault(MetricNames.Dau)));
    }

    [Fact]
    public void ACommitChangesOnlyTheRowsOfItsMembersAndNothingForRepeats()
    {
        var (first, applied) = AggregatorRows.Apply(new Dictionary<int, AggregatorShard>(), [C("a", 1), C("b", 1), C("a", 2)], Now, 7);
        Assert.Equal(3, applied);
        Assert.Equal(new[] { AggregatorRows.RowOf(C("a", 1)), AggregatorRows.RowOf(C("b", 1)) }.Distinct().Order(), first.Keys.Order());

        var (again, none) = AggregatorRows.Apply(first, [C("a", 1), C("a", 2), C("b", 1)], Now.AddMinutes(1), 7);

        Assert.Equal(0, none);
        Assert.Empty(again);
    }

    [Fact]
    public void AWholeStateSplitIntoRowsKeepsItsSumsAndStillDropsWhatItHadApplied()
    {
        var contributions = Enumerable.Range(0, 200).Select(i => C($"s{i}", 1 + (i % 4), revenue: 1.5m)).Append(Unsequenced("old-1")).ToList();
        var (whole, _) = AggregatorShard.Apply(new AggregatorShard(), contributions, Now, 7);

        var rows = AggregatorRows.Split(whole);

        var sum = AggregatorRows.Sum(rows.Values);
        Assert.Equal(whole.Counters.OrderBy(kv => kv.Key), sum.Counters.OrderBy(kv => kv.Key));
        Assert.Equal(300m, sum.Revenue);
        Assert.Equal(whole.Members.Count, rows.Values.Sum(r => r.Members.Count));
        Assert.All(rows, kv => Assert.All(kv.Value.Members.Keys, m => Assert.Equal(kv.Key, AggregatorRows.RowOfHash(m))));
        var (_, reapplied) = AggregatorRows.Apply(rows, contributions, Now.AddHours(1), 7);
        Assert.Equal(0, reapplied);
    }

    [Fact]
    public void IdsPastTheHorizonAreLeftOutAndMemberMarksKeptWithoutChangingWhatApplyAnswers()
    {
        var (state, _) = AggregatorShard.Apply(new AggregatorShard(), [C("old", 1), Unsequenced("x")], Now, 7);
        var (fresh, _) = AggregatorShard.Apply(state, [C("new", 1)], Now.AddDays(5), 7);

        var trimmed = fresh.WithoutExpired(Now.AddDays(7), 7);

        Assert.Equal(new[] { AggregatorShard.Hash("new"), AggregatorShard.Hash("old") }.Order(), trimmed.Members.Keys.Order());
        Assert.Empty(trimmed.Applied);
        Assert.Same(fresh, fresh.WithoutExpired(Now.AddDays(6), 7));
        var later = Now.AddDays(7);
        Assert.Equal(0, AggregatorShard.Apply(trimmed, [C("old", 1), C("new", 1)], later, 7).Applied);
        Assert.Equal(AggregatorShard.Apply(fresh, [C("old", 1), C("new", 1), Unsequenced("x")], later, 7).Applied, AggregatorShard.Apply(trimmed, [C("old", 1), C("new", 1), Unsequenced("x")], later, 7).Applied);
    }

    [Fact]
    public void AStateSharingItsIdsWithTheOneBeforeItNeverChangesThatOneWhenLaterIdsArrive()
    {
        // Sequenced contributions alone, nothing expired: the next state shares the ids it has (no copy per commit).
        var (legacy, _) = AggregatorShard.Apply(new AggregatorShard(), [Unsequenced("x")], Now, 7);
        var (next, _) = AggregatorShard.Apply(legacy, [C("a", 1)], Now.AddHours(1), 7);
        Assert.Same(legacy.Applied, next.Applied);

        var (third, applied) = AggregatorShard.Apply(next, [Unsequenced("y"), Unsequenced("x")], Now.AddHours(2), 7);

        Assert.Equal(1, applied);
        Assert.Equal([AggregatorShard.Hash("x")], legacy.Applied.Values.SelectMany(ids => ids));
        Assert.Equal([AggregatorShard.Hash("x")], next.Applied.Values.SelectMany(ids => ids));
        Assert.Equal(new[] { AggregatorShard.Hash("x"), AggregatorShard.Hash("y") }.Order(), third.Applied.Values.SelectMany(ids => ids).Order());
        Assert.Equal(0, AggregatorShard.Apply(third, [Unsequenced("y")], Now.AddHours(3), 7).Applied);
    }

    [Fact]
    public void ApplyLeavesTheStatePassedInAsItWasAndKeepsItsOrderInTheCopy()
    {
        var (before, _) = AggregatorShard.Apply(new AggregatorShard(), [C("a", 1, revenue: 2m), C("b", 1)], Now, 7);
        var counters = before.Counters.ToList();
        var members = before.Members.ToList();

        // New members and a new counter name (the copies are made with room for them), and a repeat.
        var sink = new CounterMap([new(MetricNames.Dau, 1), new(MetricNames.Shares, 4)]);
        var (after, applied) = AggregatorShard.Apply(before, [C("c", 1), C("a", 1), C("d", 3) with { Counters = sink }, C("a", 2, revenue: 1m)], Now.AddHours(1), 7);

        Assert.Equal(3, applied);
        Assert.Equal(counters, before.Counters);
        Assert.Equal(members, before.Members);
        Assert.Equal(2m, before.Revenue);
        Assert.Equal(counters.Select(kv => kv.Key), after.Counters.Keys.Take(counters.Count));
        Assert.Equal(members.Select(kv => kv.Key), after.Members.Keys.Take(members.Count));
        Assert.Equal(5, after.Counters[MetricNames.Dau]);
        Assert.Equal(4, after.Counters[MetricNames.Shares]);
        Assert.Equal(3m, after.Revenue);
        Assert.Equal(new MemberMark(2, D0.DayNumber), after.Members[AggregatorShard.Hash("a")]);
        Assert.Equal(new MemberMark(3, D0.DayNumber), after.Members[AggregatorShard.Hash("d")]);
    }

    [Fact]
    public void IdsWithoutASequenceAfterSequencedOnesInOneCallNeverChangeTheStateTheyWereAppliedTo()
    {
        // Nothing expires, so the call starts on the state's own ids (shared, not copied) and copies them only at its
        // first id without a sequence: the state passed in, and every state sharing its ids, keep theirs.
        var empty = new AggregatorShard();
        var (sequenced, _) = AggregatorShard.Apply(empty, [C("a", 1)], Now, 7);
        Assert.Same(empty.Applied, sequenced.Applied);

        var (mixed, applied) = AggregatorShard.Apply(sequenced, [C("b", 1), Unsequenced("x"), C("a", 2), Unsequenced("y"), Unsequenced("x")], Now, 7);

        Assert.Equal(4, applied);
        Assert.Empty(empty.Applied);
        Assert.Empty(sequenced.Applied);
        Assert.Equal(new[] { AggregatorShard.Hash("x"), AggregatorShard.Hash("y") }.Order(), mixed.Applied.Values.SelectMany(ids => ids).Order());
    }

    [Fact]
    public void AMemberWithManyContributionsInOneCallTakesRoomForOneMark()
    {
        // The marks are resident: room is made for each new member once, not once per contribution of it.
        var many = Enumerable.Range(1, 40).Select(s => C("busy", s)).Append(C("other", 1)).ToList();

        var (after, applied) = AggregatorShard.Apply(new AggregatorShard(), many, Now, 7);

        Assert.Equal(41, applied);
        Assert.Equal(2, after.Members.Count);
        Assert.Equal(new MemberMark(40, D0.DayNumber), after.Members[AggregatorShard.Hash("busy")]);
        var marks = Assert.IsType<Dictionary<ulong, MemberMark>>(after.Members);
        Assert.True(marks.EnsureCapacity(0) < 10, $"room for {marks.EnsureCapacity(0)} marks for 2 members");
    }
}
