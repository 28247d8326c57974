using System.Diagnostics;
using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// A touch whose send failed goes out within the member's retry backoff (30 s, then 60 s, on the engine clock), not
/// with the member's next call or next daily reminder.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class OutboxRetryTests(MemberClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task ATouchWhoseSendFailsTwiceGoesOutWithinTheBackoff()
    {
        var id = MemberClusterFixture.NewMemberId("rt");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1)));
        cluster.Time.Advance(TimeSpan.FromDays(30)); // the first win-back step falls due (10:00 in Shanghai: no quiet hours)

        cluster.Touches.FailNext(id, 2);
        var now = Now.UtcDateTime;
        await member.AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
        Assert.Equal(1, cluster.Touches.AttemptsOf(id));
        Assert.Contains(cluster.Faults.Stored<MemberGrainState>(id)!.Member.Outbox.Pending, e => e is PublishTouch);

        // 30 s later the member retries on its own; that send fails too, and the next retry comes 60 s after it.
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        await UntilAsync(() => cluster.Touches.AttemptsOf(id) == 2, "the first retry");
        await member.GetViewAsync(); // queued behind the retry's turn: its next timer is armed before the clock moves on
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);

        cluster.Time.Advance(TimeSpan.FromSeconds(60));
        await UntilAsync(() => cluster.Outbox.Sent.Any(t => t.MemberId == id && t.Kind == "winback.l1"), "the touch sent by the second retry");
        Assert.Equal(3, cluster.Touches.AttemptsOf(id));

        // Nothing left to retry: the timer is not armed again.
        cluster.Time.Advance(TimeSpan.FromMinutes(10));
        await member.GetViewAsync();
        Assert.Equal(3, cluster.Touches.AttemptsOf(id));
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id && t.Kind == "winback.l1");
    }

    [Fact]
    public async Task AMemberThatDeactivatesWithATouchPendingIsWokenForTheRetryNotTheNextDay()
    {
        var id = MemberClusterFixture.NewMemberId("rd");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1)));
        cluster.Time.Advance(TimeSpan.FromDays(30)); // the first win-back step falls due (10:00 in Shanghai: no quiet hours)

        // The tick's send fails, and so does the deactivation's.
        cluster.Touches.FailNext(id, 2);
        await TickAsync(member);
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(2, cluster.Touches.AttemptsOf(id));

        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;
        Assert.Contains(stored.Member.Outbox.Pending, e => e is PublishTouch);
        Assert.InRange(stored.NextReminderAt!.Value, Now, Now.AddMinutes(10));

        // That reminder sends it.
        await TickAsync(member);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id && t.Kind == "winback.l1");
    }

    private Task TickAsync(IMemberGrain member)
    {
        var now = Now.UtcDateTime;
        return member.AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "not within 15 s: " + what);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await timer.WaitForNextTickAsync();
        }
    }
}
