using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The backed-up list's bound (<see cref="BackedUpMembers.MaxWaiting"/>, 500) through the campaign grain: a broadcast
/// whose pages meet more backed-up members than may wait lists the first 500 and gives the rest up at once, each counted
/// once (skipped = waiting + given up), logged as given up, holding no grant for any of them; the 500 are reached by the
/// retries once they take deliveries again, the given-up ones never are. The members refuse through
/// <see cref="Infrastructure.BackedUpDeliveries"/> (as a member past its outbox's byte bound refuses).
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class BackedUpBoundTests(CampaignClusterFixture cluster)
{
    [Fact]
    public async Task Backed_up_members_past_the_500_that_may_wait_are_given_up_counted_and_logged_and_the_500_are_reached_later()
    {
        var (members, backedUp, over, definition, campaign) = await BackedUpBroadcastAsync("bb", 560);
        Assert.InRange(over, 1, 60);
        var givenUpLine = new Regex($@"^Campaign {Regex.Escape(definition.Id)}: (\d+) backed-up members of a page given up: {BackedUpMembers.MaxWaiting} members already wait for a retry; not reached by this campaign \(the first: (.+)\)$");

        cluster.BackedUpDeliveries.BackUp(backedUp);
        try
        {
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            var waiting = await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && !v.Progress.FanOutRunning, "the pages");

            // Only the global control group reached; 500 wait, the rest given up, each counted once; no grant held for any of them.
            Assert.Equal(CampaignStatuses.Running, waiting.Status);
            Assert.Equal((560L, 560L - backedUp.Count, 0L), (waiting.Progress.Total!.Value, waiting.Progress.Reached, waiting.GrantsReserved));
            Assert.Equal((backedUp.Count, 0L, 500L, over), (waiting.Progress.BackedUpSkipped, waiting.Progress.BackedUpReachedLater, waiting.Progress.BackedUpWaiting, waiting.Progress.BackedUpGivenUp));
            var stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.BackedUp!;
            Assert.Equal(500, stored.Waiting.Select(m => m.MemberId).Distinct(StringComparer.Ordinal).Count(id => backedUp.Contains(id)));
            var warnings = cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: ");
            Assert.Equal(backedUp.Count, warnings.Count(l => l.Message.Contains("refused the delivery", StringComparison.Ordinal)));

            // Nothing promises a retry to anyone (a given-up member is not asked again); the given-up ones are logged one line a
            // page, the counts adding up to exactly those over the bound, the ids named being backed up and not waiting.
            Assert.DoesNotContain(warnings, l => l.Message.Contains("again later", StringComparison.Ordinal));
            var givenUp = warnings.Select(l => givenUpLine.Match(l.Message)).Where(m => m.Success).ToList();
            Assert.NotEmpty(givenUp);
            Assert.Equal(over, givenUp.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
            var named = givenUp.SelectMany(m => m.Groups[2].Value.Split(", ")).ToList();
            Assert.All(givenUp, m => Assert.Equal(Math.Min(5, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), m.Groups[2].Value.Split(", ").Length));
            Assert.All(named, id => Assert.True(backedUp.Contains(id) && !stored.Waiting.Exists(w => w.MemberId == id), id));
        }
        finally
        {
            cluster.BackedUpDeliveries.Drain(backedUp);
        }

        // They take deliveries again: the retries reach the 500 and the campaign completes; the given-up ones stay unreached.
        var listed = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.BackedUp!.Waiting.Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal);
        cluster.Time.Advance(TimeSpan.FromMinutes(2));
        await FanOutReminderAsync(campaign, cluster.Time);
        var done = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the retries");
        Assert.Equal((backedUp.Count, 500L, 0L, over, 560L), (done.Progress.BackedUpSkipped, done.Progress.BackedUpReachedLater, done.Progress.BackedUpWaiting, done.Progress.BackedUpGivenUp, done.Progress.Reached + over));
        var memberships = await MembershipsAsync(cluster.Client, members.Where(m => backedUp.Contains(m.Id)), definition.Id);
        Assert.Equal(listed.Order(StringComparer.Ordinal), memberships.Where(kv => kv.Value is not null).Select(kv => kv.Key).Order(StringComparer.Ordinal));
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.All(touched, id => Assert.Contains(id, listed));
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, done.GrantsReserved);
    }

    [Fact]
    public async Task The_checkpoint_that_gives_members_up_failing_once_each_given_up_member_is_counted_and_logged_once_whether_replayed_or_stored_by_the_next_write()
    {
        var (_, backedUp, over, definition, campaign) = await BackedUpBroadcastAsync("bf", 560);
        Assert.InRange(over, 1, 60);

        // The first checkpoint that would store given-up members fails: the writes after it are refused (the activation's
        // memory holds the unsaved page), and the reminder's next run, on what storage holds, replays it. Once each.
        cluster.Faults.FailFirstWriteWhere(definition.Id, state => state is CampaignGrainState { BackedUp.GivenUp: > 0 });
        cluster.BackedUpDeliveries.BackUp(backedUp);
        try
        {
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await PauseResumeTests.UntilAsync(campaign, _ => cluster.Faults.FailuresOf(definition.Id) == 1, "the failed checkpoint");
            await FanOutReminderAsync(campaign, cluster.Time);
            var waiting = await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && !v.Progress.FanOutRunning, "the replayed pages");

            // Counted once: every backed-up member skipped once, exactly those over the bound given up, and logged as given up once.
            Assert.Equal((backedUp.Count, 500L, over, 1), (waiting.Progress.BackedUpSkipped, waiting.Progress.BackedUpWaiting, waiting.Progress.BackedUpGivenUp, cluster.Faults.FailuresOf(definition.Id)));
            var givenUpLine = new Regex($@"^Campaign {Regex.Escape(definition.Id)}: (\d+) backed-up members of a page given up");
            var logged = cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: ").Select(l => givenUpLine.Match(l.Message)).Where(m => m.Success);
            Assert.Equal(over, logged.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
        }
        finally
        {
            cluster.BackedUpDeliveries.Drain(backedUp);
        }
    }

    [Fact]
    public async Task A_page_whose_failed_checkpoint_another_shards_checkpoint_follows_is_replayed_with_its_given_up_members_logged_once()
    {
        var (_, backedUp, over, definition, campaign) = await BackedUpBroadcastAsync("bs", 640);
        Assert.InRange(over, 61, 160); // more than a shard holds of them (16 shards): the list is full without the held one's

        // One shard's page is held at its delivering read (counting reads it first) while the other shards fill the list
        // and the first checkpoint giving members up fails; released then, the held page gives its members up too and
        // its checkpoint, the next write, is refused: its state holds the failed page, unsaved. Both pages are replayed.
        var held = cluster.IndexGate.HoldRead(backedUp.Min(StringComparer.Ordinal)!, 2);
        cluster.Faults.FailFirstWriteWhere(definition.Id, state => state is CampaignGrainState { BackedUp.GivenUp: > 0 });
        cluster.BackedUpDeliveries.BackUp(backedUp);
        try
        {
            Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
            Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
            await held.WaitAsync(TimeSpan.FromSeconds(60));
            await UntilAnswerAsync<string>(() => Task.FromResult<string?>(cluster.Faults.FailuresOf(definition.Id) == 1 ? "failed" : null), "the failed checkpoint");
        }
        finally
        {
            cluster.IndexGate.Release();
        }

        try
        {
            await UntilAnswerAsync<string>(() => Task.FromResult<string?>(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id} fan-out stopped").Count > 0 ? "stopped" : null), "the failed run's end");
            await FanOutReminderAsync(campaign, cluster.Time);
            var waiting = await PauseResumeTests.UntilAsync(campaign, v => v.Progress.ShardsDone == v.Progress.Shards && !v.Progress.FanOutRunning, "the pages");

            // The replayed pages' members refused again (each refusal is logged as it happens), yet each is counted once,
            // and the given-up ones are logged once in all: the lines of the unstored pages were never written.
            var warnings = cluster.Logs.Lines(LogLevel.Warning, $"Campaign {definition.Id}: ");
            Assert.True(warnings.Count(l => l.Message.Contains("refused the delivery", StringComparison.Ordinal)) > backedUp.Count, "the failed and the held page replayed");
            Assert.Equal((backedUp.Count, 500L, over, 1), (waiting.Progress.BackedUpSkipped, waiting.Progress.BackedUpWaiting, waiting.Progress.BackedUpGivenUp, cluster.Faults.FailuresOf(definition.Id)));
            var givenUpLine = new Regex($@"^Campaign {Regex.Escape(definition.Id)}: (\d+) backed-up members of a page given up");
            var logged = warnings.Select(l => givenUpLine.Match(l.Message)).Where(m => m.Success).ToList();
            Assert.True(logged.Count >= 2, $"{logged.Count} given-up lines: the failed page's and the held page's at least");
            Assert.Equal(over, logged.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
        }
        finally
        {
            cluster.BackedUpDeliveries.Drain(backedUp);
        }
    }

    /// <summary>
    /// <paramref name="count"/> members in regions of their own (<paramref name="prefix"/> and a fresh id), those outside
    /// the global control group to be backed up, how many of them are over the 500 that may wait, and a broadcast to all
    /// of them (no control share, a budget it never spends).
    /// </summary>
    private async Task<(IReadOnlyList<TestMember> Members, HashSet<string> BackedUp, int Over, CampaignDefinition Definition, ICampaignGrain Campaign)> BackedUpBroadcastAsync(string prefix, int count)
    {
        var scope = prefix + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var members = await CreateMembersAsync(cluster.Client, now, scope, count);
        var backedUp = members.Where(m => !m.GlobalControl).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
        var definition = Broadcast(scope + "-all", now, audience) with { ControlShare = 0, Budget = new CampaignBudget { MaxGrants = 100_000 } };
        return (members, backedUp, backedUp.Count - BackedUpMembers.MaxWaiting, definition, cluster.Client.GetGrain<ICampaignGrain>(definition.Id));
    }
}
