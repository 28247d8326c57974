using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A paused broadcast activated inside its window registers its window-end reminder; when the reminder table refuses
/// the write (<see cref="StorageFault.Reminder"/> on the table the silo's reminder service writes through), the activation
/// still succeeds, the failure is logged at Warning and a grain timer tries again a minute later (engine clock: this
/// fixture runs the campaign grains' timers on it), as often as it takes; once the table takes the row it holds the
/// reminder, due at the window's end, and a run of that reminder (delivered here by the test, as the silo would deliver
/// it) ends the campaign.
/// </summary>
[Collection(EngineClockTimersCollection.Name)]
public sealed class WindowEndReminderRetryTests(EngineClockTimersFixture cluster)
{
    [Fact]
    public async Task A_paused_broadcasts_window_end_reminder_refused_at_activation_is_retried_each_minute_until_registered_and_then_ends_it()
    {
        var (campaign, definition, _, row) = await StoredBackedUpRowTests.StoreRowAsync(cluster, "rr", windowLeft: TimeSpan.FromMinutes(30));
        var reminders = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<IReminderTable>();
        var failed = $"Campaign {definition.Id} is paused and its window-end reminder could not be registered";
        cluster.Faults.Fail(definition.Id, StorageFault.Reminder);
        try
        {
            // The activation survives the refused reminder: readable and paused, the failure logged once.
            var view = (await campaign.GetAsync())!;
            Assert.Equal((CampaignStatuses.Paused, 3L), (view.Status, view.Progress.BackedUpWaiting));
            Assert.Single(cluster.Logs.Lines(LogLevel.Warning, failed));
            Assert.Equal(1, cluster.Faults.FailuresOf(definition.Id));
            Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));

            // A minute later its timer tries again; the table still refuses: logged again, and tried again after that.
            cluster.Time.Advance(TimeSpan.FromMinutes(1));
            await UntilAnswerAsync(() => Task.FromResult(cluster.Logs.Lines(LogLevel.Warning, failed).Count == 2 ? failed : null), "the first retry");
            Assert.Equal(2, cluster.Faults.FailuresOf(definition.Id));
            Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));
        }
        finally
        {
            cluster.Faults.Heal(definition.Id);
        }

        // The table takes writes again: the next retry registers the reminder, due at the window's end (28 minutes on), every minute after.
        var before = DateTime.UtcNow;
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var reminder = await UntilAnswerAsync(() => reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder), "the retry after the table healed");
        var after = DateTime.UtcNow;
        Assert.Equal(TimeSpan.FromMinutes(1), reminder.Period);
        Assert.InRange(reminder.StartAt, before + TimeSpan.FromMinutes(28), after + TimeSpan.FromMinutes(28));
        Assert.Equal((2, 2), (cluster.Logs.Lines(LogLevel.Warning, failed).Count, cluster.Faults.FailuresOf(definition.Id)));

        // Its window ends while nothing else calls it: the reminder's run ends it, the in-flight grant released, the reminder gone.
        cluster.Time.Advance(TimeSpan.FromMinutes(29));
        await FanOutReminderAsync(campaign, cluster.Time);
        var ended = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Ended && !v.Progress.FanOutRunning, "the window's end");
        Assert.Equal((0L, 4L), (ended.Progress.BackedUpWaiting, ended.Progress.BackedUpGivenUp));
        Assert.Equal(row.GrantsReserved, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.Held().Grants);
        Assert.Null(await reminders.ReadRow(campaign.GetGrainId(), CampaignGrain.FanOutReminder));
        Assert.Equal(2, cluster.Logs.Lines(LogLevel.Warning, failed).Count);
    }
}
