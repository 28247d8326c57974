using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// One effect handler whose receiver times out (an Azure SDK timeout surfaces as <see cref="TaskCanceledException"/>)
/// neither fails the member's stored changes nor costs the other handlers their confirmations.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class EffectHandlerTimeoutTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task AnIndexThatKeepsTimingOutNeitherDoublesADeadLetterNorFailsTheTicks()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // the collection's clock is shared: start at 10:00 in Shanghai, whatever hour the tests before left
        var id = MemberClusterFixture.NewMemberId("ht");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        cluster.IndexTimeouts.Add(id);

        // A refund whose purchase never arrives: held, then dead-lettered by the tick after the hold ran out.
        var failures = new List<Exception?>
        {
            await Record.ExceptionAsync(() => member.ApplyEventAsync(Events.Refund(id, id + "-O1", 50m, cluster.Time.GetUtcNow()))),
        };
        cluster.Time.Advance(TimeSpan.FromDays(1)); // stays 10:00 in Shanghai
        for (var tick = 0; tick < 2; tick++)
        {
            var now = cluster.Time.GetUtcNow().UtcDateTime;
            failures.Add(await Record.ExceptionAsync(() => member.AsReference<IRemindable>()
                .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now))));
        }

        Assert.Single(cluster.DeadLetters.Letters, l => l.Queue == "member:" + id);
        Assert.All(failures, Assert.Null);
        Assert.True(cluster.IndexTimeouts.Count(id) >= 3);

        // The index row is not lost: it stays in the stored outbox for the index's recovery.
        var stored = cluster.Faults.Stored<MemberGrainState>(id)!.Member.Outbox.Pending;
        Assert.Contains(stored, e => e is UpsertMemberIndex);
        Assert.DoesNotContain(stored, e => e is DeadLetterRefund);
        cluster.IndexTimeouts.Remove(id);
    }
}
