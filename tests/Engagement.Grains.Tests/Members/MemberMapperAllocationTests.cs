using System.Diagnostics;
using System.Runtime.CompilerServices;
using Engagement.Contracts.Events;
using Engagement.Domain.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The member grain maps every event it applies to the domain's <see cref="MemberEvent"/>: that costs the event itself and
/// a purchase's lines, nothing more. It made an empty properties dictionary per event (the record's default, then
/// replaced by the wire event's own), and a LINQ iterator and a list for the lines, most events having none.
/// </summary>
public sealed class MemberMapperAllocationTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnEventWithoutLinesAllocatesOnlyItsDomainEvent()
    {
        var login = Events.Of(EventTypes.Login, "M1", At, "e1");
        var mapped = MemberMapper.ToDomain(login);
        Assert.Same(login.Properties, mapped.Properties);
        Assert.Empty(mapped.Items);
        Assert.Empty(new MemberEvent("e2", EventTypes.Login, At).Properties);

        var one = Fewest(() => RuntimeHelpers.GetUninitializedObject(typeof(MemberEvent)));
        Assert.Equal(one, Fewest(() => MemberMapper.ToDomain(login)));
    }

    [Fact]
    public void APurchaseAllocatesItsEventAndOneArrayOfItsLines()
    {
        var purchase = Events.Purchase("M1", "O1", 30m, At) with
        {
            Items = [new() { Sku = "A", Category = "tea", Quantity = 2, UnitPrice = 10m }, new() { Sku = "B", Quantity = 1, UnitPrice = 10m }],
        };
        var mapped = MemberMapper.ToDomain(purchase);
        Assert.Equal([new MemberEventItem("A", "tea", 2, 10m), new MemberEventItem("B", null, 1, 10m)], mapped.Items);

        var expected = Fewest(() => RuntimeHelpers.GetUninitializedObject(typeof(MemberEvent)))
            + Fewest(() => _ = new MemberEventItem[2])
            + (2 * Fewest(() => RuntimeHelpers.GetUninitializedObject(typeof(MemberEventItem))));
        Assert.Equal(expected, Fewest(() => MemberMapper.ToDomain(purchase)));
    }

    /// <summary>The fewest bytes one call allocated on this thread, over enough calls that the JIT's first runs and a GC do not count.</summary>
    private static long Fewest(Func<object> act)
    {
        var fewest = long.MaxValue;
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        for (var call = 0; call < 50 || (Stopwatch.GetTimestamp() < deadline && call < 5_000); call++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            GC.KeepAlive(act());
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
