using System.Text.Json;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>CONTRACT.md §1: a non-order eventId has the effect of once for at least 30 days, in bounded state.</summary>
public class EventIdWindowTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ReuploadOfLastMonthsEventsChangesNothingEvenAfterHundredsOfOthers()
    {
        var member = new TestMember(new DateTimeOffset(2026, 11, 1, 23, 59, 0, TimeSpan.Zero));
        member.Behave(MemberEventTypes.Share, eventId: "share-1");
        var growth = member.Growth;
        for (var i = 0; i < 700; i++)
        {
            member.Now = member.Now.AddMinutes(60);
            member.Behave(MemberEventTypes.Browse, eventId: $"browse-{i}");
        }

        member.Now = new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero);
        var again = member.Behave(MemberEventTypes.Share, at: new DateTimeOffset(2026, 11, 1, 23, 59, 0, TimeSpan.Zero), eventId: "share-1");

        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.Equal(EventStatus.Duplicate, member.Behave(MemberEventTypes.Browse, eventId: "browse-0").Status);
        Assert.DoesNotContain("share-1", member.State.RecentEventIds);
        Assert.Equal(growth, GrowthOn(member, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void IdsAreForgottenOnceThirtyFullDaysHavePassed()
    {
        var member = new TestMember(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        member.Options.RecentEventIdsKept = 0;
        member.Behave(MemberEventTypes.Browse, eventId: "b-1");

        member.Now = new DateTimeOffset(2026, 12, 1, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(EventStatus.Duplicate, member.Behave(MemberEventTypes.Browse, eventId: "b-1").Status);

        member.Now = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(EventStatus.Applied, member.Behave(MemberEventTypes.Browse, eventId: "b-1").Status);
    }

    [Fact]
    public void TheHardCapForgetsTheOldestFirstAndKeepsStateSmall()
    {
        var member = new TestMember(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        member.Options.RecentEventIdsKept = 0;
        for (var i = 0; i < 2_100; i++)
        {
            member.Now = member.Now.AddMinutes(15);
            member.Behave(MemberEventTypes.Browse, eventId: $"pos-S001-20261101-{i:D6}");
        }

        Assert.Equal(2_048, EventIdWindow.Count(member.State));
        Assert.Equal(EventStatus.Applied, member.Behave(MemberEventTypes.Browse, eventId: "pos-S001-20261101-000000").Status);
        Assert.Equal(EventStatus.Duplicate, member.Behave(MemberEventTypes.Browse, eventId: "pos-S001-20261101-002099").Status);
        var json = JsonSerializer.Serialize(member.State.EventIdsByDay, Web);
        // Each id is its 8-byte hash and 2-byte fingerprint (base64 in the JSON): about 28 KB for the 2,048.
        Assert.True(json.Length < 29_000, $"{json.Length} characters");
    }

    [Fact]
    public void AnEventIdAppliedOnAnOrderIsNotAppliedAgainUnderAnotherOrderOrType()
    {
        // CONTRACT.md §1: the eventId is the idempotency key, whatever the event carries beside it. A producer that
        // re-sends an event with a regenerated orderId (or a reused id on another type) must not earn twice: it is refused
        // as a reuse (EventIdReuseTests), never applied.
        var member = new TestMember(new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero));
        Assert.Equal(EventStatus.Applied, member.Purchase("O-1", 300m, eventId: "pos-S001-000001").Status);
        var balance = member.Balance;

        member.Now = member.Now.AddDays(3);
        var again = member.Purchase("O-1-retry", 300m, at: new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), eventId: "pos-S001-000001");
        Assert.Equal(EventStatus.Rejected, again.Status);
        Assert.Equal(EventStatus.Rejected, member.Behave(MemberEventTypes.Share, eventId: "pos-S001-000001").Status);

        Assert.Equal(EventStatus.Applied, member.Refund("O-1", 100m, eventId: "pos-S001-000002").Status);
        var afterRefund = member.Balance;
        Assert.Equal(EventStatus.Rejected, member.Purchase("O-2", 100m, eventId: "pos-S001-000002").Status);
        Assert.Equal(afterRefund, member.Balance);
        Assert.True(afterRefund < balance);

        // A retried purchase is still named by its order, as before.
        var retried = member.Purchase("O-1", 300m, at: new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), eventId: "pos-S001-000001");
        Assert.Equal(EventStatus.Duplicate, retried.Status);
        Assert.Contains("order O-1", retried.Reason, StringComparison.Ordinal);
    }

    private static long GrowthOn(TestMember member, DateTimeOffset at) =>
        Domain.Growth.GrowthPolicy.TrailingGrowth(member.State, member.Options, at);

    [Fact]
    public void HashIsStableAcrossProcesses() =>
        Assert.Equal(0xcbf29ce484222325UL, EventIdWindow.Hash(""));
}
