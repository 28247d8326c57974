using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Reports;

/// <summary>The win-back report's arithmetic over journal rows (no cluster).</summary>
public sealed class LifecycleJournalSummaryTests
{
    private static readonly DateOnly Day = new(2026, 3, 7);

    [Fact]
    public async Task ADormancyWithdrawnByLateL3ActivityIsNotCountedAsDormantAndTheWinIs()
    {
        var journal = new InMemoryLifecycleJournal();
        var episode = new DateTimeOffset(2026, 2, 4, 10, 0, 0, TimeSpan.FromHours(8));
        var dormantAt = episode.AddDays(31);
        await journal.AppendAsync("M1",
        [
            new LifecycleJournalEntry(episode, LifecycleJournalEntry.LevelEntered, 1, episode),
            new LifecycleJournalEntry(episode.AddDays(8), LifecycleJournalEntry.LevelEntered, 2, episode),
            new LifecycleJournalEntry(episode.AddDays(16), LifecycleJournalEntry.LevelEntered, 3, episode),
            new LifecycleJournalEntry(dormantAt, LifecycleJournalEntry.Dormant, 3, episode),
        ]);
        await journal.AppendAsync("M1",
        [
            new LifecycleJournalEntry(dormantAt, LifecycleJournalEntry.DormantWithdrawn, 3, episode),
            new LifecycleJournalEntry(episode.AddDays(28), LifecycleJournalEntry.WonBack, 3, episode),
        ]);

        var report = await journal.ReportAsync(DateOnly.FromDateTime(episode.UtcDateTime), Day, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

        Assert.Equal(0, report.WentDormant);
        Assert.Equal(1, report.Levels.Single(l => l.Level == 3).WonBack);
        Assert.Equal(1.0, report.WinBackRate);
    }

    [Fact]
    public async Task AWinBackWithdrawnByLateL1ActivityCountsOnceAtL1()
    {
        var journal = new InMemoryLifecycleJournal();
        var episode = new DateTimeOffset(2026, 2, 4, 10, 0, 0, TimeSpan.FromHours(8));
        var wonAtL2 = episode.AddDays(9);
        await journal.AppendAsync("M1",
        [
            new LifecycleJournalEntry(episode, LifecycleJournalEntry.LevelEntered, 1, episode),
            new LifecycleJournalEntry(episode.AddDays(7), LifecycleJournalEntry.LevelEntered, 2, episode),
            new LifecycleJournalEntry(wonAtL2, LifecycleJournalEntry.WonBack, 2, episode),
        ]);
        await journal.AppendAsync("M1",
        [
            new LifecycleJournalEntry(wonAtL2, LifecycleJournalEntry.WonBackWithdrawn, 2, episode),
            new LifecycleJournalEntry(episode.AddDays(2), LifecycleJournalEntry.WonBack, 1, episode),
        ]);

        var report = await journal.ReportAsync(DateOnly.FromDateTime(episode.UtcDateTime), Day, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));

        Assert.Equal([1, 0, 0], report.Levels.Select(l => l.WonBack));
        Assert.Equal(1.0, report.WinBackRate);
    }
}
