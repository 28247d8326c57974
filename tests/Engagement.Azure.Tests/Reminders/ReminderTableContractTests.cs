using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Hosting;

namespace Engagement.Azure.Tests.Reminders;

/// <summary>
/// What the engine relies on from the reminder table (the official Azure one behind the write counter), against
/// Azurite: hash-range reads give each silo exactly the reminders it owns, removal is ETag-guarded, writes are counted.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class ReminderTableContractTests(StorageSiloFixture silo)
{
    private static readonly DateTime Start = new(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);

    private static ReminderEntry Entry(GrainId grain, string name = "lifecycle", double periodHours = 24) =>
        new() { GrainId = grain, ReminderName = name, StartAt = Start, Period = TimeSpan.FromHours(periodHours) };

    private async Task<List<GrainId>> SeedAsync(int count)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var grains = Enumerable.Range(0, count).Select(i => GrainId.Create("member", $"{prefix}-{i}")).ToList();
        foreach (var grain in grains)
        {
            Assert.NotNull(await silo.Reminders.UpsertRow(Entry(grain)));
        }

        return grains;
    }

    [Fact]
    public async Task ARangeReadReturnsExactlyTheRemindersWhoseGrainHashFallsInTheRange()
    {
        var grains = await SeedAsync(24);
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var begin = hashes[5];
        var end = hashes[17];

        var rows = await silo.Reminders.ReadRows(begin, end);

        var expected = grains.Where(g => g.GetUniformHashCode() > begin && g.GetUniformHashCode() <= end).ToHashSet();
        var found = rows.Reminders.Select(r => r.GrainId).Where(grains.Contains).ToHashSet();
        Assert.Equal(12, expected.Count);
        Assert.Equal(expected, found);
    }

    [Fact]
    public async Task ARangeThatWrapsAroundReturnsBothEnds()
    {
        var grains = await SeedAsync(24);
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var begin = hashes[17];
        var end = hashes[5];

        var rows = await silo.Reminders.ReadRows(begin, end);

        var expected = grains.Where(g => g.GetUniformHashCode() > begin || g.GetUniformHashCode() <= end).ToHashSet();
        var found = rows.Reminders.Select(r => r.GrainId).Where(grains.Contains).ToHashSet();
        Assert.Equal(12, expected.Count);
        Assert.Equal(expected, found);
    }

    [Fact]
    public async Task AGrainsRemindersAreReadByGrainAndByName()
    {
        var grain = GrainId.Create("member", "R-" + Guid.NewGuid().ToString("N")[..8]);
        await silo.Reminders.UpsertRow(Entry(grain, "lifecycle"));
        await silo.Reminders.UpsertRow(Entry(grain, "campaign"));

        var rows = await silo.Reminders.ReadRows(grain);
        var row = await silo.Reminders.ReadRow(grain, "lifecycle");

        Assert.Equal(["campaign", "lifecycle"], rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.NotNull(row);
        Assert.Equal(TimeSpan.FromDays(1), row.Period);
        Assert.Equal(Start, row.StartAt);
    }

    [Fact]
    public async Task ARemoveWithAStaleETagLeavesTheNewerReminderInPlace()
    {
        var grain = GrainId.Create("member", "S-" + Guid.NewGuid().ToString("N")[..8]);
        var oldEtag = await silo.Reminders.UpsertRow(Entry(grain));
        var newEtag = await silo.Reminders.UpsertRow(Entry(grain, periodHours: 12));

        Assert.False(await silo.Reminders.RemoveRow(grain, "lifecycle", oldEtag!));
        Assert.Equal(TimeSpan.FromHours(12), (await silo.Reminders.ReadRow(grain, "lifecycle"))!.Period);
        Assert.True(await silo.Reminders.RemoveRow(grain, "lifecycle", newEtag!));
        Assert.Null(await silo.Reminders.ReadRow(grain, "lifecycle"));
    }

    [Fact]
    public async Task EveryWriteIsCountedAndReadsAreNot()
    {
        var table = Assert.IsType<CountingReminderTable>(silo.Reminders);
        var grain = GrainId.Create("member", "C-" + Guid.NewGuid().ToString("N")[..8]);
        var upserts = silo.ReminderStats.Upserts;
        var removes = silo.ReminderStats.Removes;

        var etag = await table.UpsertRow(Entry(grain));
        await table.ReadRow(grain, "lifecycle");
        await table.ReadRows(grain);
        await table.RemoveRow(grain, "lifecycle", etag!);

        Assert.Equal(upserts + 1, silo.ReminderStats.Upserts);
        Assert.Equal(removes + 1, silo.ReminderStats.Removes);
    }
}
