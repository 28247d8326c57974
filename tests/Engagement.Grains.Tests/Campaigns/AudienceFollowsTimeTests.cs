using System.Globalization;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// Issue 9 §6: the member index follows segments and stages that move by time alone, and §5 for campaign deliveries.
/// Default RFM cut-offs: recency score 3 up to 180 days, 2 up to 365, 1 beyond (CONTRACT.md §2).
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class AudienceFollowsTimeTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task MembersWhoWentQuietNinetyDaysAgoAreReachedByACampaignForHibernatingAndLostAndActiveOnesAreNot()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // the collection's clock is shared: start at 10:00 in Shanghai, whatever hour the tests before left
        var scope = "q" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-r";

        // Each bought once (100 CNY, F=1 M=1). 150 days ago: "About to Sleep" now, "Hibernating" from day 31.
        // 300 days ago: "Hibernating" now, "Lost" from day 66. Their stage and lots settle in the first days,
        // so from then on only the clock moves their segment. The active ones buy again on days 30, 60 and 85.
        var sleepy = Members(scope, "s", 100);
        var lost = Members(scope, "l", 100);
        var active = Members(scope, "a", 100);
        await BuyAsync(sleepy, region, _ => Now.AddDays(-150), "o0");
        await BuyAsync(lost, region, _ => Now.AddDays(-300), "o0");
        await BuyAsync(active, region, _ => Now.AddHours(-1), "o0");
        var everyone = sleepy.Concat(lost).Concat(active).ToList();

        var before = await SegmentsAsync(everyone);
        Assert.All(sleepy, id => Assert.Equal("About to Sleep", before[id]));
        Assert.All(lost, id => Assert.Equal("Hibernating", before[id]));

        for (var day = 1; day <= 90; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1)); // stays 10:00 in Shanghai
            if (day is 30 or 60 or 85)
            {
                await BuyAsync(active, region, _ => Now.AddMinutes(-1), "o" + day.ToString(CultureInfo.InvariantCulture));
            }

            await TickAsync(everyone);
        }

        var after = await SegmentsAsync(everyone);
        Assert.All(sleepy, id => Assert.Equal("Hibernating", after[id]));
        Assert.All(lost, id => Assert.Equal("Lost", after[id]));
        Assert.All(active, id => Assert.DoesNotContain(after[id], new[] { "Hibernating", "Lost" }));

        var quiet = Broadcast(scope + "-quiet", Now, new CampaignAudience { Segments = ["Hibernating", "Lost"], Regions = [region] });
        var quietDone = await CreateAndRunAsync(cluster.Client, quiet);
        Assert.Equal(Sorted(sleepy.Concat(lost)), await ReachedAsync(everyone, quiet.Id));
        Assert.Equal(200, quietDone.Progress.Total);
        Assert.Equal(0, quietDone.Progress.Ineligible);

        var lostOnly = Broadcast(scope + "-lost", Now, new CampaignAudience { Segments = ["Lost"], Regions = [region] });
        var lostDone = await CreateAndRunAsync(cluster.Client, lostOnly);
        Assert.Equal(Sorted(lost), await ReachedAsync(everyone, lostOnly.Id));
        Assert.Equal(100, lostDone.Progress.Total);
        Assert.Equal(0, lostDone.Progress.Ineligible);
    }

    [Fact]
    public async Task TickThatChangesNoIndexedAttributeWritesNothing()
    {
        var scope = "t" + Guid.NewGuid().ToString("N")[..8];
        var id = Members(scope, "m", 1)[0];
        await BuyAsync([id], scope + "-r", _ => Now.AddMinutes(-1), "o0");
        var writes = cluster.Faults.WritesOf(id);

        await TickAsync([id]);
        await TickAsync([id]);

        Assert.Equal(writes, cluster.Faults.WritesOf(id));
    }

    [Fact]
    public async Task DeliveryWhoseWriteFailedIsNotAnsweredAsARepeatAndTheRetryTouchesOnce()
    {
        var scope = "d" + Guid.NewGuid().ToString("N")[..8];
        var id = Members(scope, "m", 1)[0];
        await BuyAsync([id], scope + "-r", _ => Now.AddMinutes(-1), "o0");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var delivery = new CampaignDelivery
        {
            CampaignId = scope + "-c", Group = CampaignGroups.Arm, Arm = "main", Channel = "push", ValidUntil = Now.AddDays(3),
        };

        cluster.Faults.Fail(id, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.DeliverCampaignAsync(delivery));
        cluster.Faults.Heal(id);
        Assert.Null(await member.GetCampaignMembershipAsync(delivery.CampaignId));

        var retried = await member.DeliverCampaignAsync(delivery);

        Assert.False(retried.Repeat);
        Assert.Equal(CampaignOutcomes.Sent, retried.Outcome);
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id && t.CampaignId == delivery.CampaignId);
        Assert.Contains(cluster.Faults.Stored<MemberGrainState>(id)!.Member.Campaigns.Memberships, m => m.CampaignId == delivery.CampaignId);
    }

    private static List<string> Members(string scope, string group, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{scope}-{group}{i.ToString("D3", CultureInfo.InvariantCulture)}")];

    private static List<string> Sorted(IEnumerable<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    private async Task BuyAsync(IReadOnlyList<string> ids, string region, Func<string, DateTimeOffset> at, string order)
    {
        foreach (var chunk in ids.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(id => cluster.Client.GetGrain<IMemberGrain>(id).ApplyEventAsync(
                Events.Purchase(id, $"{id}-{order}", 100m, at(id)) with { RegionId = region })));
        }
    }

    private async Task TickAsync(IReadOnlyList<string> ids)
    {
        var now = Now.UtcDateTime;
        foreach (var chunk in ids.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(id => cluster.Client.GetGrain<IMemberGrain>(id).AsReference<IRemindable>()
                .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now))));
        }
    }

    private async Task<Dictionary<string, string>> SegmentsAsync(IReadOnlyList<string> ids)
    {
        var views = await Task.WhenAll(ids.Select(id => cluster.Client.GetGrain<IMemberGrain>(id).GetViewAsync()));
        return ids.Zip(views, (id, v) => (id, v!.Rfm.Segment)).ToDictionary(p => p.id, p => p.Segment, StringComparer.Ordinal);
    }

    /// <summary>Members the campaign assigned (arm, control or global control); an ineligible one has group <c>none</c>.</summary>
    private async Task<List<string>> ReachedAsync(IReadOnlyList<string> ids, string campaignId)
    {
        var memberships = await MembershipsAsync(cluster.Client, ids.Select(id => new TestMember(id, "", "", false)), campaignId);
        return Sorted(memberships.Where(kv => kv.Value is { } m && m.Group != CampaignGroups.None).Select(kv => kv.Key));
    }
}
