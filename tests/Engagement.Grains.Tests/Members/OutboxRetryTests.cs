using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// Effects a receiver refused do not wait for the member's next event (<c>MemberOutboxRetry</c>): a quiet member,
/// the one a win-back touch is for, may have none for weeks. While active it retries on its own; collected with effects
/// still pending, its lifecycle reminder is moved to wake it soon. The retries run on Orleans grain timers (real time;
/// the cluster's <c>RetryDelays</c> are 50 ms, 100 ms, then 1 s), so these tests wait by polling with a deadline.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class OutboxRetryTests(MemberClusterFixture cluster)
{
    /// <summary>Far past the first two retries (50 ms, then 100 ms after it) on a busy machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AWinBackTouchWhoseSendFailedGoesOutWithoutAnyFurtherEventOfTheMember()
    {
        var id = MemberClusterFixture.NewMemberId("or");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1)));
        QuietForAMonth();

        // The tick decides the L1 touch; the touch queue refuses it, then refuses the first retry too.
        cluster.Touches.FailNext(id, 2);
        await TickAsync(id);
        // The tick's own send was refused; the first retry (50 ms later here) may already have run on a busy machine.
        Assert.InRange(cluster.Touches.AttemptsOf(id), 1, 3);

        // No event, no tick, no call: the member's own retries send it (the second one).
        await UntilAsync(() => cluster.Outbox.Sent.Any(t => t.MemberId == id), "the touch was not sent");
        Assert.Equal("winback.l1", Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id).Kind);
        Assert.Equal(3, cluster.Touches.AttemptsOf(id));
    }

    [Fact]
    public async Task AMemberCollectedWithEffectsPendingIsWokenSoonAndSendsThem()
    {
        var id = MemberClusterFixture.NewMemberId("ow");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1)));
        cluster.Ledger.Fail(id);
        var registeredAfter = TimeProvider.System.GetUtcNow().UtcDateTime;

        // Collected: its ledger entries (waiting for a batch) cannot be archived on the way out.
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;
        var wakeDelay = MemberOutboxRetry.WakeDelay(id, 0)!.Value;
        Assert.Contains(stored.Member.Outbox.Pending, e => e is ArchiveLedgerEntry);
        Assert.Empty(await cluster.Archive.ReadAsync(id, null, null, 100));

        // Its lifecycle reminder (a day's period) now fires in five minutes (plus its per-member jitter), and storage says so.
        Assert.Equal(Now + wakeDelay, stored.NextReminderAt);
        var reminders = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<IReminderTable>();
        var row = await reminders.ReadRow(member.GetGrainId(), MemberGrain.LifecycleReminder);
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
        Assert.InRange(row.StartAt, registeredAfter + wakeDelay, TimeProvider.System.GetUtcNow().UtcDateTime + wakeDelay);

        // The archive is back and the reminder fires: the member archives what waited, with no event of its own.
        cluster.Ledger.Heal(id);
        await TickAsync(id);
        await UntilAsync(async () => (await cluster.Archive.ReadAsync(id, null, null, 100)).Count > 0, "nothing was archived");
        var archived = await cluster.Archive.ReadAsync(id, null, null, 100);
        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 100 });
        Assert.Equal(ledger.Entries.Select(e => e.Sequence).Order(), archived.Select(e => e.Sequence).Order());
    }

    /// <summary>Moves the engine clock a month and a day on, to 10:00 in Shanghai (outside quiet hours): the member is at risk.</summary>
    private void QuietForAMonth() => MemberTicks.QuietForAMonth(cluster.Time);

    private Task TickAsync(string memberId) => MemberTicks.TickAsync(cluster.Client, cluster.Time, memberId);

    private static Task UntilAsync(Func<bool> done, string failure) => UntilAsync(() => Task.FromResult(done()), failure);

    private static async Task UntilAsync(Func<Task<bool>> done, string failure)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(deadline.Elapsed < Deadline, $"{failure} within {Deadline.TotalSeconds} s");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await timer.WaitForNextTickAsync();
        }
    }
}
