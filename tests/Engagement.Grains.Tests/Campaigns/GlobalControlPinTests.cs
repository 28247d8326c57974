using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A campaign's global control share is the one in force when it was created: a member's group never changes with the
/// setting (or between silos of a rolling restart with different settings), and a release gives back what its group held.
/// </summary>
public sealed class GlobalControlPinTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GrantsAndReleasesUseTheShareTheCampaignWasCreatedWithNotTheSettingNow()
    {
        var definition = CampaignDefinitions.Normalize(CampaignTestKit.Triggered("C-PIN", Now, "east", new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 100));
        var campaign = new CampaignGrainState();
        campaign.Create(definition, CampaignStatuses.Active, Now, globalControlPercent: 15);

        // The setting is 0 % now: with it, nobody would be global control.
        var grants = new TriggeredGrants(() => campaign, new CampaignOptions { GlobalControlPercent = 0 }, new FakeTimeProvider(Now), () => Task.CompletedTask, () => Task.CompletedTask, _ => Task.CompletedTask);
        var held = Enumerable.Range(0, 1000).Select(i => "M" + i).First(m => CampaignAssignment.IsGlobalControl(m, 15));

        var grant = await grants.RequestAsync(held);
        Assert.Equal(CampaignGroups.GlobalControl, grant.Group);
        Assert.Equal((1L, 0L), (campaign.Counters(CampaignGroups.GlobalControl).Audience, campaign.GrantsReserved));

        // Its write failed and the member leaves: the release takes back the global control count, no budget it never held.
        await grants.ReleaseAsync(held);
        Assert.Equal((0L, 0L), (campaign.Counters(CampaignGroups.GlobalControl).Audience, campaign.GrantsReserved));
    }
}
