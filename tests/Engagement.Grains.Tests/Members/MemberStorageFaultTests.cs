using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// Issue 9 §5: in-memory state is never ahead of storage after a failure. Each test breaks the reminder table or the
/// grain storage for its own member between the domain's change and the write, then checks that nobody sees the
/// unsaved change and that the retry is applied (not answered from memory as a duplicate or a repeat).
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class MemberStorageFaultTests(MemberClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task FirstPurchaseWhoseReminderCouldNotBeRegisteredIsAppliedOnRetryNotAnsweredAsDuplicate()
    {
        var id = MemberClusterFixture.NewMemberId("NEW");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Null(await member.GetViewAsync()); // activates an empty grain, as GET /members/{id} does
        var purchase = Events.Purchase(id, "O1", 1000.00m, Now.AddMinutes(-5));

        cluster.Faults.Fail(id, StorageFault.Reminder);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(purchase));
        Assert.Equal(0, cluster.Faults.WritesOf(id));
        Assert.Null(await member.GetViewAsync());

        cluster.Faults.Heal(id);
        var retried = await member.ApplyEventAsync(purchase);

        Assert.Equal(ApplyStatus.Applied, retried.Status);
        Assert.Equal(2000, retried.PointsBalance);
        var view = await member.GetViewAsync();
        Assert.Equal(2000, view!.PointsBalance);
        Assert.Equal(1000, view.GrowthValue);
        Assert.Equal("V2", view.Tier);
        AssertMatchesStorage(id, view);
        Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(purchase)).Status);
    }

    [Fact]
    public async Task EventWhoseStateWriteFailedIsNotVisibleAndIsAppliedOnRetry()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-10)));
        var second = Events.Purchase(id, "O2", 200m, Now.AddMinutes(-5));

        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(second));
        var during = await member.GetViewAsync();
        Assert.Equal(600, during!.PointsBalance);
        Assert.Equal(300, during.GrowthValue);

        cluster.Faults.Heal(id);
        var retried = await member.ApplyEventAsync(second);

        Assert.Equal(ApplyStatus.Applied, retried.Status);
        var view = await member.GetViewAsync();
        Assert.Equal(800, view!.PointsBalance); // 300 × 2 (first purchase) + 200 × 1.0
        Assert.Equal(500, view.GrowthValue);
        AssertMatchesStorage(id, view);
    }

    [Fact]
    public async Task FirstEventFromTheStreamThatFailedIsStoredByTheRedeliveryNotDroppedAsDuplicate()
    {
        var id = MemberClusterFixture.NewMemberId("NEW");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Null(await member.GetViewAsync());
        var stream = cluster.Client.GetStreamProvider(StreamNames.Provider).GetStream<EngagementEvent>(StreamId.Create(StreamNames.MemberEvents, id));

        cluster.Faults.Fail(id, StorageFault.Reminder);
        await stream.OnNextAsync(Events.Purchase(id, "O1", 1000m, Now.AddMinutes(-5)));
        await UntilAsync(() => cluster.Faults.FailuresOf(id) > 0, "the member tried to register its reminder");
        cluster.Faults.Heal(id);

        // The stream retries the failed delivery (as the queue redelivers); the member meets it with what storage holds.
        await UntilAsync(() => cluster.Faults.Stored<MemberGrainState>(id) is { } stored && stored.Member.Orders.Count == 1, "the redelivered event stored");
        var view = await member.GetViewAsync();
        Assert.Equal(2000, view!.PointsBalance);
        AssertMatchesStorage(id, view);
    }

    [Fact]
    public async Task AnIdAppendedIntoTheDaysSpareRoomByAFailedWriteIsNotRememberedAndItsResendIsApplied()
    {
        // Five events of one UTC day in one activation: the day's id buffer has doubled to 88 bytes and holds 1 + 5 x 10,
        // so the sixth id is appended into its spare room, in place (EventIdDay), before the write fails.
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var first = Enumerable.Range(1, 5).Select(i => Events.Of(EventTypes.Login, id, Now.AddMinutes(-10 + i), $"{id}-login-{i}")).ToList();
        foreach (var login in first)
        {
            Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(login)).Status);
        }

        var sixth = Events.Of(EventTypes.Login, id, Now.AddMinutes(-1), $"{id}-login-6");
        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(sixth));
        cluster.Faults.Heal(id);
        var stored = cluster.Faults.Stored<MemberGrainState>(id)!.Member;
        Assert.Equal(5, EventIdWindow.Count(stored));
        Assert.False(EventIdWindow.Contains(stored, sixth.EventId, Now));

        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(sixth)).Status);
        Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(first[2])).Status);
        Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(sixth)).Status);

        stored = cluster.Faults.Stored<MemberGrainState>(id)!.Member;
        Assert.Equal(6, EventIdWindow.Count(stored));
        Assert.All(first.Append(sixth), e => Assert.True(EventIdWindow.Contains(stored, e.EventId, Now), e.EventId));
    }

    [Fact]
    public async Task WhileStorageCannotBeReadTheMemberAnswersWithAnErrorNeverWithTheUnsavedChange()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-10)));

        cluster.Faults.Fail(id, StorageFault.All);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(Events.Purchase(id, "O2", 5000m, Now.AddMinutes(-5))));
        await Assert.ThrowsAnyAsync<Exception>(member.GetViewAsync);
        await Assert.ThrowsAnyAsync<Exception>(() => member.GetTouchesAsync(10));

        cluster.Faults.Heal(id);
        var view = await member.GetViewAsync();
        Assert.Equal(600, view!.PointsBalance);
        Assert.Equal("V1", view.Tier);
        AssertMatchesStorage(id, view);
    }

    [Fact]
    public async Task RedemptionWhoseWriteFailedIsNotRememberedAndTheRetryRedeemsOnce()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 1000m, Now.AddMinutes(-10)));
        var redemption = new RedemptionRequest { RedemptionId = "R1", Points = 500 };

        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.RedeemAsync(redemption));
        cluster.Faults.Heal(id);
        Assert.Equal(2000, (await member.GetViewAsync())!.PointsBalance);

        var retried = await member.RedeemAsync(redemption);

        Assert.Equal(RedemptionStatus.Accepted, retried.Status);
        Assert.False(retried.Replayed);
        Assert.Equal(1500, retried.PointsBalance);
        var view = await member.GetViewAsync();
        Assert.Equal(1500, view!.PointsBalance);
        AssertMatchesStorage(id, view);
    }

    [Fact]
    public async Task ConsentWhoseWriteFailedIsNotShownAndTheRetryStoresIt()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 100m, Now.AddMinutes(-10)));
        var optOut = new Dictionary<string, bool> { ["sms"] = false };

        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.SetConsentAsync(optOut));
        cluster.Faults.Heal(id);
        Assert.False((await member.GetViewAsync())!.Consent.ContainsKey("sms"));

        var view = await member.SetConsentAsync(optOut);

        Assert.False(view!.Consent["sms"]);
        Assert.False(cluster.Faults.Stored<MemberGrainState>(id)!.Member.Consent["sms"]);
    }

    [Fact]
    public async Task TickWhoseWriteFailedSendsNoTouchAndTheNextTickSendsItOnce()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-1)));
        MemberTicks.QuietForAMonth(cluster.Time); // the first win-back step falls due, at 10:00 in Shanghai (no quiet hours)
        var writes = cluster.Faults.WritesOf(id);

        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => TickAsync(id));
        cluster.Faults.Heal(id);
        Assert.Equal(writes, cluster.Faults.WritesOf(id));
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);
        Assert.Equal(0, cluster.Faults.Stored<MemberGrainState>(id)!.Member.Lifecycle.WinBackLevel);

        // Memory is not ahead of storage: the failed tick's L1 decision is gone (the live view shows L1 as due by now, §1.1).
        Assert.DoesNotContain(await member.GetTouchesAsync(50), t => t.Kind == "winback.l1");
        Assert.Equal(1, (await member.GetViewAsync())!.WinBackLevel);

        await TickAsync(id);

        Assert.Equal(1, (await member.GetViewAsync())!.WinBackLevel);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id && t.Kind == "winback.l1");
        Assert.Equal(1, cluster.Faults.Stored<MemberGrainState>(id)!.Member.Lifecycle.WinBackLevel);
    }

    /// <summary>
    /// The write confirming a dead letter fails: with <paramref name="sdkTimeout"/> as the Azure SDK reports a timeout
    /// (a <see cref="TaskCanceledException"/>, which no caller's cancellation explains), otherwise with a general
    /// failure (a <see cref="TimeoutException"/> stands for any other exception of that write).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFailedWriteConfirmingADeadLetterFailsNeitherTheEventNorItsStoredChange(bool sdkTimeout)
    {
        // A refund held for its order, then the order's purchase, which refuses it (more than the order): the poison queue
        // takes the refund, and the write that confirms it fails.
        var id = MemberClusterFixture.NewMemberId("to");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Refund(id, id + "-O1", 500m, Now.AddMinutes(-10)));
        cluster.Faults.FailWritesAfter(id, 1, what => sdkTimeout ? new TaskCanceledException(what) : new TimeoutException(what));

        var applied = await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 100m, Now.AddMinutes(-5)));

        cluster.Faults.Heal(id);
        Assert.Equal(ApplyStatus.Applied, applied.Status);
        Assert.Equal(1, cluster.Faults.FailuresOf(id));
        Assert.Single(cluster.DeadLetters.Letters, l => l.Reason.Contains(id, StringComparison.Ordinal));
        var view = await member.GetViewAsync();
        Assert.Equal(200, view!.PointsBalance);
        AssertMatchesStorage(id, view);

        // The member reloaded: storage still lists the letter as pending, so its next change sends it once more.
        await member.ApplyEventAsync(Events.Of(EventTypes.Login, id, Now));
        Assert.Equal(2, cluster.DeadLetters.Letters.Count(l => l.Reason.Contains(id, StringComparison.Ordinal)));
    }

    /// <summary>What the grain shows equals what storage holds, computed independently from the stored state.</summary>
    private void AssertMatchesStorage(string id, MemberView view)
    {
        var stored = cluster.Faults.Stored<MemberGrainState>(id);
        Assert.NotNull(stored);
        var summary = MemberEngine.Summarize(stored.Member, new ProgramOptions(), Now);
        Assert.Equal(summary.PointsBalance, view.PointsBalance);
        Assert.Equal(summary.GrowthValue, view.GrowthValue);
        Assert.Equal(summary.Tier, view.Tier);
        Assert.Equal(summary.LastActivityAt, view.LastActivityAt);
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "not within 60 s: " + what);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await timer.WaitForNextTickAsync();
        }
    }

    private Task TickAsync(string memberId)
    {
        var now = Now.UtcDateTime;
        return cluster.Client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }
}
