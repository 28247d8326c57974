using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A member whose outbox is backed up past its byte bound (the ledger archive down) refuses a broadcast's delivery with
/// <see cref="MemberBacklogException"/>: the fan-out goes on with everyone else instead of failing the page on it, lists
/// the member, and asks it again on the fan-out reminder's later runs once its retry is due (engine clock: the fixture's
/// fake one), until it is reached; the campaign completes only then, and its progress says how many were skipped as
/// backed up and how many were reached later. The member keeps its stable group, and the budget holds exactly one grant per touch.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class BackedUpMemberFanOutTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task A_backed_up_member_is_skipped_by_its_page_then_reached_by_a_retry_once_it_takes_changes_again()
    {
        var (backedUp, grain, definition, campaign) = await ArrangeAsync("bu", (d, now) => d with { ControlShare = 0.5 });
        cluster.Ledger.Fail(backedUp.Id);
        try
        {
            Assert.NotNull(await LongAdjustments.UntilBackedUpAsync(grain));
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);

            // Every shard is done, but the backed-up member waits for its retry: still running, and the progress says why.
            var waiting = await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");
            Assert.Equal(CampaignStatuses.Running, waiting.Status);
            Assert.Equal((6L, 5L, 1L, 0L, 0L), (waiting.Progress.Total!.Value, waiting.Progress.Reached, waiting.Progress.BackedUpSkipped, waiting.Progress.BackedUpReachedLater, waiting.Progress.BackedUpGivenUp));
            Assert.Null((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
            Assert.Single(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: {backedUp.Id} refused the delivery, its outbox is backed up"));

            // The reminder before the retry is due (engine clock unmoved) asks nobody.
            await FanOutReminderAsync(campaign, cluster.Time);
            Assert.Equal(1, (await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the reminder's run")).Progress.BackedUpWaiting);
            Assert.Single(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: {backedUp.Id} refused the delivery"));

            // Due, but the archive is still down: refused again, and it waits longer (5 min after its second refusal).
            cluster.Time.Advance(TimeSpan.FromMinutes(2));
            await FanOutReminderAsync(campaign, cluster.Time);
            await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning && cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: {backedUp.Id} refused the delivery").Count == 2, "the first retry");
            Assert.Equal(CampaignStatuses.Running, (await campaign.GetAsync())!.Status);
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }

        // The archive is back and the member's outbox drains (a ledger read sends everything); its next retry reaches it.
        await grain.GetLedgerAsync(new LedgerQuery { Limit = 1 });
        cluster.Time.Advance(TimeSpan.FromMinutes(6));
        await FanOutReminderAsync(campaign, cluster.Time);
        var done = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the retried member");

        var membership = (await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id];
        Assert.NotNull(membership);
        var planned = CampaignMapping.Plan(CampaignDefinitions.Normalize(definition), backedUp.Id, CampaignClusterFixture.GlobalControlPercent);
        Assert.Equal(planned.Group, membership.Group); // its stable assignment: the group a page would have given it
        Assert.Equal((6L, 1L, 1L, 0L, 0L), (done.Progress.Reached, done.Progress.BackedUpSkipped, done.Progress.BackedUpReachedLater, done.Progress.BackedUpWaiting, done.Progress.BackedUpGivenUp));
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(touched.Count, done.Progress.Sent + done.Progress.Deferred);
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, done.GrantsReserved);
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id} fan-out stopped"));

        // The member takes changes again.
        Assert.Equal("applied", (await grain.AdjustAsync(new AdjustmentRequest { AdjustmentId = "adj-after", Kind = "points", Delta = 1, Reason = "x" })).Status);
    }

    [Fact]
    public async Task A_failed_write_after_the_retrys_write_ahead_is_replayed_holding_the_grant_once()
    {
        var (backedUp, grain, definition, campaign) = await ArrangeAsync("bw");
        try
        {
            await BackUpAsync(backedUp.Id, grain);
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }

        await grain.GetLedgerAsync(new LedgerQuery { Limit = 1 });

        // The retry's write-ahead (the grant in flight) is stored, the member takes the offer, the checkpoint write fails.
        cluster.Faults.FailWritesAfter(definition.Id, 1);
        try
        {
            cluster.Time.Advance(TimeSpan.FromMinutes(2));
            await FanOutReminderAsync(campaign, cluster.Time);
            await PauseResumeTests.UntilAsync(campaign, _ => cluster.Faults.FailuresOf(definition.Id) > 0, "the interrupted retry");
            Assert.NotNull((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
        }
        finally
        {
            cluster.Faults.Heal(definition.Id);
        }

        // The next run replays it, asking the member only what it has: counted once, its grant held once.
        await FanOutReminderAsync(campaign, cluster.Time);
        var done = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the replayed retry");
        Assert.Equal((6L, 1L, 1L, 0L, 0L), (done.Progress.Reached, done.Progress.BackedUpSkipped, done.Progress.BackedUpReachedLater, done.Progress.BackedUpWaiting, done.Progress.BackedUpGivenUp));
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Single(touched, id => id == backedUp.Id);
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, done.GrantsReserved);
    }

    [Fact]
    public async Task A_member_still_backed_up_when_the_window_ends_is_given_up_and_the_campaign_ends()
    {
        var (backedUp, grain, definition, campaign) = await ArrangeAsync("be", (d, now) => d with { ValidUntil = now.AddMinutes(30) });
        try
        {
            await BackUpAsync(backedUp.Id, grain);
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");

            // validUntil passes while the member still waits: the next run gives it up and ends the campaign.
            cluster.Time.Advance(TimeSpan.FromMinutes(31));
            await FanOutReminderAsync(campaign, cluster.Time);
            var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the window's end");
            Assert.Equal((5L, 1L, 0L, 0L, 1L), (ended.Progress.Reached, ended.Progress.BackedUpSkipped, ended.Progress.BackedUpReachedLater, ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
            Assert.Null((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
            Assert.Equal(ended.Progress.Sent + ended.Progress.Deferred, ended.GrantsReserved);
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }
    }

    [Fact]
    public async Task A_paused_campaign_asks_no_backed_up_member_and_its_resume_asks_them_at_once()
    {
        var (backedUp, grain, definition, campaign) = await ArrangeAsync("bp");
        var refused = $"Campaign {definition.Id}: {backedUp.Id} refused the delivery";
        try
        {
            await BackUpAsync(backedUp.Id, grain);
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");

            // Its first retry is refused too: it waits 5 minutes now.
            cluster.Time.Advance(TimeSpan.FromMinutes(2));
            await FanOutReminderAsync(campaign, cluster.Time);
            await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning && cluster.Logs.Lines(LogLevel.Warning, refused).Count == 2, "the first retry");
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }

        await grain.GetLedgerAsync(new LedgerQuery { Limit = 1 });
        Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);

        // Paused: the reminder asks nobody, however often it comes.
        cluster.Time.Advance(TimeSpan.FromMinutes(2));
        await FanOutReminderAsync(campaign, cluster.Time);
        await FanOutReminderAsync(campaign, cluster.Time);
        var paused = await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the paused reminder");
        Assert.Equal((CampaignStatuses.Paused, 5L, 1L, 0L), (paused.Status, paused.Progress.Reached, paused.Progress.BackedUpWaiting, paused.Progress.BackedUpReachedLater));
        Assert.Null((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
        Assert.Equal(2, cluster.Logs.Lines(LogLevel.Warning, refused).Count);

        // The resume asks it at once, 3 minutes before its retry would have been due: reached, and the campaign completes.
        Assert.Equal(CampaignControlResult.Changed, (await campaign.ResumeAsync()).Status);
        var done = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the resumed retry");
        Assert.Equal((6L, 1L, 1L, 0L, 0L), (done.Progress.Reached, done.Progress.BackedUpSkipped, done.Progress.BackedUpReachedLater, done.Progress.BackedUpWaiting, done.Progress.BackedUpGivenUp));
        Assert.NotNull((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Single(touched, id => id == backedUp.Id);
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, done.GrantsReserved);
    }

    [Fact]
    public async Task A_broadcast_paused_while_members_wait_is_ended_at_its_window_giving_them_up_once_and_holding_no_grant_for_them()
    {
        var (backedUp, grain, definition, campaign) = await ArrangeAsync("bq", (d, now) => d with { ValidUntil = now.AddMinutes(30) });
        try
        {
            await BackUpAsync(backedUp.Id, grain);
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");
            Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }

        // The member could take changes again, but the campaign stays paused until its window closes: the paused
        // broadcast's reminder then ends it, giving the waiting member up (not asking it).
        await grain.GetLedgerAsync(new LedgerQuery { Limit = 1 });
        cluster.Time.Advance(TimeSpan.FromMinutes(31));
        await FanOutReminderAsync(campaign, cluster.Time);
        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Progress.BackedUpWaiting == 0 && !v.Progress.FanOutRunning, "the window's end while paused");
        Assert.Equal(CampaignStatuses.Ended, ended.Status);
        Assert.NotNull(ended.CompletedAt);
        Assert.Equal((5L, 1L, 0L, 0L, 1L), (ended.Progress.Reached, ended.Progress.BackedUpSkipped, ended.Progress.BackedUpReachedLater, ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
        Assert.Null((await MembershipsAsync(cluster.Client, [backedUp], definition.Id))[backedUp.Id]);
        Assert.Equal(ended.Progress.Sent + ended.Progress.Deferred, ended.GrantsReserved);

        // Counted once: a later reminder and a refused resume change nothing, and nobody new is touched.
        await FanOutReminderAsync(campaign, cluster.Time);
        Assert.Equal(CampaignControlResult.Refused, (await campaign.ResumeAsync()).Status);
        var after = await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the later reminder");
        Assert.Equal((5L, 1L, 0L, 1L, ended.GrantsReserved), (after.Progress.Reached, after.Progress.BackedUpSkipped, after.Progress.BackedUpWaiting, after.Progress.BackedUpGivenUp, after.GrantsReserved));
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.CampaignId == definition.Id && t.MemberId == backedUp.Id);
    }

    /// <summary>Fails the member's archive and adjusts it with long reasons until it refuses as backed up (the caller heals the archive).</summary>
    private async Task BackUpAsync(string memberId, IMemberGrain grain)
    {
        cluster.Ledger.Fail(memberId);
        Assert.NotNull(await LongAdjustments.UntilBackedUpAsync(grain));
    }

    /// <summary>
    /// Six members of a fresh scope (<paramref name="prefix"/> and 8 hex digits) in its three regions, the first outside the
    /// global control group the one each test backs up, and a broadcast over them (no control share, 100 grants), shaped by
    /// <paramref name="shape"/> (given the engine clock's now); nothing is created or triggered yet.
    /// </summary>
    private async Task<(TestMember BackedUp, IMemberGrain Grain, CampaignDefinition Definition, ICampaignGrain Campaign)> ArrangeAsync(
        string prefix, Func<CampaignDefinition, DateTimeOffset, CampaignDefinition>? shape = null)
    {
        var scope = prefix + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var members = await CreateMembersAsync(cluster.Client, now, scope, 6);
        var backedUp = members.First(m => !m.GlobalControl);
        var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
        var definition = Broadcast(scope + "-all", now, audience) with { ControlShare = 0, Budget = new CampaignBudget { MaxGrants = 100 } };
        definition = shape?.Invoke(definition, now) ?? definition;
        return (backedUp, cluster.Client.GetGrain<IMemberGrain>(backedUp.Id), definition, cluster.Client.GetGrain<ICampaignGrain>(definition.Id));
    }
}
