using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>The grain's wiring of pause and resume (the transition rule itself: CampaignPauseRule's domain tests).</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class PauseResumeTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task APausedFanOutStopsAtAPageBoundaryStaysStoppedAndResumesFromThereReachingEveryMemberOnce()
    {
        var scope = "p" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 900);
        var definition = Broadcast(scope + "-pause", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignControlResult.Refused, (await campaign.PauseAsync()).Status);

        // Hold the delivery read (the second; the first is the count) of a page of shard 0: shards 4–15 have not started.
        var first = members.Select(m => m.Id).Where(id => MemberIndexShards.ShardOf(id, 16) == 0).Order(StringComparer.Ordinal).First();
        var held = cluster.IndexGate.HoldRead(first, nth: 2);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        await held.WaitAsync(TimeSpan.FromSeconds(60));

        var paused = await campaign.PauseAsync();
        var again = await campaign.PauseAsync();
        cluster.IndexGate.Release();

        Assert.Equal(CampaignControlResult.Changed, paused.Status);
        Assert.Equal(CampaignStatuses.Paused, paused.Campaign!.Status);
        Assert.Equal(1, paused.Pause);
        Assert.Equal(CampaignControlResult.Already, again.Status);
        Assert.Equal(1, again.Pause);

        var stopped = await UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the pages under way are checkpointed");
        Assert.Equal(CampaignStatuses.Paused, stopped.Status);
        Assert.Equal(members.Count, stopped.Progress.Total);
        Assert.InRange(stopped.Progress.Reached, 1, members.Count - 1);

        // A page boundary: every member reached is counted, and nobody past the checkpoint was delivered to.
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.Equal(stopped.Progress.Reached, memberships.Values.Count(v => v is not null));
        Assert.Equal(CampaignStatuses.Paused, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Status);

        // A trigger does not resume it.
        var trigger = await campaign.TriggerAsync();
        Assert.Equal(CampaignTriggerResult.Already, trigger.Status);
        Assert.Contains("paused", trigger.Detail, StringComparison.Ordinal);
        Assert.Equal(stopped.Progress.Reached, (await campaign.GetAsync())!.Progress.Reached);

        var resumed = await campaign.ResumeAsync();
        Assert.Equal(CampaignControlResult.Changed, resumed.Status);
        Assert.Equal(CampaignStatuses.Running, resumed.Campaign!.Status);
        Assert.Equal(1, resumed.Pause);
        var done = await UntilCompletedAsync(campaign);

        Assert.Equal(members.Count, done.Progress.Reached);
        var all = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.All(all.Values, Assert.NotNull);
        var touches = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).ToList();
        Assert.Equal(all.Count(kv => kv.Value!.Group == CampaignGroups.Arm), touches.Select(t => t.MemberId).Distinct().Count());
        Assert.All(touches.GroupBy(t => t.MemberId), g => Assert.Single(g.Select(t => t.TouchId).Distinct()));
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred + done.Progress.Suppressed + done.Progress.Control + done.Progress.Excluded + done.Progress.Ineligible, members.Count);

        var late = await campaign.PauseAsync();
        Assert.Equal(CampaignControlResult.Refused, late.Status);
        Assert.Contains("completed", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APausedTriggeredCampaignGrantsNothingUntilResumed()
    {
        var scope = "q" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        await campaign.CreateAsync(definition);
        var ids = CampaignTestKit.ArmBuyers(scope).Take(2).ToList();

        Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);
        await cluster.Client.GetGrain<IMemberGrain>(ids[0]).ApplyEventAsync(Infrastructure.Events.Purchase(ids[0], ids[0] + "-1", 100m, Now.AddMinutes(-5)) with { RegionId = region });
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(ids[0]).GetCampaignMembershipAsync(definition.Id));
        Assert.Equal(CampaignStatuses.Paused, (await campaign.GetAsync())!.Status);

        var resumed = await campaign.ResumeAsync();
        Assert.Equal(CampaignStatuses.Active, resumed.Campaign!.Status);
        Assert.Equal(CampaignControlResult.Already, (await campaign.ResumeAsync()).Status);
        await cluster.Client.GetGrain<IMemberGrain>(ids[1]).ApplyEventAsync(Infrastructure.Events.Purchase(ids[1], ids[1] + "-1", 100m, Now.AddMinutes(-4)) with { RegionId = region });

        var touch = Assert.Single(cluster.Outbox.Sent, t => t.CampaignId == definition.Id);
        Assert.Equal(ids[1], touch.MemberId);
    }

    /// <summary>Polls the campaign (every 50 ms, up to 60 s) until <paramref name="condition"/> holds.</summary>
    internal static async Task<CampaignStatusView> UntilAsync(ICampaignGrain campaign, Func<CampaignStatusView, bool> condition, string what)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var view = (await campaign.GetAsync())!;
            if (condition(view))
            {
                return view;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{what}: not within 60 s ({view.Status} {view.Progress})");
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
