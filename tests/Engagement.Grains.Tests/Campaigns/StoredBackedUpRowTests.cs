using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A campaign stored paused with backed-up members waiting and a retry in flight (the pinned row
/// <c>CampaignGrainState.paused-backed-up</c>, its in-flight member a real one, its window moved to the fixture's clock),
/// activated from storage: past its window it is ended, the retry's held grant released when its member never took it
/// and counted (not released) when it did, the waiting members given up once, and the member touched at most once; inside
/// its window it gets the reminder that ends it at <c>validUntil</c> (a row paused by older code has none).
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class StoredBackedUpRowTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task A_paused_row_activated_past_its_window_releases_the_retry_grant_its_member_never_took_and_gives_the_rest_up_once()
    {
        var (campaign, definition, member, row) = await StoreRowAsync(cluster, "sr");
        cluster.Time.Advance(TimeSpan.FromMinutes(2)); // past validUntil

        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the activation past the window");

        // The member has nothing: the grant held for it goes back; the three waiting are given up once (1 before + 3).
        Assert.Equal((5L, 1L, 0L, 4L), (ended.Progress.BackedUpSkipped, ended.Progress.BackedUpReachedLater, ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
        var stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!;
        Assert.Equal((null, 0L, 0m), (stored.BackedUp!.InFlight, stored.BackedUp.InFlightGrants, stored.BackedUp.InFlightCost));
        Assert.Equal((row.GrantsReserved, row.CostReserved), (stored.Held().Grants, stored.Held().Cost));
        Assert.Equal(row.GrantsReserved, ended.GrantsReserved);
        Assert.Null((await MembershipsAsync(cluster.Client, [member], definition.Id))[member.Id]);
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.CampaignId == definition.Id);

        // Exactly once: a later reminder and a refused resume change nothing.
        await FanOutReminderAsync(campaign, cluster.Time);
        Assert.Equal(CampaignControlResult.Refused, (await campaign.ResumeAsync()).Status);
        var after = await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the later reminder");
        Assert.Equal((1L, 4L, row.GrantsReserved), (after.Progress.BackedUpReachedLater, after.Progress.BackedUpGivenUp, after.GrantsReserved));
        Assert.Equal(row.GrantsReserved, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Held().Grants);
    }

    [Fact]
    public async Task A_paused_row_activated_past_its_window_counts_the_retry_grant_its_member_took_without_releasing_or_granting_again()
    {
        var (campaign, definition, member, row) = await StoreRowAsync(cluster, "st");

        // The retry reached the member and it took the grant; the checkpoint was never written (the row still has it in flight).
        var planned = CampaignMapping.Plan(definition, member.Id, row.GlobalControlPercentOr(CampaignClusterFixture.GlobalControlPercent));
        planned.Reserved = true;
        var took = await cluster.Client.GetGrain<IMemberGrain>(member.Id).DeliverCampaignAsync(CampaignMapping.DeliveryFor(definition, planned));
        Assert.True(took.Outcome is CampaignOutcomes.Sent or CampaignOutcomes.Deferred, took.Outcome);
        var touchedBefore = cluster.Outbox.Sent.Count(t => t.CampaignId == definition.Id);
        Assert.InRange(touchedBefore, 0, 1);

        cluster.Time.Advance(TimeSpan.FromMinutes(2)); // past validUntil
        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the activation past the window");

        // Asked only what it has: counted as reached later, its grant kept as counted (not released, not held twice).
        Assert.Equal((5L, 2L, 0L, 3L), (ended.Progress.BackedUpSkipped, ended.Progress.BackedUpReachedLater, ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
        var stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!;
        Assert.Equal((null, 0L), (stored.BackedUp!.InFlight, stored.BackedUp.InFlightGrants));
        Assert.Equal(row.GrantsReserved + 1, stored.GrantsReserved);
        Assert.Equal(stored.GrantsReserved, stored.Held().Grants);
        Assert.NotNull((await MembershipsAsync(cluster.Client, [member], definition.Id))[member.Id]);
        Assert.Equal(touchedBefore, cluster.Outbox.Sent.Count(t => t.CampaignId == definition.Id && t.MemberId == member.Id));

        await FanOutReminderAsync(campaign, cluster.Time);
        var after = await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the later reminder");
        Assert.Equal((2L, 3L, row.GrantsReserved + 1), (after.Progress.BackedUpReachedLater, after.Progress.BackedUpGivenUp, after.GrantsReserved));
    }

    [Fact]
    public async Task A_paused_row_activated_inside_its_window_gets_the_reminder_due_when_its_window_ends()
    {
        var (campaign, definition, _, row) = await StoreRowAsync(cluster, "sw", windowLeft: TimeSpan.FromMinutes(30));
        var reminders = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<IReminderTable>();
        Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));

        var view = (await campaign.GetAsync())!; // activates it from the row
        Assert.Equal((CampaignStatuses.Paused, 3L), (view.Status, view.Progress.BackedUpWaiting));
        var reminder = await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder);
        Assert.NotNull(reminder);
        Assert.Equal(TimeSpan.FromMinutes(1), reminder.Period);

        // Its window ends while nothing else calls it: the reminder's run ends it, the in-flight grant released.
        cluster.Time.Advance(TimeSpan.FromMinutes(31));
        await FanOutReminderAsync(campaign, cluster.Time);
        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the window's end");
        Assert.Equal((0L, 4L), (ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
        Assert.Equal(row.GrantsReserved, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Held().Grants);
        Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));
    }

    /// <summary>
    /// Writes the pinned row as a new campaign's stored state (not activated yet): a broadcast over fresh members ending
    /// <paramref name="windowLeft"/> (1 min unless given) after the fixture's clock, the retry in flight (<c>m-0108</c>'s)
    /// given to a real arm member.
    /// </summary>
    internal static async Task<(ICampaignGrain Campaign, CampaignDefinition Definition, TestMember Member, CampaignGrainState Row)> StoreRowAsync(
        CampaignClusterFixture cluster, string prefix, TimeSpan? windowLeft = null)
    {
        var scope = prefix + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var members = await CreateMembersAsync(cluster.Client, now, scope, 6);
        var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
        var definition = CampaignDefinitions.Normalize(Broadcast(scope + "-row", now, audience) with
        {
            ControlShare = 0, ValidUntil = now + (windowLeft ?? TimeSpan.FromMinutes(1)), Budget = new CampaignBudget { MaxGrants = 100_000 },
        });
        var row = new JsonGrainStateSerializer().Deserialize<CampaignGrainState>(new BinaryData(StoredStateRowsTests.Row("CampaignGrainState.paused-backed-up")));
        var member = members.First(m => !m.GlobalControl && CampaignMapping.Plan(definition, m.Id, row.GlobalControlPercentOr(CampaignClusterFixture.GlobalControlPercent)).IsArm);
        row.Definition = definition;
        row.BackedUp!.Waiting.Single(m => m.MemberId == row.BackedUp.InFlight).MemberId = member.Id;
        row.BackedUp.InFlight = member.Id;
        Assert.Equal(row.GrantsReserved + 1, row.Held().Grants); // the retry's grant is held

        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
        await storage.WriteStateAsync("campaign", campaign.GetGrainId(), new GrainState<CampaignGrainState> { State = row });
        return (campaign, definition, member, row);
    }
}
