using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// Issue 10 with the real member grains, whose state writes the tests make fail for one member so that the agent
/// gives its deliveries up and the queue hands the messages out again.
/// Ordering: a delivery that fails must not let a later event of the same member overtake it silently — the member
/// still ends as if its events had come in occurredAt order, and the log names the late event.
/// Batches (§7): a message is deleted only when every event in it is durably applied or dead-lettered; when one
/// member of a batch cannot write, the message comes back whole, the events already applied are deduped by their
/// member (nothing doubled), the rest are applied, and the message is deleted.
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class DeliveryFailureTests(MemberQueueCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task APurchaseWhoseDeliveryFailedIsAppliedLateInOccurredAtOrderAndEveryLateStepIsLogged()
    {
        var memberId = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(memberId);
        cluster.FailingWrites[memberId] = true;
        await queue.SendMessageAsync(Wire.Purchase(memberId, "first-" + memberId, amount: 100m, minutesAgo: 30));

        await Eventually.TrueAsync(() => cluster.Logs.Lines(LogLevel.Warning, "first-" + memberId, "failed delivery").Count > 0, Deadline, "the failed delivery named");
        cluster.FailingWrites.TryRemove(memberId, out _);
        await queue.SendMessageAsync(Wire.Purchase(memberId, "second-" + memberId, amount: 200m, minutesAgo: 10));

        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        var view = await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 300, Deadline, "both purchases applied");

        // In occurredAt order: 100 × 2 (the member's first purchase) + 200 × 1 — whichever arrived first.
        Assert.Equal(400, view!.PointsBalance);
        Assert.Equal("V1", view.Tier);
        Assert.NotEmpty(cluster.Logs.Lines(LogLevel.Information, "first-" + memberId, "delivered again"));
        Assert.Empty(cluster.Logs.Lines(LogLevel.Information, "second-" + memberId, "delivered again"));
    }

    [Fact]
    public async Task ABatchWhoseOneMemberFailsComesBackAndNoEventOfItsOtherMemberIsAppliedTwice()
    {
        var healthy = Azurite.UniqueName("m");
        var failing = Azurite.UniqueName("m");
        var queue = cluster.QueueOf(healthy);
        cluster.FailingWrites[failing] = true;
        var bad = Wire.Purchase(healthy, "bad-" + healthy, amount: 0m);
        await queue.SendMessageAsync($"[{Wire.Purchase(healthy, "h1-" + healthy, amount: 100m, minutesAgo: 20)}, {bad}, {Wire.Purchase(failing, "f1-" + failing, amount: 200m)}, {Wire.Login(healthy, "h2-" + healthy)}]");

        var first = cluster.Client.GetGrain<IMemberGrain>(healthy);
        await Eventually.ReturnsAsync(first.GetViewAsync, v => v?.GrowthValue == 101, Deadline, "the healthy member's purchase and login applied");
        await Eventually.TrueAsync(() => cluster.Logs.Lines(LogLevel.Warning, "f1-" + failing, "failed delivery").Count > 0, Deadline, "the failing member's delivery given up");
        Assert.Equal(1, await QueueStreamClusterFixture.CountAsync(queue));
        cluster.FailingWrites.TryRemove(failing, out _);

        var second = cluster.Client.GetGrain<IMemberGrain>(failing);
        var applied = await Eventually.ReturnsAsync(second.GetViewAsync, v => v?.GrowthValue == 200, Deadline, "the failing member's purchase applied on redelivery");
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(queue), n => n == 0, Deadline, "the batch deleted once every event was applied");

        Assert.Equal(400, applied!.PointsBalance);
        var view = await first.GetViewAsync();
        Assert.Equal(200, view!.PointsBalance); // 100 × 2 once, not twice
        Assert.Equal(101, view.GrowthValue); // 100 for the purchase, 1 for the login
        Assert.NotEmpty(cluster.Logs.Lines(LogLevel.Information, "h1-" + healthy, "delivered again"));
        var poison = cluster.Queues.GetQueueClient(Contracts.Events.QueuePartitioner.PoisonQueueNameFor(cluster.Prefix));
        var dead = (await poison.PeekMessagesAsync(32)).Value.Where(m => m.Body.ToString().Contains("bad-" + healthy, StringComparison.Ordinal)).ToList();
        Assert.Single(dead);
    }
}
