using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

[Collection(CampaignClusterCollection.Name)]
public sealed class BroadcastCampaignTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private static string Scope() => "b" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task TriggerReachesExactlyTheMatchingMembersOnceAndControlGroupsGetNothing()
    {
        var scope = Scope();
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 2400);
        var audience = new CampaignAudience { Tiers = ["V2", "V3"], Regions = [scope + "-east", scope + "-north"] };
        var expected = members.Where(m => m.Tier is "V2" or "V3" && !m.Region.EndsWith("-west", StringComparison.Ordinal)).ToList();
        var definition = Broadcast(scope + "-all", Now, audience) with
        {
            Arms = [new CampaignArm { Name = "a", Weight = 1 }, new CampaignArm { Name = "b", Weight = 1 }],
            ControlShare = 0.2,
        };

        var done = await CreateAndRunAsync(cluster.Client, definition);

        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        Assert.Equal(expected.Select(m => m.Id).Order(StringComparer.Ordinal), memberships.Where(kv => kv.Value is not null).Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, done.Progress.Total);
        Assert.Equal(expected.Count, done.Progress.Reached);
        Assert.Equal(0, done.Progress.Ineligible);

        // Global control by its stable bucket; nobody else is excluded.
        var global = expected.Where(m => m.GlobalControl).Select(m => m.Id).ToHashSet();
        Assert.NotEmpty(global);
        Assert.Equal(global.Order(), memberships.Where(kv => kv.Value?.Group == CampaignGroups.GlobalControl).Select(kv => kv.Key).Order());
        Assert.Equal(global.Count, done.Progress.Excluded);

        var control = memberships.Where(kv => kv.Value?.Group == CampaignGroups.Control).Select(kv => kv.Key).ToHashSet();
        Assert.InRange(control.Count, (int)(expected.Count * 0.13), (int)(expected.Count * 0.27));
        Assert.Equal(control.Count, done.Progress.Control);

        // Touches: exactly the arm members, one each; control and global control receive nothing.
        var touches = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).ToList();
        var armMembers = memberships.Where(kv => kv.Value?.Group == CampaignGroups.Arm).Select(kv => kv.Key).ToHashSet();
        Assert.Equal(armMembers.Order(), touches.Select(t => t.MemberId).Distinct().Order());
        Assert.All(touches.GroupBy(t => t.MemberId), g => Assert.Single(g.Select(t => t.TouchId).Distinct()));
        Assert.DoesNotContain(touches, t => control.Contains(t.MemberId) || global.Contains(t.MemberId));
        Assert.Equal(armMembers.Count, done.Progress.Sent);
        Assert.All(touches, t => Assert.Equal("C-" + definition.Id, t.Offer));

        // Both arms got members; each member's arm is the one its stable hash says.
        Assert.Contains(memberships.Values, v => v?.Arm == "a");
        Assert.Contains(memberships.Values, v => v?.Arm == "b");
    }

    [Fact]
    public async Task TriggeringTwiceDoesNotDeliverTwice()
    {
        var scope = Scope();
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 120);
        var definition = Broadcast(scope + "-twice", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        await campaign.CreateAsync(definition);

        var first = await campaign.TriggerAsync();
        var second = await campaign.TriggerAsync();
        var done = await UntilCompletedAsync(campaign);
        var third = await campaign.TriggerAsync();

        Assert.Equal(CampaignTriggerResult.Started, first.Status);
        Assert.Equal(CampaignTriggerResult.Already, second.Status);
        Assert.Equal(CampaignTriggerResult.Already, third.Status);
        Assert.Equal(members.Count, done.Progress.Reached);
        // The counters are final once completed; only whether the timer loop has exited yet may still change.
        Assert.Equal(done.Progress with { FanOutRunning = false }, (await campaign.GetAsync())!.Progress with { FanOutRunning = false });
        var touches = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).ToList();
        Assert.Equal(touches.Count, touches.Select(t => t.MemberId).Distinct().Count());

        // A member asked again (as after a restart) answers from memory and touches nothing.
        var someone = touches[0].MemberId;
        var repeat = await cluster.Client.GetGrain<IMemberGrain>(someone).DeliverCampaignAsync(new CampaignDelivery
        {
            CampaignId = definition.Id, Group = CampaignGroups.Arm, Arm = "main", Channel = "push", ValidUntil = definition.ValidUntil,
        });
        Assert.True(repeat.Repeat);
        Assert.Equal(CampaignOutcomes.Sent, repeat.Outcome);
        Assert.Equal(touches.Count, cluster.Outbox.Sent.Count(t => t.CampaignId == definition.Id));
    }

    [Fact]
    public async Task CapsHoldAcrossTwoOverlappingCampaigns()
    {
        var scope = Scope();
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 300);
        var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
        var first = Broadcast(scope + "-first", Now, audience) with { ControlShare = 0.1 };
        var second = Broadcast(scope + "-second", Now, audience) with { ControlShare = 0.1, Channel = "sms" };

        await CreateAndRunAsync(cluster.Client, first);
        var secondDone = await CreateAndRunAsync(cluster.Client, second);

        var firstMemberships = await MembershipsAsync(cluster.Client, members, first.Id);
        var secondMemberships = await MembershipsAsync(cluster.Client, members, second.Id);
        var touchedByFirst = firstMemberships.Where(kv => kv.Value?.Outcome == CampaignOutcomes.Sent).Select(kv => kv.Key).ToHashSet();
        Assert.NotEmpty(touchedByFirst);

        // Marketing cap 1/day: whoever the first campaign touched today is deferred (to tomorrow) by the second.
        foreach (var id in touchedByFirst)
        {
            var m = secondMemberships[id]!;
            if (m.Group == CampaignGroups.Arm)
            {
                Assert.Contains(m.Outcome, new[] { CampaignOutcomes.Deferred, CampaignOutcomes.Suppressed });
            }
        }

        var today = cluster.Outbox.Sent.Where(t => t.MemberId.StartsWith(scope, StringComparison.Ordinal)).GroupBy(t => t.MemberId);
        Assert.All(today, g => Assert.Single(g.Select(t => t.TouchId).Distinct()));
        Assert.True(secondDone.Progress.Deferred > 0);

        // The second campaign reached members the first held out (its control, or the first one's global control is shared).
        // A member the first campaign touched and the second assigned to an arm (its control gets no decision at all).
        var inBoth = touchedByFirst.First(id => secondMemberships[id]?.Group == CampaignGroups.Arm);
        var view = await cluster.Client.GetGrain<IMemberGrain>(inBoth).GetTouchesAsync(10);
        Assert.Contains(view, t => t.CampaignId == second.Id && t.Decision == "deferred" && t.Reason.Contains("marketing cap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BudgetIsNeverExceeded()
    {
        var scope = Scope();
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 400);
        var definition = Broadcast(scope + "-budget", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }, unitCost: 60m) with
        {
            Budget = new CampaignBudget { MaxGrants = 40, MaxCost = 2000m },
        };

        var done = await CreateAndRunAsync(cluster.Client, definition);

        // 2000 / 60 = 33 grants at most, although maxGrants allows 40.
        var touches = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).Distinct().Count();
        Assert.InRange(touches, 1, 33);
        Assert.True(done.GrantsReserved <= 33);
        Assert.True(done.CostReserved <= 2000m);
        Assert.Equal(touches, done.Progress.Sent);
        Assert.Equal(done.GrantsReserved, done.Progress.Sent + done.Progress.Deferred);
        Assert.True(done.Progress.BudgetSkipped > 0);
        Assert.Equal(members.Count, done.Progress.Reached);
    }

    [Fact]
    public async Task ResultsCountConversionsWithinTheWindowAndMatchAnIndependentComputation()
    {
        var scope = Scope();
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 600);
        var definition = Broadcast(scope + "-results", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }, unitCost: 5m) with
        {
            ControlShare = 0.3,
            AttributionWindowDays = 7,
        };
        await CreateAndRunAsync(cluster.Client, definition);
        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);

        // Every third member buys 100 within the window, every seventh buys again; a purchase before assignment does not count.
        var buyers = members.Where((_, i) => i % 3 == 0).ToList();
        var assignedAt = memberships.Values.First(v => v is not null)!.AssignedAt;
        foreach (var (m, i) in buyers.Select((m, i) => (m, i)))
        {
            var grain = cluster.Client.GetGrain<IMemberGrain>(m.Id);
            await grain.ApplyEventAsync(Infrastructure.Events.Purchase(m.Id, m.Id + "-o1", 100m, assignedAt.AddMinutes(1)));
            if (i % 7 == 0)
            {
                await grain.ApplyEventAsync(Infrastructure.Events.Purchase(m.Id, m.Id + "-o2", 50m, assignedAt.AddMinutes(2)));
            }
        }

        var results = (await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).GetResultsAsync())!;

        // Independent computation from what each member recorded and what the test bought.
        var buyerIds = buyers.Select(b => b.Id).ToHashSet();
        var twice = buyers.Where((_, i) => i % 7 == 0).Select(b => b.Id).ToHashSet();
        (long N, long X, decimal Revenue) Group(Func<CampaignMembershipView, bool> inGroup)
        {
            var ids = memberships.Where(kv => kv.Value is not null && inGroup(kv.Value)).Select(kv => kv.Key).ToList();
            return (ids.Count, ids.Count(buyerIds.Contains), ids.Sum(id => buyerIds.Contains(id) ? (twice.Contains(id) ? 150m : 100m) : 0m));
        }

        var treated = Group(v => v.Group == CampaignGroups.Arm);
        var control = Group(v => v.Group == CampaignGroups.Control);
        var global = Group(v => v.Group == CampaignGroups.GlobalControl);
        var granted = memberships.Values.Count(v => v?.Outcome is CampaignOutcomes.Sent or CampaignOutcomes.Deferred);

        Assert.Equal(treated.N, results.Treated.Audience);
        Assert.Equal(treated.X, results.Treated.Converted);
        Assert.Equal(treated.Revenue, results.Treated.Revenue);
        Assert.Equal(control.N, results.Control.Audience);
        Assert.Equal(control.X, results.Control.Converted);
        Assert.Equal(global.N, results.GlobalControl.Audience);
        Assert.Equal(global.X, results.GlobalControl.Converted);
        Assert.Equal(granted * 5m, results.Treated.Cost);

        double p1 = (double)treated.X / treated.N, p0 = (double)control.X / control.N;
        var (low, high) = Engagement.Domain.Campaigns.CampaignMath.DifferenceInterval(treated.X, treated.N, control.X, control.N);
        Assert.Equal(p1, results.Treated.ConversionRate!.Value, 12);
        Assert.Equal(p1 - p0, results.Treated.Uplift!.Difference, 12);
        Assert.Equal(low, results.Treated.Uplift.Low, 12);
        Assert.Equal(high, results.Treated.Uplift.High, 12);
        Assert.Equal((double)((treated.Revenue - (granted * 5m)) / (granted * 5m)), results.Treated.Roi!.Value, 9);
        Assert.Single(results.Arms);
        Assert.Null(results.Control.Uplift);
    }
}
