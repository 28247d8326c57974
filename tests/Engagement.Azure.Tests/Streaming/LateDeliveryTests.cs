using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// Issue 10, ordering: a delivery that fails must not let a later event of the same member overtake it silently.
/// The member's state writes fail while its first purchase is delivered, so the agent gives that delivery up and the
/// queue hands the message out again; the member's next purchase is applied meanwhile. The member still ends as if
/// both had come in occurredAt order (the first-purchase double on the earlier one), and the log names the late event.
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class LateDeliveryTests(MemberQueueCluster cluster)
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
}
