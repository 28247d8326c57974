using Engagement.Contracts.Reports;
using Engagement.Grains.Ports;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Reports;

/// <summary>The win-back report counts each step on the programme's local day (Asia/Shanghai), as the other reports do.</summary>
[Collection(MemberClusterCollection.Name)]
public sealed class WinBackReportDayTests(MemberClusterFixture cluster)
{
    [Fact]
    public async Task AStepEarlyInTheShanghaiMorningCountsOnThatShanghaiDayNotOnThePreviousUtcDay()
    {
        // 07:30 in Shanghai on 11 June is 23:30 UTC on 10 June: grouped by UTC day, the step landed on 10 June.
        var shanghai = TimeSpan.FromHours(8);
        var morning = new DateTimeOffset(2025, 6, 11, 7, 30, 0, shanghai);
        var evening = new DateTimeOffset(2025, 6, 10, 23, 30, 0, shanghai);
        var member = MemberClusterFixture.NewMemberId();
        await cluster.Journal.AppendAsync(member, [
            new LifecycleJournalEntry(morning, LifecycleJournalEntry.LevelEntered, 1, morning.AddDays(-30)),
            new LifecycleJournalEntry(evening, LifecycleJournalEntry.Dormant, null, evening.AddDays(-60)),
        ]);
        var reports = cluster.Client.GetGrain<IReportsGrain>(0);

        var june10 = await reports.GetWinBackReportAsync(new DateOnly(2025, 6, 10), new DateOnly(2025, 6, 10));
        var june11 = await reports.GetWinBackReportAsync(new DateOnly(2025, 6, 11), new DateOnly(2025, 6, 11));

        Assert.Equal((0, 1), (june10.Levels.Single(l => l.Level == 1).Entered, june10.WentDormant));
        Assert.Equal((1, 0), (june11.Levels.Single(l => l.Level == 1).Entered, june11.WentDormant));
    }
}
