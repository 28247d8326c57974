using Engagement.Domain.Metrics;
using Xunit.Abstractions;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// An aggregator commit that reuses a replaced state's dictionaries (<see cref="AggregatorShard.Apply"/>'s spare) makes
/// exactly the state a fresh copy makes, in the same order (the stored row is the same), leaves the state it applies to
/// untouched, and allocates no copy of the row: the per-commit copies were the aggregator's largest share of ingest's
/// allocations (`Entry[String,Int64][]`, `Entry[UInt64,MemberMark][]` in ingest-memory's sampling).
/// </summary>
public sealed class AggregatorSpareTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Day = new(2026, 12, 7);

    private static readonly string[] Names = [MetricNames.Dau, MetricNames.Purchases, MetricNames.Shares, "points_earned", "visits", "carts"];

    /// <summary>A contribution as the member side makes it: counters as a <see cref="CounterMap"/> in ordinal name order.</summary>
    private static MetricContribution C(string member, long sequence, int names = 3) => new()
    {
        Id = $"{member}|e{sequence}|d|east|20261207",
        MemberId = member,
        Sequence = sequence,
        RegionId = "east",
        Day = Day,
        Counters = new CounterMap([.. Names.Take(names).Order(StringComparer.Ordinal).Select(n => KeyValuePair.Create(n, sequence % 5 + 1))]),
        Revenue = 0.01m * sequence,
    };

    private static MetricContribution Unsequenced(string id) => new()
    {
        Id = id,
        RegionId = "east",
        Day = Day,
        Counters = new Dictionary<string, long> { [MetricNames.Shares] = 1 },
    };

    [Fact]
    public void ACommitIntoASpareMakesTheSameStateInTheSameOrderAndLeavesItsInputAlone()
    {
        // The grain's rotation, mirrored: each commit's result replaces the live state, and the state it replaced is the
        // next commit's spare. Checked against commits that copy, over repeats, new members, ids without a sequence and
        // their expiry.
        var random = new Random(7);
        var copied = new AggregatorShard();
        var live = new AggregatorShard();
        AggregatorShard? spare = null;
        var madeLive = false;
        var next = new Dictionary<string, long>();
        for (var commit = 0; commit < 300; commit++)
        {
            var batch = new List<MetricContribution>();
            foreach (var member in Enumerable.Range(0, random.Next(1, 8)).Select(_ => $"m{random.Next(120)}"))
            {
                var last = next.GetValueOrDefault(member);
                var upTo = last + random.Next(0, 3);
                for (var s = Math.Max(1, last - random.Next(0, 2)); s <= upTo; s++)
                {
                    batch.Add(C(member, s, names: 1 + (int)(s % Names.Length)));
                }

                next[member] = upTo;
            }

            if (random.Next(5) == 0)
            {
                batch.Add(Unsequenced($"legacy-{random.Next(40)}"));
            }

            var at = Now.AddHours(commit);
            var liveCounters = live.Counters.ToList();
            var liveMembers = live.Members.ToList();
            var (fromCopy, copiedCount) = AggregatorShard.Apply(copied, batch, at, 3);
            var (fromSpare, spareCount) = AggregatorShard.Apply(live, batch, at, 3, spare);

            Assert.Equal(copiedCount, spareCount);
            Assert.Equal(fromCopy.Counters.ToList(), fromSpare.Counters.ToList());
            Assert.Equal(fromCopy.Members.ToList(), fromSpare.Members.ToList());
            Assert.Equal(fromCopy.Revenue, fromSpare.Revenue);
            Assert.Equal(fromCopy.AppliedCount, fromSpare.AppliedCount);
            Assert.Equal(fromCopy.DuplicateCount, fromSpare.DuplicateCount);
            Assert.Equal(fromCopy.Applied.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Order().Select(id => (kv.Key, id))).ToList(),
                fromSpare.Applied.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Order().Select(id => (kv.Key, id))).ToList());
            Assert.Equal(liveCounters, live.Counters.ToList());
            Assert.Equal(liveMembers, live.Members.ToList());

            copied = fromCopy;
            spare = madeLive ? live : null;
            live = fromSpare;
            madeLive = true;
        }

        Assert.True(live.Members.Count > 100, $"{live.Members.Count} members marked");
    }

    [Fact]
    public void ASpareSharingADictionaryWithTheStateIsNotUsed()
    {
        var (state, _) = AggregatorShard.Apply(new AggregatorShard(), [C("m1", 1)], Now, 3);
        var (next, applied) = AggregatorShard.Apply(state, [C("m1", 2)], Now, 3, spare: state);

        Assert.Equal(1, applied);
        Assert.Equal(1, state.Members.Single().Value.Sequence);
        Assert.Equal(2, next.Members.Single().Value.Sequence);
        Assert.NotSame(state.Members, next.Members);
    }

    [Fact]
    public void ACommitOfKnownMembersIntoASpareAllocatesOnlyTheNewStateObject()
    {
        // A row of a busy region-day: 32 members marked, six counters; a commit of four of them, their next outcome each.
        var (state, _) = AggregatorShard.Apply(new AggregatorShard(), [.. Enumerable.Range(0, 32).Select(i => C($"m{i}", 1, names: 6))], Now, 3);
        List<MetricContribution> batch = [.. Enumerable.Range(0, 4).Select(i => C($"m{i}", 2))];
        var (spare, _) = AggregatorShard.Apply(state, batch, Now, 3);

        var oneState = AllocationProbe.FewestBytes(() => GC.KeepAlive(new AggregatorShard { Revenue = 1m }));
        var copying = AllocationProbe.FewestBytes(() => AggregatorShard.Apply(state, batch, Now, 3));
        var reusing = AllocationProbe.FewestBytes(() => AggregatorShard.Apply(state, batch, Now, 3, spare), enough: oneState);
        output.WriteLine($"commit of 4 known members into a 32-member, 6-counter row: copying {copying} bytes, into a spare {reusing} bytes, one state object {oneState} bytes");

        Assert.Equal(oneState, reusing);
        // A Dictionary<ulong, MemberMark> entry is 32 bytes (hash, next, 8-byte key, 16-byte mark): the copied marks'
        // entries alone are more than 32 × 32 bytes.
        Assert.True(copying > reusing + (32 * 32), $"copying {copying} bytes against {reusing}: the marks' entries alone are 32 × 32 bytes");
        Assert.Equal(2, AggregatorShard.Apply(state, batch, Now, 3, spare).State.Members[AggregatorShard.Hash("m0")].Sequence);
    }
}
