using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A purchase is priced on the thread's reused <see cref="GrowthTimeline"/> (<c>Rent</c>/<c>Return</c>): it answers as a
/// timeline of its own (<see cref="GrowthTimeline.Build"/>) would, for every member it is filled for, and once warm it is
/// refilled without making a timeline, an entry list or prefix sums.
/// </summary>
public sealed class GrowthTimelineRentTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheRentedTimelineAnswersAsABuiltOneAndIsReusedWithoutAllocating()
    {
        var options = new ProgramOptions();
        var big = Member("M-big", 12, 900m, options);
        var small = Member("M-small", 2, 120m, options);

        foreach (var state in new[] { big, small, big })
        {
            foreach (var order in state.Orders)
            {
                var key = GrowthTimeline.OrderKey(order);
                var rented = GrowthTimeline.Rent(state, options, order.At);
                var tier = rented.TierHeldBefore(key);
                var growth = rented.GrowthBefore(key);
                GrowthTimeline.Return(rented);

                var built = GrowthTimeline.Build(state, options, order.At);
                Assert.Equal(built.TierHeldBefore(key), tier);
                Assert.Equal(built.GrowthBefore(key), growth);
            }
        }

        Assert.NotEqual("V1", GrowthTimeline.Build(big, options).TierHeldBefore(new EventKey(Start.AddDays(30), "")));

        // Warm (filled once for the bigger member): the same timeline comes back, and pricing on it allocates a small
        // fraction of what pricing on a built one does (the timeline, its entry list and array, its prefix sums).
        var first = GrowthTimeline.Rent(big, options, null);
        GrowthTimeline.Return(first);
        var last = big.Orders[^1];
        var lastKey = GrowthTimeline.OrderKey(last);
        _ = GrowthTimeline.Build(big, options, last.At).TierHeldBefore(lastKey);
        var builtBefore = GC.GetAllocatedBytesForCurrentThread();
        _ = GrowthTimeline.Build(big, options, last.At).TierHeldBefore(lastKey);
        var builtBytes = GC.GetAllocatedBytesForCurrentThread() - builtBefore;

        var rentedBefore = GC.GetAllocatedBytesForCurrentThread();
        var again = GrowthTimeline.Rent(big, options, last.At);
        _ = again.TierHeldBefore(lastKey);
        GrowthTimeline.Return(again);
        var rentedBytes = GC.GetAllocatedBytesForCurrentThread() - rentedBefore;

        Assert.Same(first, again);
        Assert.True(builtBytes >= 500 && rentedBytes * 4 <= builtBytes, $"built {builtBytes} bytes, rented {rentedBytes} bytes");
    }

    [Fact]
    public void ASecondRentBeforeTheReturnGetsATimelineOfItsOwn()
    {
        var options = new ProgramOptions();
        var state = Member("M1", 3, 300m, options);

        var one = GrowthTimeline.Rent(state, options, null);
        var two = GrowthTimeline.Rent(state, options, null);
        Assert.NotSame(one, two);
        GrowthTimeline.Return(two);
        GrowthTimeline.Return(one);
    }

    private static MemberState Member(string id, int purchases, decimal amount, ProgramOptions options)
    {
        var state = new MemberState { MemberId = id };
        for (var i = 0; i < purchases; i++)
        {
            var at = Start.AddDays(i * 2);
            MemberDecider.Apply(state, new MemberEvent($"{id}-e{i}", MemberEventTypes.Purchase, at) { OrderId = $"{id}-O{i}", Amount = amount + i }, options, at);
            MemberDecider.Apply(state, new MemberEvent($"{id}-s{i}", MemberEventTypes.Share, at.AddHours(1)), options, at.AddHours(1));
        }

        return state;
    }
}
