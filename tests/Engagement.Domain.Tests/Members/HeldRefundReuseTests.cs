using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// A held refund's eventId (CONTRACT.md §1: the idempotency key) is answered held again only for the same refund; another
/// event under it is a reuse, refused naming eventId, not answered held and dropped.
/// </summary>
public sealed class HeldRefundReuseTests
{
    [Fact]
    public void AnotherEventUnderAHeldRefundsIdIsRefusedAsAReuseAndTheSameRefundIsStillHeld()
    {
        var member = new TestMember();
        var held = member.Refund("O-1", 500m, eventId: "x-1");
        Assert.Equal(EventStatus.Held, held.Status);

        foreach (var reuse in new[]
        {
            member.Purchase("O-2", 1000m, eventId: "x-1"),
            member.Refund("O-1", 300m, eventId: "x-1"),
            member.Refund("O-9", 500m, eventId: "x-1"),
            member.Apply(new MemberEvent("x-1", MemberEventTypes.Refund, member.Now) { OrderId = "O-1", Amount = 500m, StoreId = "S002" }),
        })
        {
            Assert.Equal(EventStatus.Rejected, reuse.Status);
            Assert.False(reuse.StateChanged);
            Assert.StartsWith("eventId: reused with a different event", reuse.Reason, StringComparison.Ordinal);
        }

        // The same refund resent (500.00 is 500; no currency is the programme's CNY) is still held with its first answer.
        var resent = member.Apply(new MemberEvent("x-1", MemberEventTypes.Refund, member.Now) { OrderId = "O-1", Amount = 500.00m, Currency = "CNY" });
        Assert.Equal((EventStatus.Held, held.Reason), (resent.Status, resent.Reason));
        Assert.Single(member.State.HeldRefunds);
        Assert.Empty(member.State.Orders);
    }

    [Fact]
    public void AHeldRefundAppliedLaterKeepsItsIdSoAPurchaseReusingItIsRefused()
    {
        var member = new TestMember();
        Assert.Equal(EventStatus.Held, member.Refund("O-1", 500m, eventId: "x-1").Status);
        Assert.Equal(["x-1"], member.Purchase("O-1", 1000m, eventId: "p-1").AppliedHeldRefunds);

        var reuse = member.Purchase("O-2", 1000m, eventId: "x-1");
        Assert.Equal(EventStatus.Rejected, reuse.Status);
        Assert.StartsWith("eventId: reused with a different event", reuse.Reason, StringComparison.Ordinal);
        Assert.Single(member.State.Orders);
        Assert.Equal(EventStatus.Duplicate, member.Refund("O-1", 500m, eventId: "x-1").Status);
    }
}
