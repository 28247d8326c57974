using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A broadcast hands out nothing after its <c>validUntil</c>, whether it was paused or running when the window closed.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class ValidityWindowTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task APausedBroadcastResumedAfterItsWindowEndedIsRefusedAndReachesNoOneMore()
    {
        var (members, definition, campaign) = await StartHeldAsync("v");
        Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);
        cluster.IndexGate.Release();
        var stopped = await UntilAsync(campaign, v => !v.Progress.FanOutRunning);
        Assert.InRange(stopped.Progress.Reached, 1, members.Count - 1);

        // A whole day later (the same hour of day, so no quiet hours): the window closed 12 hours ago.
        cluster.Time.Advance(TimeSpan.FromDays(1));
        var resumed = await campaign.ResumeAsync();

        Assert.Equal(CampaignControlResult.Refused, resumed.Status);
        Assert.Contains("validity", resumed.Detail, StringComparison.Ordinal);
        var after = await UntilAsync(campaign, v => !v.Progress.FanOutRunning);
        Assert.Equal(stopped.Progress.Reached, after.Progress.Reached);
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.Equal(stopped.Progress.Reached, memberships.Values.Count(v => v is not null));

        // Paused when its window closed: it is ended now, not paused for good.
        Assert.Equal(CampaignStatuses.Ended, after.Status);
        Assert.Equal(CampaignStatuses.Ended, (await campaign.GetResultsAsync())!.Status);
    }

    [Fact]
    public async Task ARunningBroadcastStopsAtThePageBoundaryWhereItsWindowEndedAndIsEnded()
    {
        var (members, definition, campaign) = await StartHeldAsync("w");

        // The window closes while a page is in flight: that page finishes, no later page is delivered.
        cluster.Time.Advance(TimeSpan.FromDays(1));
        cluster.IndexGate.Release();
        var ended = await UntilAsync(campaign, v => v.Status is CampaignStatuses.Ended or CampaignStatuses.Completed && !v.Progress.FanOutRunning);

        Assert.Equal(CampaignStatuses.Ended, ended.Status);
        Assert.InRange(ended.Progress.Reached, 1, members.Count - 1);
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.Equal(ended.Progress.Reached, memberships.Values.Count(v => v is not null));
        Assert.Equal(CampaignControlResult.Refused, (await campaign.ResumeAsync()).Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task APageAFailureInterruptedIsCountedWhenTheWindowEndsBeforeItsRetryAndNobodyNewIsTouched(bool budgeted)
    {
        // A broadcast with a budget (its pages write ahead) or without; one member's writes fail, so its page stops after
        // the others of the page were touched; the window ends before the retry.
        var scope = (budgeted ? "i" : "u") + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 240);
        var definition = Broadcast(scope + "-cut", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            ValidUntil = Now.AddHours(12),
            ControlShare = 0,
            Budget = budgeted ? new CampaignBudget { MaxGrants = 10_000 } : new CampaignBudget(),
        };
        var failing = members.First(m => !m.GlobalControl).Id;
        cluster.Faults.Fail(failing, StorageFault.Write);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        var stopped = await UntilAsync(campaign, v => !v.Progress.FanOutRunning);
        Assert.Equal(CampaignStatuses.Running, stopped.Status);
        Assert.True(cluster.Faults.FailuresOf(failing) > 0);

        cluster.Time.Advance(TimeSpan.FromDays(1));
        cluster.Faults.Heal(failing);
        await campaign.AsReference<IRemindable>().ReceiveReminder(CampaignGrain.FanOutReminder, new TickStatus(Now.UtcDateTime, TimeSpan.FromMinutes(1), Now.UtcDateTime));
        var ended = await UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning);

        // Every touch that went out is counted, the interrupted page's included; the member whose write failed got nothing.
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, ended.Progress.Sent + ended.Progress.Deferred);
        Assert.DoesNotContain(failing, touched);
        Assert.Null((await MembershipsAsync(cluster.Client, [members.Single(m => m.Id == failing)], definition.Id))[failing]);
    }

    /// <summary>A broadcast of 1,200 members (two pages or more in every shard) valid for 12 more hours, triggered, with a delivery page of shard 0 held.</summary>
    private async Task<(IReadOnlyList<TestMember> Members, CampaignDefinition Definition, ICampaignGrain Campaign)> StartHeldAsync(string prefix)
    {
        var scope = prefix + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 1200);
        var definition = Broadcast(scope + "-window", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            ValidUntil = Now.AddHours(12),
        };
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var first = members.Select(m => m.Id).Where(id => MemberIndexShards.ShardOf(id, 16) == 0).Order(StringComparer.Ordinal).First();
        var held = cluster.IndexGate.HoldRead(first, nth: 2);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        return (members, definition, campaign);
    }

    private static Task<CampaignStatusView> UntilAsync(ICampaignGrain campaign, Func<CampaignStatusView, bool> condition) =>
        PauseResumeTests.UntilAsync(campaign, condition, "the fan-out state");
}
