using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;
using Engagement.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Campaigns;

/// <summary>
/// A broadcast's backed-up path on the engine's Azure storage (Azurite): grain state, reminders, ledger archive and
/// member index in tables of their own. One member's outbox backs up for real (the ledger archive down, long manual
/// adjustments until it refuses); the broadcast's page lists it, every checkpoint goes through the campaign's write gate
/// into the table provider's row (read back here by the engine's grain storage), the fan-out reminder is a row of the
/// Azure reminder table, and once the archive is back the retry reaches the member and the stored row completes.
/// Engine clock pinned (a <see cref="FakeTimeProvider"/> at 10:00 in Shanghai).
/// </summary>
public sealed class CampaignBackedUpOnAzuriteTests : IAsyncLifetime
{
    private readonly string _suffix = Azurite.UniqueName("cbu");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
    private readonly DownLedgerArchive _archive = new();
    private IHost? _host;

    private IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        // The engine's Azure ledger archive stood in for, down on demand.
        _host = CampaignAzuriteSilo.Build(_suffix, "cbu-" + _suffix, _clock, silo => _archive.StandIn(silo.Services));
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await AzuriteSilo.StopAsync(_host);
        await CampaignAzuriteSilo.DeleteAsync(_suffix);
    }

    [Fact]
    public async Task A_backed_up_member_is_listed_in_the_stored_row_and_reached_by_the_reminders_retry_once_the_archive_is_back()
    {
        var grains = Services.GetRequiredService<IGrainFactory>();
        var now = _clock.GetUtcNow();
        var region = "r" + _suffix;
        var ids = Enumerable.Range(0, 4).Select(i => $"cbu{_suffix[^8..]}-{i}").ToList();
        foreach (var id in ids)
        {
            var purchase = new EngagementEvent { EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = now.AddMinutes(-5), OrderId = id + "-o1", Amount = 200m, RegionId = region };
            Assert.Equal("applied", (await grains.GetGrain<IMemberGrain>(id).ApplyEventAsync(purchase)).Status);
        }

        // The first member backs up for real: the archive down (until the retry), its adjustments refused from the outbox's byte bound on.
        var backedUp = grains.GetGrain<IMemberGrain>(ids[0]);
        _archive.Down = true;
        Assert.NotNull(await LongAdjustments.UntilBackedUpAsync(backedUp));

        var definition = new CampaignDefinition
        {
            Id = "cbu-" + _suffix, Name = "Backed up on Azurite", Kind = CampaignKinds.Broadcast, Audience = new CampaignAudience { Regions = [region] },
            Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "SKIN500", UnitCost = 5m, Points = 500 }, Channel = "push",
            ValidFrom = now.AddHours(-1), ValidUntil = now.AddDays(3), ControlShare = 0, Budget = new CampaignBudget { MaxGrants = 100 },
        };
        var campaign = grains.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        var waiting = await UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && v.Progress.BackedUpWaiting == 1 && !v.Progress.FanOutRunning, "the pages");
        Assert.Equal((CampaignStatuses.Running, 4L, 3L, 1L), (waiting.Status, waiting.Progress.Total!.Value, waiting.Progress.Reached, waiting.Progress.BackedUpSkipped));

        // What the table holds, read back by the engine's grain storage: the member listed, due a minute on; no grant held for it.
        var stored = await ReadStoredAsync(campaign);
        var listed = Assert.Single(stored.BackedUp!.Waiting);
        Assert.Equal((ids[0], 1, now.AddMinutes(1)), (listed.MemberId, listed.Refusals, listed.NextAttemptAt));
        Assert.Equal((1L, 0L, null), (stored.BackedUp.Skipped, stored.BackedUp.ReachedLater, stored.BackedUp.InFlight));
        Assert.Equal(waiting.GrantsReserved, stored.Held().Grants);
        Assert.Equal(waiting.Progress.Sent + waiting.Progress.Deferred, stored.GrantsReserved);
        var reminders = Services.GetRequiredService<IReminderTable>();
        Assert.NotNull(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));

        // The archive is back and the member empties its outbox (a ledger read sends everything); its retry is due: the reminder's run reaches it.
        _archive.Down = false;
        await backedUp.GetLedgerAsync(new LedgerQuery { Limit = 1 });
        _clock.Advance(TimeSpan.FromMinutes(2));
        var at = _clock.GetUtcNow().UtcDateTime;
        await campaign.AsReference<IRemindable>().ReceiveReminder(CampaignGrain.FanOutReminder, new TickStatus(at, TimeSpan.FromMinutes(1), at));
        var done = await UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the retry");
        Assert.Equal((4L, 1L, 1L, 0L, 0L), (done.Progress.Reached, done.Progress.BackedUpSkipped, done.Progress.BackedUpReachedLater, done.Progress.BackedUpWaiting, done.Progress.BackedUpGivenUp));
        Assert.NotNull(await backedUp.GetCampaignMembershipAsync(definition.Id));

        var completed = await ReadStoredAsync(campaign);
        Assert.Equal((CampaignStatuses.Completed, 0, 1L, null), (completed.Status, completed.BackedUp!.Waiting.Count, completed.BackedUp.ReachedLater, completed.BackedUp.InFlight));
        Assert.Equal(done.GrantsReserved, completed.Held().Grants);
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, completed.GrantsReserved);
        Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));
    }

    [Fact]
    public async Task The_largest_backed_up_list_the_bound_allows_500_members_of_64_characters_is_stored_and_read_back_whole()
    {
        // The bound's worst case: 500 waiting members with the longest ids (64 characters), well over a 64 KB table property.
        var now = _clock.GetUtcNow();
        var backedUp = new BackedUpMembers();
        var ids = Enumerable.Range(0, BackedUpMembers.MaxWaiting).Select(i => $"m{i:D3}-{_suffix}-".PadRight(64, 'x')).ToList();
        Assert.All(ids, id => Assert.Equal(64, id.Length));
        Assert.All(ids, id => Assert.True(backedUp.Refused(id, now)));
        Assert.False(backedUp.Refused(new string('y', 64), now));
        var campaign = Services.GetRequiredService<IGrainFactory>().GetGrain<ICampaignGrain>("cbl-" + _suffix);
        var storage = Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
        var written = new TestGrainState<CampaignGrainState>(new CampaignGrainState { Status = CampaignStatuses.Running, BackedUp = backedUp });
        await storage.WriteStateAsync("campaign", campaign.GetGrainId(), written);

        var read = await ReadStoredAsync(campaign);
        Assert.Equal(ids, read.BackedUp!.Waiting.Select(m => m.MemberId));
        Assert.All(read.BackedUp.Waiting, m => Assert.Equal((1, now.AddMinutes(1)), (m.Refusals, m.NextAttemptAt)));
        Assert.Equal((501L, 1L, CampaignStatuses.Running), (read.BackedUp.Skipped, read.BackedUp.GivenUp, read.Status));
    }

    private async Task<CampaignGrainState> ReadStoredAsync(ICampaignGrain campaign) => (await CampaignAzuriteSilo.ReadStoredAsync(Services, campaign)).State;

    /// <summary>Polls the campaign (every 50 ms, up to 60 s) until <paramref name="condition"/> holds.</summary>
    private static Task<CampaignStatusView> UntilAsync(ICampaignGrain campaign, Func<CampaignStatusView, bool> condition, string what) =>
        Eventually.ReturnsAsync(async () => (await campaign.GetAsync())!, condition, TimeSpan.FromSeconds(60), what);
}
