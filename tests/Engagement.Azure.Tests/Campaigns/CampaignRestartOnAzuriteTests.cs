using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Campaigns;

/// <summary>
/// A triggered campaign's budget reservation and counters on the engine's Azure table storage (Azurite) across a failed
/// write and a silo restart: a grant whose write the table refused (a real 412: another writer moved the row's ETag) is
/// neither answered from memory nor held, and after the restart (a new silo, a new activation reading the row) every
/// grant is held exactly once: a member's repeated request and a repeated outcome report count nothing twice, and the
/// budget stops at its last grant. Engine clock pinned (a <see cref="FakeTimeProvider"/> at 10:00 in Shanghai).
/// </summary>
public sealed class CampaignRestartOnAzuriteTests : IAsyncLifetime
{
    private readonly string _suffix = Azurite.UniqueName("crs");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
    private IHost? _host;

    private IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public Task InitializeAsync() => StartSiloAsync();

    public async Task DisposeAsync()
    {
        await AzuriteSilo.StopAsync(_host);
        await CampaignAzuriteSilo.DeleteAsync(_suffix);
    }

    [Fact]
    public async Task A_grant_the_table_refused_is_not_held_and_after_a_restart_each_grant_is_held_and_counted_exactly_once()
    {
        var now = _clock.GetUtcNow();
        var region = "r" + _suffix;
        var members = Enumerable.Range(0, 4).Select(i => $"crs{_suffix[^8..]}-{i}").ToList();
        var definition = new CampaignDefinition
        {
            Id = "crs-" + _suffix, Name = "Restart on Azurite", Kind = CampaignKinds.Triggered, Audience = new CampaignAudience { Regions = [region] },
            Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "SKIN500", UnitCost = 5m, Points = 500 }, Channel = "push",
            ValidFrom = now.AddHours(-1), ValidUntil = now.AddDays(5), ControlShare = 0, Budget = new CampaignBudget { MaxGrants = 3 },
            Trigger = new CampaignTrigger { EventType = EventTypes.Purchase },
        };
        var campaign = Campaign(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);

        // The first member is granted and confirms it (its first outcome report, sent once more as a retry would).
        var first = await campaign.RequestGrantAsync(members[0]);
        Assert.Equal(CampaignGroups.Arm, first.Group);
        var sent = new CampaignOutcomeReport { MemberId = members[0], Arm = first.Arm!, From = "", To = CampaignOutcomes.Sent, ReportId = members[0] + "-sent" };
        await campaign.ReportOutcomeAsync(sent);

        // Another writer moves the row's ETag: the campaign's next write, the second member's grant, is refused by the table.
        var row = await ReadStoredAsync(definition.Id);
        await Storage.WriteStateAsync("campaign", campaign.GetGrainId(), row);
        // The provider throws its 412 subclass (TableStorageUpdateConditionNotSatisfiedException) of InconsistentStateException.
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => campaign.RequestGrantAsync(members[1]));

        // Answered from what the table holds, not from the refused grant: one grant held, one member reached.
        var after = await Eventually.ReturnsAsync(() => ViewOrNullAsync(campaign), v => v is not null, TimeSpan.FromSeconds(60), "the campaign after the refused write");
        Assert.Equal((1L, 1L, 1L), (after!.GrantsReserved, after.Progress.Reached, after.Progress.Sent));
        Assert.Equal(1L, (await ReadStoredAsync(definition.Id)).State.Held().Grants);

        // The silo restarts: a new activation reads the row.
        await AzuriteSilo.StopAsync(_host);
        _host = null;
        await StartSiloAsync();
        campaign = Campaign(definition.Id);
        var restarted = (await campaign.GetAsync())!;
        Assert.Equal((CampaignStatuses.Active, 1L, 1L, 1L), (restarted.Status, restarted.GrantsReserved, restarted.Progress.Reached, restarted.Progress.Sent));

        // The retried report counts nothing; the second member's retried event is granted once; asking again repeats it.
        await campaign.ReportOutcomeAsync(sent);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[1])).Group);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[1])).Group);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(members[2])).Group);
        Assert.Equal("budget exhausted", (await campaign.RequestGrantAsync(members[3])).Reason);

        var view = (await campaign.GetAsync())!;
        var stored = (await ReadStoredAsync(definition.Id)).State;
        Assert.Equal((3L, 3L, 1L), (view.GrantsReserved, view.Progress.Reached, view.Progress.Sent));
        Assert.Equal((3L, 15m), (stored.Held().Grants, stored.Held().Cost));
        Assert.Equal([members[1], members[2]], stored.PendingGrants.Order(StringComparer.Ordinal));
    }

    private IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);

    private ICampaignGrain Campaign(string id) => Services.GetRequiredService<IGrainFactory>().GetGrain<ICampaignGrain>(id);

    /// <summary>A silo on the test's tables, same service id each time: a restart finds the rows the last one wrote.</summary>
    private async Task StartSiloAsync()
    {
        _host = CampaignAzuriteSilo.Build(_suffix, "crs-" + _suffix, _clock);
        await _host.StartAsync();
    }

    private Task<TestGrainState<CampaignGrainState>> ReadStoredAsync(string campaignId) => CampaignAzuriteSilo.ReadStoredAsync(Services, Campaign(campaignId));

    /// <summary>The campaign's view; null while the activation whose write failed refuses calls (it is deactivating).</summary>
    private static async Task<CampaignStatusView?> ViewOrNullAsync(ICampaignGrain campaign)
    {
        try
        {
            return await campaign.GetAsync();
        }
        catch (InconsistentStateException)
        {
            return null;
        }
    }
}
