using System.Diagnostics.Metrics;
using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Engagement.Azure.Tests.Reminders;

/// <summary>The Orleans reminder table contract, exercised directly on Azurite (no silo).</summary>
public sealed class AzureTableReminderTableTests : IAsyncLifetime
{
    private readonly string _tableName = StorageClients.TableName("rem");
    private readonly ReminderTableStats _stats = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_tableName);

    private AzureTableReminderTable CreateTable(string serviceId = "svc-a") => new(
        Options.Create(new AzureTableReminderTableOptions { ConnectionString = Azurite.ConnectionString, TableName = _tableName }),
        Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = serviceId }),
        _stats,
        NullLogger<AzureTableReminderTable>.Instance);

    private static ReminderEntry Entry(GrainId grain, string name, int periodMinutes = 5) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 23, 8, 39, 16, 123, DateTimeKind.Utc).AddTicks(4567),
        Period = TimeSpan.FromMinutes(periodMinutes),
    };

    private static GrainId Member(int i) => GrainId.Create("member", $"M{i:D4}");

    [Fact]
    public async Task AnUpsertedReminderReadsBackWithItsEtagStartAndPeriod()
    {
        var table = CreateTable();
        await table.Init();
        var entry = Entry(Member(1), "lifecycle");

        var etag = await table.UpsertRow(entry);
        var read = await table.ReadRow(Member(1), "lifecycle");

        Assert.False(string.IsNullOrEmpty(etag));
        Assert.NotNull(read);
        Assert.Equal(Member(1), read.GrainId);
        Assert.Equal("lifecycle", read.ReminderName);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), read.Period);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task ReadingAMissingReminderGivesNull()
    {
        var table = CreateTable();

        Assert.Null(await table.ReadRow(Member(1), "nothing"));
        Assert.Empty((await table.ReadRows(Member(1))).Reminders);
    }

    [Fact]
    public async Task ReadingByGrainReturnsOnlyThatGrainsReminders()
    {
        var table = CreateTable();
        var m1 = GrainId.Create("member", "M1");
        var m10 = GrainId.Create("member", "M10"); // "M1" is a prefix of it: the row-key range must not leak
        await table.UpsertRow(Entry(m1, "a"));
        await table.UpsertRow(Entry(m1, "b"));
        await table.UpsertRow(Entry(m10, "a"));

        var rows = (await table.ReadRows(m1)).Reminders;

        Assert.Equal(["a", "b"], rows.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(m1, r.GrainId));
        Assert.Single((await table.ReadRows(m10)).Reminders);
    }

    [Fact]
    public async Task ReadingAHashRangeReturnsExactlyTheGrainsInIt_IncludingWrapAround()
    {
        var table = CreateTable();
        var grains = Enumerable.Range(0, 60).Select(Member).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "tick"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var ranges = new (uint Begin, uint End)[]
        {
            (hashes[10], hashes[30]),                 // ordinary (begin, end]
            (0, uint.MaxValue),                       // nearly all
            (hashes[50], hashes[5]),                  // wraps around zero
            (hashes[20], hashes[20]),                 // begin == end: the whole ring
            (uint.MaxValue, hashes[3]),               // wraps, nothing above begin
            (hashes[7] - 1, hashes[7]),               // a single grain
            (0x4000_0000, 0x4000_0000 + 100),         // almost surely empty
        };

        foreach (var (begin, end) in ranges)
        {
            var expected = grains
                .Where(g => InRange(g.GetUniformHashCode(), begin, end))
                .Select(g => g.ToString())
                .Order(StringComparer.Ordinal)
                .ToList();

            var actual = (await table.ReadRows(begin, end)).Reminders
                .Select(r => r.GrainId.ToString())
                .Order(StringComparer.Ordinal)
                .ToList();

            Assert.True(expected.SequenceEqual(actual), $"range ({begin}, {end}]: expected {expected.Count}, got {actual.Count}");
        }

        static bool InRange(uint hash, uint begin, uint end) =>
            begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
    }

    [Fact]
    public async Task RemovingWithAStaleEtagReturnsFalseAndKeepsTheReminder()
    {
        var table = CreateTable();
        var firstEtag = await table.UpsertRow(Entry(Member(1), "winback", 5));
        var secondEtag = await table.UpsertRow(Entry(Member(1), "winback", 10));

        Assert.NotEqual(firstEtag, secondEtag);
        Assert.False(await table.RemoveRow(Member(1), "winback", firstEtag!));
        Assert.Equal(TimeSpan.FromMinutes(10), (await table.ReadRow(Member(1), "winback"))!.Period);

        Assert.True(await table.RemoveRow(Member(1), "winback", secondEtag!));
        Assert.Null(await table.ReadRow(Member(1), "winback"));
        Assert.False(await table.RemoveRow(Member(1), "winback", secondEtag!));
    }

    [Fact]
    public async Task TwoServiceIdsSharingOneTableDoNotSeeOrClearEachOther()
    {
        var serviceA = CreateTable("svc-a");
        var serviceB = CreateTable("svc-b");
        await serviceA.UpsertRow(Entry(Member(1), "a-only"));
        await serviceB.UpsertRow(Entry(Member(2), "b-only"));

        Assert.Equal(["a-only"], (await serviceA.ReadRows(0u, 0u)).Reminders.Select(r => r.ReminderName));
        Assert.Empty((await serviceB.ReadRows(Member(1))).Reminders);
        Assert.Null(await serviceB.ReadRow(Member(1), "a-only"));

        await serviceB.TestOnlyClearTable();

        Assert.Empty((await serviceB.ReadRows(0u, 0u)).Reminders);
        Assert.Single((await serviceA.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task ServiceIdsThatArePrefixesOfEachOtherStayApart()
    {
        var shortId = CreateTable("svc");
        var longId = CreateTable("svc_0");
        await longId.UpsertRow(Entry(Member(1), "long"));

        Assert.Empty((await shortId.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task ClearingTheTableRemovesAllOfThisServicesReminders()
    {
        var table = CreateTable();
        for (var i = 0; i < 130; i++)
        {
            await table.UpsertRow(Entry(Member(i % 3), $"r{i}"));
        }

        await table.TestOnlyClearTable();

        Assert.Empty((await table.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task EveryWriteIsCountedInStatsAndOnTheMeter()
    {
        var measured = new List<(long Value, string? Operation)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngagementAzureMetrics.MeterName && instrument.Name == "engagement.reminders.table_writes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? operation = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "operation")
                {
                    operation = tag.Value as string;
                }
            }

            lock (measured)
            {
                measured.Add((value, operation));
            }
        });
        listener.Start();

        var table = CreateTable();
        var etag = await table.UpsertRow(Entry(Member(1), "x"));
        await table.UpsertRow(Entry(Member(2), "x"));
        await table.RemoveRow(Member(1), "x", etag!);
        await table.ReadRows(0u, 0u);

        Assert.Equal(2, _stats.Upserts);
        Assert.Equal(1, _stats.Removes);
        Assert.Equal(3, _stats.Writes);
        lock (measured)
        {
            // Other tests may write concurrently through the shared meter; ours are at least these.
            Assert.True(measured.Count(m => m.Operation == "upsert") >= 2);
            Assert.Contains(measured, m => m.Operation == "remove");
        }
    }
}
