using System.Text.Json;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// An eventId is the idempotency key (CONTRACT.md §1): the same event sent again is a duplicate, but the same eventId on
/// another event (another store, order, amount or type) was dropped as "already applied", silently on the queue. The
/// member keeps a fingerprint of each remembered event and refuses a reuse naming eventId.
/// </summary>
public sealed class EventIdReuseTests
{
    [Fact]
    public void TheSameEventAgainIsADuplicateAndAnotherEventUnderItsIdIsRefusedAsAReuse()
    {
        var member = new TestMember();
        Assert.Equal(EventStatus.Applied, member.Purchase("O-1", 100m, eventId: "h-1").Status);
        Assert.Equal(EventStatus.Applied, member.Behave("login", eventId: "h-2").Status);

        Assert.Equal(EventStatus.Duplicate, member.Purchase("O-1", 100.00m, eventId: "h-1").Status);
        Assert.Equal(EventStatus.Duplicate, member.Behave("login", eventId: "h-2").Status);

        foreach (var reuse in new[]
        {
            member.Purchase("O-2", 100m, eventId: "h-1"),
            member.Purchase("O-1", 5000m, eventId: "h-1"),
            member.Apply(new MemberEvent("h-1", "purchase", member.Now) { OrderId = "O-1", Amount = 100m, StoreId = "S002" }),
            member.Behave("share", eventId: "h-2"),
        })
        {
            Assert.Equal(EventStatus.Rejected, reuse.Status);
            Assert.False(reuse.StateChanged);
            Assert.StartsWith("eventId: reused with a different event", reuse.Reason, StringComparison.Ordinal);
        }

        Assert.Equal(200, member.Balance);
        Assert.Single(member.State.Orders);
    }

    [Fact]
    public void AnIdRememberedWithoutAFingerprintIsTakenForARepeatAndTheStateReadsBackWithIt()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m, eventId: "h-1");
        member.Behave("login", eventId: "h-2");

        // A state written before fingerprints: no EventFingerprintsByDay; its ids are repeats whatever comes under them.
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var json = JsonSerializer.Serialize(member.State, web);
        Assert.Contains("\"eventFingerprintsByDay\"", json, StringComparison.Ordinal);
        var old = JsonSerializer.Deserialize<MemberState>(json, web)!;
        old.EventFingerprintsByDay = null;
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(old, new MemberEvent("h-2", "share", member.Now), member.Options, member.Now).Status);

        // A fingerprint remembered later on the same day keeps its place beside the older ids.
        MemberEngine.Apply(old, new MemberEvent("h-3", "browse", member.Now), member.Options, member.Now);
        Assert.Equal(EventStatus.Rejected, MemberEngine.Apply(old, new MemberEvent("h-3", "share", member.Now), member.Options, member.Now).Status);
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(old, new MemberEvent("h-2", "share", member.Now), member.Options, member.Now).Status);
    }
}
