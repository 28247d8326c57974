using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>The lifecycle reminder's tick through the grain, with the engine clock moved by a FakeTimeProvider.</summary>
[Collection(MemberClusterCollection.Name)]
public sealed class MemberLifecycleTests(MemberClusterFixture cluster)
{
    [Fact]
    public async Task QuietMemberIsWonBackInStepsAndTheTouchesReachTheOutbox()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // each day's tick outside quiet hours, whatever the tests before left
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var lastActivity = cluster.Time.GetUtcNow();
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, lastActivity.AddMinutes(-1)));

        var sentOnDay = new Dictionary<string, int>();
        string? stageOnDay61 = null;
        for (var day = 1; day <= 70; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(id);
            foreach (var touch in cluster.Outbox.Sent.Where(t => t.MemberId == id && t.Kind.StartsWith("winback.", StringComparison.Ordinal)))
            {
                sentOnDay.TryAdd(touch.Kind, day);
            }

            if (day == 61)
            {
                stageOnDay61 = (await member.GetViewAsync())!.LifecycleStage;
            }
        }

        Assert.Equal(30, sentOnDay["winback.l1"]);
        Assert.Equal(38, sentOnDay["winback.l2"]);
        Assert.Equal(46, sentOnDay["winback.l3"]);
        Assert.Equal("dormant", stageOnDay61);
        Assert.Equal(3, cluster.Outbox.Sent.Count(t => t.MemberId == id));

        var timeline = await member.GetTouchesAsync(50);
        Assert.All(timeline.Where(t => t.Kind.StartsWith("winback.", StringComparison.Ordinal)), t => Assert.Equal("sent", t.Decision));
    }

    [Fact]
    public async Task ActivityDuringLevelTwoEndsTheFlowAndCountsAsWonBackAtLevelTwo()
    {
        MemberTicks.ToTenInShanghai(cluster.Time);
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, cluster.Time.GetUtcNow().AddMinutes(-1)));
        var from = DateOnly.FromDateTime(cluster.Time.GetUtcNow().UtcDateTime);

        for (var day = 1; day <= 40; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(id);
        }

        Assert.Equal(2, (await member.GetViewAsync())!.WinBackLevel);
        await member.ApplyEventAsync(Events.Of(EventTypes.Login, id, cluster.Time.GetUtcNow().AddMinutes(-1)));
        for (var day = 41; day <= 50; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(id);
        }

        var view = await member.GetViewAsync();
        Assert.Equal(0, view!.WinBackLevel);
        Assert.Equal("active", view.LifecycleStage);
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id && t.Kind == "winback.l3");

        var report = await cluster.Client.GetGrain<Engagement.Contracts.Reports.IReportsGrain>(0)
            .GetWinBackReportAsync(from, DateOnly.FromDateTime(cluster.Time.GetUtcNow().UtcDateTime));
        Assert.True(report.Levels.Single(l => l.Level == 2).WonBack >= 1);
        Assert.True(report.Levels.Single(l => l.Level == 1).Entered >= 1);
    }

    [Fact]
    public async Task PointsLotExpiresOnItsExactDayAndItsNoticeWentOutThirtyDaysBefore()
    {
        MemberTicks.ToTenInShanghai(cluster.Time); // the notice goes out on its day, not held by quiet hours
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var purchasedAt = cluster.Time.GetUtcNow();
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, purchasedAt));
        var expiresAt = (await member.GetViewAsync())!.PointsLots.Single().ExpiresAt;
        Assert.Equal(purchasedAt.AddMonths(12), expiresAt);

        int? noticeDay = null, expiredDay = null;
        for (var day = 1; cluster.Time.GetUtcNow() < expiresAt; day++)
        {
            cluster.Time.Advance(TimeSpan.FromDays(1));
            await TickAsync(id);
            if (noticeDay is null && cluster.Outbox.Sent.Any(t => t.MemberId == id && t.Kind == "points.expiry-notice"))
            {
                noticeDay = day;
            }

            if (expiredDay is null && (await member.GetViewAsync())!.PointsBalance == 0)
            {
                expiredDay = day;
            }
        }

        var lifetimeDays = (int)(expiresAt - purchasedAt).TotalDays;
        Assert.Equal(lifetimeDays, expiredDay);
        Assert.Equal(lifetimeDays - 30, noticeDay);
        var expiry = (await member.GetLedgerAsync(new LedgerQuery { Kind = "points", Limit = 1 })).Entries.Single();
        Assert.Equal("points.expire", expiry.RuleId);
        Assert.Equal(-600, expiry.Delta);
        Assert.Equal(expiresAt, expiry.At);
    }

    [Fact]
    public async Task TickOfASettledMemberDecidesNothingAndSendsNothing()
    {
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, cluster.Time.GetUtcNow().AddMinutes(-1)));
        var before = await member.GetViewAsync();

        await TickAsync(id);
        await TickAsync(id);

        var after = await member.GetViewAsync();
        Assert.Equal(before!.PointsBalance, after!.PointsBalance);
        Assert.Equal(before.LifecycleStage, after.LifecycleStage);
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id);
    }

    [Fact]
    public async Task LiveViewIsAsOfNowEvenWhenNoReminderHasFired()
    {
        // CONTRACT.md §1.1: expired lots gone, an ended tier grace applied, the stage of this moment, before any tick.
        var id = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var purchasedAt = cluster.Time.GetUtcNow().AddMinutes(-1);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 1500m, purchasedAt));
        Assert.Equal("V2", (await member.GetViewAsync())!.Tier);

        cluster.Time.Advance(TimeSpan.FromDays(31));
        var quiet = (await member.GetViewAsync())!;
        Assert.Equal("at_risk", quiet.LifecycleStage);
        Assert.Equal(1, quiet.WinBackLevel);

        cluster.Time.SetUtcNow(purchasedAt.AddMonths(12).AddDays(1));
        var expired = (await member.GetViewAsync())!;
        Assert.Equal(0, expired.PointsBalance);
        Assert.Empty(expired.PointsLots);
        Assert.Equal("dormant", expired.LifecycleStage);

        await TickAsync(id); // growth has aged out: the V2 grace starts now
        var graceUntil = (await member.GetViewAsync())!.TierGraceUntil;
        Assert.NotNull(graceUntil);
        cluster.Time.SetUtcNow(MemberTicks.TenInShanghaiFrom(graceUntil.Value.AddMinutes(1))); // past the grace, at 10:00: the clock is shared
        var afterGrace = (await member.GetViewAsync())!;
        Assert.Equal("V1", afterGrace.Tier);

        await TickAsync(id);
        var ticked = (await member.GetViewAsync())!;
        Assert.Equal(afterGrace.Tier, ticked.Tier);
        Assert.Equal(afterGrace.PointsBalance, ticked.PointsBalance);
        Assert.Equal(afterGrace.LifecycleStage, ticked.LifecycleStage);
    }

    private Task TickAsync(string memberId)
    {
        var now = cluster.Time.GetUtcNow().UtcDateTime;
        return cluster.Client.GetGrain<IMemberGrain>(memberId).AsReference<IRemindable>()
            .ReceiveReminder(MemberGrain.LifecycleReminder, new TickStatus(now, TimeSpan.FromDays(1), now));
    }
}
