using System.Globalization;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A synthetic member as the test generated it: the independent truth audiences are checked against.</summary>
public sealed record TestMember(string Id, string Region, string Tier, bool Vip)
{
    public bool GlobalControl => CampaignAssignment.IsGlobalControl(Id, CampaignClusterFixture.GlobalControlPercent);
}

/// <summary>Builds members and campaigns for campaign tests, and waits for fan-outs.</summary>
public static class CampaignTestKit
{
    /// <summary>
    /// Members with mixed attributes in regions <c>{scope}-east/west/north</c>: tier V3 (purchase 6,000), V2 (1,500) or
    /// V1 (200) by index, every fifth tagged <c>vip</c>.
    /// </summary>
    public static async Task<IReadOnlyList<TestMember>> CreateMembersAsync(IClusterClient client, DateTimeOffset now, string scope, int count)
    {
        string[] regions = ["east", "west", "north"];
        var members = Enumerable.Range(0, count).Select(i =>
        {
            var tier = (i % 4) switch { 0 => "V3", 1 => "V2", _ => "V1" };
            return new TestMember($"{scope}-{i.ToString("D5", CultureInfo.InvariantCulture)}", $"{scope}-{regions[i % 3]}", tier, i % 5 == 0);
        }).ToList();

        foreach (var chunk in members.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(async m =>
            {
                var grain = client.GetGrain<IMemberGrain>(m.Id);
                if (m.Vip)
                {
                    await grain.ApplyEventAsync(new EngagementEvent
                    {
                        EventId = m.Id + "-tags",
                        Type = EventTypes.ProfileUpdate,
                        MemberId = m.Id,
                        OccurredAt = now.AddHours(-2),
                        RegionId = m.Region,
                        Properties = new Dictionary<string, string> { ["tags"] = "vip" },
                    });
                }

                var amount = m.Tier switch { "V3" => 6000m, "V2" => 1500m, _ => 200m };
                await grain.ApplyEventAsync(new EngagementEvent
                {
                    EventId = m.Id + "-p0",
                    Type = EventTypes.Purchase,
                    MemberId = m.Id,
                    OccurredAt = now.AddHours(-1),
                    OrderId = m.Id + "-o0",
                    Amount = amount,
                    RegionId = m.Region,
                });
            }));
        }

        return members;
    }

    public static CampaignDefinition Broadcast(string id, DateTimeOffset now, CampaignAudience audience, decimal unitCost = 20m) => new()
    {
        Id = id,
        Name = "Test " + id,
        Kind = CampaignKinds.Broadcast,
        Audience = audience,
        Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "C-" + id, UnitCost = unitCost },
        Channel = "push",
        ValidFrom = now.AddHours(-1),
        ValidUntil = now.AddDays(3),
    };

    /// <summary>A triggered campaign on one region: 500 points (offer <c>SKIN500</c>, 5 CNY) by push, no control share, five days.</summary>
    public static CampaignDefinition Triggered(string id, DateTimeOffset now, string region, CampaignTrigger trigger, long? maxGrants = null) => new()
    {
        Id = id,
        Name = "Follow-up " + id,
        Kind = CampaignKinds.Triggered,
        Audience = new CampaignAudience { Regions = [region] },
        Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "SKIN500", UnitCost = 5m, Points = 500 },
        Channel = "push",
        ValidFrom = now.AddHours(-1),
        ValidUntil = now.AddDays(5),
        ControlShare = 0,
        Budget = new CampaignBudget { MaxGrants = maxGrants },
        Trigger = trigger,
    };

    /// <summary>
    /// Creates the <see cref="Triggered"/> campaign <paramref name="scope"/> on <paramref name="region"/> (asserting that it
    /// was created) and returns it with its buyer (<see cref="ArmBuyer"/>).
    /// </summary>
    public static async Task<(CampaignDefinition Definition, ICampaignGrain Campaign, string Buyer)> CreateTriggeredAsync(
        IClusterClient client, string scope, DateTimeOffset now, string region, CampaignTrigger trigger)
    {
        var definition = Triggered(scope, now, region, trigger);
        var campaign = client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        return (definition, campaign, ArmBuyer(scope));
    }

    /// <summary>
    /// The first of <c>{scope}-0</c> … <c>{scope}-39</c> outside the global control group: a purchase that meets a
    /// triggered campaign's trigger puts this member in its arm (<see cref="Triggered"/> has no control share of its own).
    /// </summary>
    public static string ArmBuyer(string scope) => ArmBuyers(scope).First();

    /// <summary>The ids <c>{scope}-0</c> … <c>{scope}-{count - 1}</c> outside the global control group, in that order (see <see cref="ArmBuyer"/>).</summary>
    public static IEnumerable<string> ArmBuyers(string scope, int count = 40) =>
        Enumerable.Range(0, count).Select(i => $"{scope}-{i}").Where(id => !new TestMember(id, "", "V1", false).GlobalControl);

    public static async Task<CampaignStatusView> CreateAndRunAsync(IClusterClient client, CampaignDefinition definition)
    {
        var campaign = client.GetGrain<ICampaignGrain>(definition.Id);
        var created = await campaign.CreateAsync(definition);
        Assert.True(created.Status == CampaignCreateResult.Created, created.Status + ": " + string.Join("; ", created.Errors.Select(e => e.Field + " " + e.Message)));
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        return await UntilCompletedAsync(campaign);
    }

    /// <summary>Delivers the campaign's fan-out reminder now (the engine clock's instant, as the reminder service would).</summary>
    public static Task FanOutReminderAsync(ICampaignGrain campaign, TimeProvider time)
    {
        var at = time.GetUtcNow().UtcDateTime;
        return campaign.AsReference<IRemindable>().ReceiveReminder(CampaignGrain.FanOutReminder, new TickStatus(at, TimeSpan.FromMinutes(1), at));
    }

    /// <summary>Polls <paramref name="condition"/> (every 50 ms, up to 60 s) until it answers non-null, and returns that answer.</summary>
    public static async Task<T> UntilAnswerAsync<T>(Func<Task<T?>> condition, string what)
        where T : class
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            if (await condition() is { } answer)
            {
                return answer;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{what}: not within 60 s");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    public static async Task<CampaignStatusView> UntilCompletedAsync(ICampaignGrain campaign, TimeSpan? within = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var view = await campaign.GetAsync();
            if (view?.Status == CampaignStatuses.Completed)
            {
                return view;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > (within ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"campaign not completed: {view?.Status} {view?.Progress}");
            }

            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>The campaign's results once <paramref name="done"/> holds (reports travel through the member's outbox), or at a 10 s deadline.</summary>
    public static async Task<CampaignResults> ResultsWhenAsync(ICampaignGrain campaign, Func<CampaignResults, bool> done)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            var results = (await campaign.GetResultsAsync())!;
            if (done(results) || System.Diagnostics.Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                return results;
            }

            await timer.WaitForNextTickAsync();
        }
    }

    public static async Task<Dictionary<string, CampaignMembershipView?>> MembershipsAsync(IClusterClient client, IEnumerable<TestMember> members, string campaignId)
    {
        var result = new Dictionary<string, CampaignMembershipView?>(StringComparer.Ordinal);
        foreach (var chunk in members.Chunk(128))
        {
            var views = await Task.WhenAll(chunk.Select(m => client.GetGrain<IMemberGrain>(m.Id).GetCampaignMembershipAsync(campaignId)));
            for (var i = 0; i < chunk.Length; i++)
            {
                result[chunk[i].Id] = views[i];
            }
        }

        return result;
    }
}
