using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// An event the member refuses after delivery (CONTRACT.md §1): its dead letter names the queue it came from and
/// carries the producer's own text of it, as the parser's dead letters do, not the engine's re-serialised copy; one
/// from a batch message names its place in it (<c>(event [i] of N in the message)</c>), as the parser's do too.
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class MemberDeadLetterTests(MemberQueueCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ARefundAboveItsOrdersRemainderInABatchIsDeadLetteredWithItsQueueAndItsOwnText()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        var refund = Wire.Refund(memberId, "r-" + memberId, "p-" + memberId, amount: 150m);
        await queue.SendMessageAsync($"[{Wire.Purchase(memberId, "p-" + memberId, amount: 100m, minutesAgo: 10)}, {refund}]");

        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 100, Deadline, "the purchase applied");
        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, "r-" + memberId), p => p.Count > 0, Deadline, "the refund in the poison queue");

        var dead = Assert.Single(poison);
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(refund, dead.Body);
        Assert.Contains("amount", dead.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" (event [1] of 2 in the message)", dead.Reason, StringComparison.Ordinal); // which event of the batch, as the parser's dead letters say
    }

    [Fact]
    public async Task ARefundAboveItsOrdersRemainderAloneInAMessageIsDeadLetteredWithTheMessageText()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        await queue.SendMessageAsync(Wire.Purchase(memberId, "p-" + memberId, amount: 100m, minutesAgo: 10));
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 100, Deadline, "the purchase applied");

        var refund = Wire.Refund(memberId, "r-" + memberId, "p-" + memberId, amount: 100.01m);
        await queue.SendMessageAsync(refund);
        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, "r-" + memberId), p => p.Count > 0, Deadline, "the refund in the poison queue");

        var dead = Assert.Single(poison);
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(refund, dead.Body);
        Assert.DoesNotContain("(event [", dead.Reason, StringComparison.Ordinal); // a message of its own: no batch position
    }

    [Fact]
    public async Task ARefundOfABatchHeldForItsPurchaseAndRefusedWhenItCameNamesItsPlaceInTheBatch()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        var refund = Wire.Refund(memberId, "r-" + memberId, "p-" + memberId, amount: 150m);
        await queue.SendMessageAsync($"[{Wire.Purchase(memberId, "other-" + memberId, amount: 20m, minutesAgo: 20)}, {refund}]");
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 20, Deadline, "the batch applied, its refund held");

        await queue.SendMessageAsync(Wire.Purchase(memberId, "p-" + memberId, amount: 100m, minutesAgo: 10));
        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, "r-" + memberId), p => p.Count > 0, Deadline, "the refund in the poison queue");

        var dead = Assert.Single(poison);
        Assert.Equal((queue.Name, refund), (dead.Queue, dead.Body));
        Assert.EndsWith(" (event [1] of 2 in the message)", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(120, (await member.GetViewAsync())!.GrowthValue);
    }

    [Fact]
    public async Task ARefundHeldForItsPurchaseAndRefusedWhenItCameIsDeadLetteredWithItsQueueAndItsOwnText()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        var refund = Wire.Refund(memberId, "r-" + memberId, "p-" + memberId, amount: 150m);
        await queue.SendMessageAsync(refund);
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v is not null, Deadline, "the refund held by its member");

        await queue.SendMessageAsync(Wire.Purchase(memberId, "p-" + memberId, amount: 100m, minutesAgo: 10));
        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, "r-" + memberId), p => p.Count > 0, Deadline, "the refund in the poison queue");

        var dead = Assert.Single(poison);
        Assert.Equal(queue.Name, dead.Queue);
        Assert.Equal(refund, dead.Body);
        Assert.Equal(100, (await member.GetViewAsync())!.GrowthValue);
    }

    [Fact]
    public async Task AnEventIdReusedForAnotherEventIsDeadLetteredNamingEventIdWhileItsResendIsNot()
    {
        // CONTRACT.md §1: the eventId is the idempotency key. The same purchase resent (another occurredAt) is a repeat;
        // the same eventId on another amount is another event, refused to the poison queue, never dropped as applied.
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        var eventId = "p-" + memberId;
        await queue.SendMessageAsync(Wire.Purchase(memberId, eventId, amount: 100m, minutesAgo: 10));
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 100, Deadline, "the purchase applied");

        // Resend and reuse in ONE batch message, the resend first: the member decides both in that order, so a lone poison
        // letter, the reuse's, naming its place [1], shows the resend [0] was taken as a repeat and not dead-lettered too.
        var reuse = Wire.Purchase(memberId, eventId, amount: 200m, minutesAgo: 5);
        await queue.SendMessageAsync($"[{Wire.Purchase(memberId, eventId, amount: 100.00m, minutesAgo: 5)}, {reuse}]");
        var poison = await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, eventId), p => p.Count > 0, Deadline, "the reuse in the poison queue");

        var dead = Assert.Single(poison);
        Assert.Equal((queue.Name, reuse), (dead.Queue, dead.Body));
        Assert.EndsWith(" (event [1] of 2 in the message)", dead.Reason, StringComparison.Ordinal);
        Assert.Contains("eventId: reused with a different event: " + eventId, dead.Reason, StringComparison.Ordinal);
        Assert.Equal(100, (await member.GetViewAsync())!.GrowthValue);
    }
}
