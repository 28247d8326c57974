using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A campaign whose state write fails (injected in front of the grain storage): nothing it answers afterwards comes from
/// the unsaved change, nobody is counted or charged twice when the change is made again, and the log lines reporting a
/// stored fact (audience counted, fan-out completed) are written once, after the write that stores the fact.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class CampaignWriteFailureTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task A_grant_whose_write_failed_is_neither_counted_nor_held_and_the_members_retry_is_counted_once()
    {
        var scope = "wf" + Guid.NewGuid().ToString("N")[..8];
        var definition = Triggered(scope, Now, scope + "-east", new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 2);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var members = ArmBuyers(scope, 400).Take(3).ToList();

        // The first member's grant is counted and held in memory, and its write fails.
        cluster.Faults.FailNextWrite(definition.Id, what => new InjectedStorageFaultException(what));
        await Assert.ThrowsAnyAsync<Exception>(() => campaign.RequestGrantAsync(members[0]));
        Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));

        // What the campaign answers next is what storage holds: no grant held, nobody reached.
        var after = await UntilAnswerAsync(() => ViewAsync(campaign), "the campaign after the failed write");
        var stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!;
        Assert.Equal((0L, 0L, 0L), (after.GrantsReserved, after.Progress.Reached, stored.Held().Grants));
        Assert.Empty(stored.PendingGrants);

        // The member's event is retried: one grant, counted and held once; the budget of 2 takes exactly one more member.
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[0])).Group);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[0])).Group);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[1])).Group);
        Assert.Equal("budget exhausted", (await campaign.RequestGrantAsync(members[2])).Reason);
        var view = (await campaign.GetAsync())!;
        stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!;
        Assert.Equal((2L, 2L, 2L), (view.GrantsReserved, view.Progress.Reached, stored.Held().Grants));
        Assert.Equal([members[0], members[1]], stored.PendingGrants.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(CampaignStatuses.Running, "audience counted")]
    [InlineData(CampaignStatuses.Completed, "fan-out completed")]
    public async Task The_line_of_a_fan_out_step_whose_write_failed_is_logged_once_after_the_write_that_stores_it(string status, string line)
    {
        var scope = "wl" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 60);
        var definition = Broadcast(scope + "-line", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            Budget = new CampaignBudget { MaxGrants = 1_000 },
        };
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        cluster.Faults.FailFirstWriteWhere(definition.Id, state => state is CampaignGrainState s && s.Status == status);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);

        // The step's write fails: the fan-out stops, and nothing says the step is done.
        await UntilAnswerAsync(() => Task.FromResult<string?>(FanOutStopped(definition.Id) ? "stopped" : null), "the failed write");
        Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));
        Assert.Empty(Lines(definition.Id, line));
        Assert.NotEqual(status, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);

        // The reminder's run (on what storage holds) does it again: stored, then logged, once; every member reached once.
        await UntilAnswerAsync(() => ReminderAsync(campaign), "the reminder's run");
        var done = await UntilCompletedAsync(campaign);

        // The view is answered between the fan-out loop's turns (an interleaving timer), so it can say completed while
        // the write of that step is still on its way to storage (CI of 2026-12-08 00:14, under --at: stored "running"):
        // the stored status and the line that follows its storing are awaited (the same 60 s deadline as every wait
        // here) before anything is asserted of them.
        await UntilAnswerAsync(
            () => Task.FromResult<string?>(cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status == CampaignStatuses.Completed && Lines(definition.Id, line).Count > 0 ? "stored" : null),
            "the completed step stored and its line written");
        Assert.Equal(CampaignStatuses.Completed, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);
        Assert.Single(Lines(definition.Id, line));
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(members.Count, done.Progress.Reached);
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, done.GrantsReserved);
        Assert.Equal(done.GrantsReserved, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Held().Grants);
    }

    [Theory]
    [InlineData(CampaignStatuses.Running, "audience counted")]
    [InlineData(CampaignStatuses.Completed, "fan-out completed")]
    public async Task The_line_of_a_fan_out_step_whose_write_failed_after_committing_is_logged_once_when_the_activation_reloads_and_finds_it_stored(string status, string line)
    {
        var scope = "wa" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 60);
        var definition = Broadcast(scope + "-amb", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            Budget = new CampaignBudget { MaxGrants = 1_000 },
        };
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        cluster.Faults.CommitThenFailFirstWriteWhere(definition.Id, state => state is CampaignGrainState s && s.Status == status);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);

        // The step's write is stored yet reported failed (a timeout after the commit): the activation goes, reads storage,
        // finds the step there and writes its line, once, with a warning naming the ambiguous write.
        var ambiguous = $"Campaign {definition.Id}: a state write reported failure but storage holds its change";
        await UntilAnswerAsync(() => Task.FromResult<string?>(cluster.Logs.Lines(LogLevel.Warning, ambiguous).Count > 0 ? "logged" : null), "the warning written after the reload's lines");
        Assert.Single(Lines(definition.Id, line));
        Assert.Single(cluster.Logs.Lines(LogLevel.Warning, ambiguous));
        Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));
        Assert.NotEqual(CampaignStatuses.Counting, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);

        // The next activation repeats nothing of the step: the fan-out (if not done) completes, each line written once.
        await UntilAnswerAsync(() => ReminderAsync(campaign), "the reminder's run");
        var done = await UntilCompletedAsync(campaign);
        Assert.Single(Lines(definition.Id, line));
        Assert.Single(Lines(definition.Id, "fan-out completed"));
        Assert.Equal(members.Count, done.Progress.Reached);
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(done.GrantsReserved, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Held().Grants);
    }

    [Fact]
    public async Task The_ended_line_of_a_fan_out_whose_ending_write_failed_is_logged_once_after_the_write_that_stores_it()
    {
        var scope = "we" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 1200);
        var definition = Broadcast(scope + "-end", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            ValidUntil = Now.AddHours(12),
        };
        var campaign = await StartHeldAsync(definition, members, state => state.Status == CampaignStatuses.Ended);

        // The window closes (a whole day later: the same hour, no quiet hours) while a page is in flight; ending fails.
        cluster.Time.Advance(TimeSpan.FromDays(1));
        cluster.IndexGate.Release();
        await UntilAnswerAsync(() => Task.FromResult<string?>(FanOutStopped(definition.Id) ? "stopped" : null), "the failed write");
        Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));
        Assert.Empty(Lines(definition.Id, "fan-out ended"));
        Assert.NotEqual(CampaignStatuses.Ended, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);

        // The reminder's run ends it from what storage holds: stored, then logged, once; nobody new reached.
        await UntilAnswerAsync(() => ReminderAsync(campaign), "the reminder's run");
        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the ending");
        Assert.Equal(CampaignStatuses.Ended, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);
        Assert.Single(Lines(definition.Id, "fan-out ended"));
        Assert.InRange(ended.Progress.Reached, 1, members.Count - 1);
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.Equal(ended.Progress.Reached, memberships.Values.Count(v => v is not null));
    }

    [Fact]
    public async Task After_a_failed_checkpoint_no_worker_of_the_fan_out_delivers_to_another_member()
    {
        var scope = "wd" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 200);
        var definition = Broadcast(scope + "-stop", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] });

        // Shards 0–3 are delivered at once (FanOutShardConcurrency 4), one page each. Shard 0's delivery read is held;
        // the first page checkpoint of another shard fails.
        static int ShardOf(string id) => MemberIndexShards.ShardOf(id, 16);
        var campaign = await StartHeldAsync(definition, members, state => state.Shards.Any(c => c.Done));
        await UntilAnswerAsync(() => Task.FromResult<string?>(cluster.Faults.FailuresOf(definition.Id) == 1 ? "failed" : null), "the failed checkpoint");

        // The held page is read after the failure: its worker delivers to nobody, and no worker starts another shard.
        cluster.IndexGate.Release();
        await UntilAnswerAsync(() => Task.FromResult<string?>(FanOutStopped(definition.Id) ? "stopped" : null), "the fan-out stopping");
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        var reached = memberships.Where(m => m.Value is not null).Select(m => ShardOf(m.Key)).ToList();
        Assert.NotEmpty(reached);
        Assert.All(reached, shard => Assert.InRange(shard, 1, 3));
        Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));
    }

    /// <summary>
    /// Creates and triggers <paramref name="definition"/> with the second index read of shard 0's first member held (so a
    /// page is in flight) and the campaign's first state write that <paramref name="failWhen"/> matches failing; returns
    /// once the read is held.
    /// </summary>
    private async Task<ICampaignGrain> StartHeldAsync(CampaignDefinition definition, IReadOnlyList<TestMember> members, Func<CampaignGrainState, bool> failWhen)
    {
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var first = members.Select(m => m.Id).Where(id => MemberIndexShards.ShardOf(id, 16) == 0).Order(StringComparer.Ordinal).First();
        var held = cluster.IndexGate.HoldRead(first, nth: 2);
        cluster.Faults.FailFirstWriteWhere(definition.Id, state => state is CampaignGrainState s && failWhen(s));
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        return campaign;
    }

    private bool FanOutStopped(string campaignId) => cluster.Logs.Lines(LogLevel.Warning, $"Campaign {campaignId} fan-out stopped").Count > 0;

    private IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Exception)> Lines(string campaignId, string text) =>
        cluster.Logs.Lines(LogLevel.Information, $"Campaign {campaignId} {text}");

    /// <summary>The campaign's view, or null while a call is refused because the activation whose write failed is still going.</summary>
    private static async Task<CampaignStatusView?> ViewAsync(ICampaignGrain campaign)
    {
        try
        {
            return await campaign.GetAsync();
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            return null;
        }
    }

    /// <summary>Delivers the fan-out reminder; null while refused by the activation whose write failed.</summary>
    private async Task<string?> ReminderAsync(ICampaignGrain campaign)
    {
        try
        {
            await FanOutReminderAsync(campaign, cluster.Time);
            return "delivered";
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            return null;
        }
    }
}
