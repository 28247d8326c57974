using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// A lifecycle tick the backed-up outbox refuses (<see cref="MemberBacklogException"/>, the ledger archive down) is
/// owed, not left to the next reminder a day later: once the archive is back and the member's own outbox retry drains
/// the outbox under its byte bound, the tick runs again by itself, once (docs/rules.md "The outbox is bounded by count and by
/// bytes"). The engine clock is the fixture's fake one, pinned at 10:00 in Shanghai; the retries run on real-time grain
/// timers (50 ms, 100 ms, then 1 s here), so the test polls with a deadline.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class BackedUpTickTests(MemberClusterFixture cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AWinBackTickRefusedForTheBacklogRunsOnceTheArchiveIsBackWithoutWaitingForTheNextReminder()
    {
        var id = MemberClusterFixture.NewMemberId("btk");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Equal("applied", (await member.ApplyEventAsync(Events.Purchase(id, "O-1", 300m, Now.AddMinutes(-1)))).Status);

        // The archive is down; long manual adjustments (no activity of the member) fill the outbox past its byte bound.
        cluster.Ledger.Fail(id);
        var applied = 0;
        for (var i = 0; i < 100; i++)
        {
            var answer = await Record.ExceptionAsync(() => member.AdjustAsync(LongAdjustments.Numbered(i)));
            applied += answer is null ? 1 : 0;
        }

        Assert.True(OutboxBytes.PastBound(cluster.Faults.Stored<MemberGrainState>(id)!.Member), "the outbox is not past its byte bound");

        // A month later, at 10:00 in Shanghai, the reminder ticks: the win-back L1 touch is due, and the tick is refused.
        QuietForAMonth();
        await TickAsync(id); // the refusal is not thrown to the reminder service
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);
        Assert.DoesNotContain(await member.GetTouchesAsync(50), t => t.Kind == "winback.l1");

        // The archive is back. No event, no reminder, no call that changes the member: its outbox retry drains the
        // archive rows, and the refused tick runs right after it, on the same (pinned) engine clock.
        cluster.Ledger.Heal(id);
        await UntilAsync(() => cluster.Outbox.Sent.Any(t => t.MemberId == id), "the refused tick did not run after the outbox drained");
        Assert.Equal("winback.l1", Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id).Kind);
        Assert.InRange(applied, 90, 99); // some were refused at the byte bound
        Assert.Equal(applied, (await cluster.Archive.ReadAsync(id, null, null, 500)).Count(e => e.EventId?.StartsWith(Domain.Points.AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal) == true));

        // The regular reminder ticks later the same day: the touch is not sent twice (the rerun was a tick like any other).
        cluster.Time.Advance(TimeSpan.FromMinutes(30));
        await TickAsync(id);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id);
        Assert.Single(await member.GetTouchesAsync(50), t => t.Kind == "winback.l1");
    }

    [Fact]
    public async Task AMemberCollectedWithATickOwedAndItsOutboxDrainedHasItsReminderMovedToNowAndTouchesOnce()
    {
        // The member's outbox retry (1 s apart by now, real time) may drain the outbox and run the owed tick between the
        // heal and the collection on a loaded machine; that attempt proves nothing, so a fresh member tries again (3 at most).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await CollectedWithATickOwedAsync(MemberClusterFixture.NewMemberId("btd")))
            {
                return;
            }
        }

        Assert.Fail("the outbox retry ran the owed tick before every collection");
    }

    /// <summary>One attempt; false when the outbox retry ran the owed tick before the collection (nothing to check).</summary>
    private async Task<bool> CollectedWithATickOwedAsync(string id)
    {
        // Created three hours off the 10:00 the ticks run at: its daily reminder's own next tick is hours away, not within the minute.
        cluster.Time.Advance(TimeSpan.FromHours(3));
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Equal("applied", (await member.ApplyEventAsync(Events.Purchase(id, "O-1", 300m, Now.AddMinutes(-1)))).Status);
        cluster.Ledger.Fail(id);
        for (var i = 0; i < 100; i++)
        {
            await Record.ExceptionAsync(() => member.AdjustAsync(LongAdjustments.Numbered(i)));
        }

        Assert.True(OutboxBytes.PastBound(cluster.Faults.Stored<MemberGrainState>(id)!.Member), "the outbox is not past its byte bound");
        QuietForAMonth();
        await TickAsync(id); // refused: the tick is owed
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);

        // The archive is back and the member is collected before its outbox retry fires: the way out drains the outbox
        // and, the tick being owed, moves the lifecycle reminder to Orleans' minute from now.
        cluster.Ledger.Heal(id);
        var movedAfter = TimeProvider.System.GetUtcNow().UtcDateTime;
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        if (cluster.Outbox.Sent.Any(t => t.MemberId == id))
        {
            return false;
        }

        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;
        Assert.Empty(stored.Member.Outbox.Pending);
        Assert.Equal(Now + TimeSpan.FromMinutes(1), stored.NextReminderAt);
        var reminders = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<IReminderTable>();
        var row = await reminders.ReadRow(member.GetGrainId(), MemberGrain.LifecycleReminder);
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
        Assert.InRange(row.StartAt, movedAfter + TimeSpan.FromMinutes(1), TimeProvider.System.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(1));

        // The moved reminder fires (a minute later): the owed tick touches once; the next tick the same day does not again.
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await TickAsync(id);
        await UntilAsync(() => cluster.Outbox.Sent.Any(t => t.MemberId == id), "the owed tick did not run when the moved reminder fired");
        cluster.Time.Advance(TimeSpan.FromMinutes(30));
        await TickAsync(id);
        Assert.Equal("winback.l1", Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id).Kind);
        Assert.Single(await member.GetTouchesAsync(50), t => t.Kind == "winback.l1");
        return true;
    }

    [Fact]
    public async Task AReminderTickThatDrainsTheOutboxItselfClearsTheOwedTickSoItDoesNotRunTwice()
    {
        var id = MemberClusterFixture.NewMemberId("btr");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Equal("applied", (await member.ApplyEventAsync(Events.Purchase(id, "O-1", 300m, Now.AddMinutes(-1)))).Status);
        cluster.Ledger.Fail(id);
        for (var i = 0; i < 100; i++)
        {
            await Record.ExceptionAsync(() => member.AdjustAsync(LongAdjustments.Numbered(i)));
        }

        QuietForAMonth();
        await TickAsync(id); // refused: the tick is owed
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);

        // The archive is back and the reminder fires before the outbox retry (1 s apart by now): the tick's emit-first
        // drains the outbox (arming the owed tick's run) and the tick itself runs; the owed one is cleared.
        cluster.Ledger.Heal(id);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await TickAsync(id);
        var writes = cluster.Faults.WritesOf(id);
        var stored = cluster.Faults.Stored<MemberGrainState>(id)!.NextReminderAt;
        Assert.Equal("winback.l1", Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id).Kind);

        // Calls after it (an owed run armed due now would have run before them): no second tick wrote or moved the schedule.
        await member.GetTouchesAsync(50);
        await member.GetLedgerAsync(new LedgerQuery { Limit = 1 });
        Assert.Equal(writes, cluster.Faults.WritesOf(id));
        Assert.Equal(stored, cluster.Faults.Stored<MemberGrainState>(id)!.NextReminderAt);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id);
    }

    /// <summary>Moves the engine clock a month and a day on, to 10:00 in Shanghai (outside quiet hours): the member is at risk.</summary>
    private void QuietForAMonth() => MemberTicks.QuietForAMonth(cluster.Time);

    private Task TickAsync(string memberId) => MemberTicks.TickAsync(cluster.Client, cluster.Time, memberId);

    private static async Task UntilAsync(Func<bool> done, string failure)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(deadline.Elapsed < Deadline, $"{failure} within {Deadline.TotalSeconds} s");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await timer.WaitForNextTickAsync();
        }
    }
}
