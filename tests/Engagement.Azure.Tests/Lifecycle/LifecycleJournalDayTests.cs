using Engagement.Azure.Lifecycle;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Tests.Lifecycle;

/// <summary>The win-back journal on Azurite reports by the programme's local day, though its partitions are UTC days.</summary>
public sealed class LifecycleJournalDayTests : IAsyncLifetime
{
    private readonly string _table = StorageClients.TableName("Journal");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_table);

    [Fact]
    public async Task StepsCountOnTheirShanghaiDayAcrossTheUtcPartitions()
    {
        var journal = new AzureTableLifecycleJournal(StorageClients.Tables(), _table);
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var offset = TimeSpan.FromHours(8);
        var earlyOn11th = new DateTimeOffset(2026, 6, 11, 0, 30, 0, offset); // 10 June 16:30 UTC
        var lateOn11th = new DateTimeOffset(2026, 6, 11, 23, 59, 0, offset); // 11 June 15:59 UTC
        var earlyOn12th = new DateTimeOffset(2026, 6, 12, 7, 59, 0, offset); // 11 June 23:59 UTC
        await journal.AppendAsync("J1", [
            new LifecycleJournalEntry(earlyOn11th, LifecycleJournalEntry.LevelEntered, 1, earlyOn11th.AddDays(-30)),
            new LifecycleJournalEntry(lateOn11th, LifecycleJournalEntry.WonBack, 1, earlyOn11th.AddDays(-30)),
        ]);
        await journal.AppendAsync("J2", [new LifecycleJournalEntry(earlyOn12th, LifecycleJournalEntry.LevelEntered, 1, earlyOn12th.AddDays(-30))]);

        var june11 = await journal.ReportAsync(new DateOnly(2026, 6, 11), new DateOnly(2026, 6, 11), shanghai);
        var june12 = await journal.ReportAsync(new DateOnly(2026, 6, 12), new DateOnly(2026, 6, 12), shanghai);

        var level1 = june11.Levels.Single(l => l.Level == 1);
        Assert.Equal((1, 1), (level1.Entered, level1.WonBack));
        Assert.Equal((1, 0), (june12.Levels.Single(l => l.Level == 1).Entered, june12.Levels.Single(l => l.Level == 1).WonBack));
    }

    [Fact]
    public async Task AWeekOfManyMembersStepsIsCountedByKindAndLevel()
    {
        var journal = new AzureTableLifecycleJournal(StorageClients.Tables(), _table);
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var day = new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.FromHours(8));
        // 40 members enter L1, 20 of them L2, 10 L3; 8 are won back at L1, 4 at L2, 2 at L3; 6 go dormant, one of whom a
        // late activity takes back.
        for (var m = 0; m < 40; m++)
        {
            var at = day.AddDays(m % 7).AddMinutes(m);
            var start = at.AddDays(-30);
            List<LifecycleJournalEntry> steps = [new(at, LifecycleJournalEntry.LevelEntered, 1, start)];
            if (m < 20)
            {
                steps.Add(new(at.AddMinutes(1), LifecycleJournalEntry.LevelEntered, 2, start));
            }

            if (m < 10)
            {
                steps.Add(new(at.AddMinutes(2), LifecycleJournalEntry.LevelEntered, 3, start));
            }

            if (m is >= 10 and < 16)
            {
                steps.Add(new(at.AddMinutes(3), m == 10 ? LifecycleJournalEntry.DormantWithdrawn : LifecycleJournalEntry.Dormant, 2, start));
            }

            if (m >= 26)
            {
                steps.Add(new(at.AddMinutes(4), LifecycleJournalEntry.WonBack, m >= 32 ? 1 : m >= 28 ? 2 : 3, start));
            }

            await journal.AppendAsync("W" + m, steps);
        }

        var week = await journal.ReportAsync(new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 7), shanghai);

        Assert.Equal([(40, 8), (20, 4), (10, 2)], week.Levels.OrderBy(l => l.Level).Select(l => (l.Entered, l.WonBack)));
        Assert.Equal(4, week.WentDormant);
    }
}
