using Azure.Data.Tables;
using Engagement.Azure.Ledger;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;

namespace Engagement.Azure.Tests.Ledger;

public sealed class AzureTableLedgerArchiveTests : IAsyncLifetime
{
    private readonly string _tableName = StorageClients.TableName("ledger");
    private AzureTableLedgerArchive _archive = null!;

    public Task InitializeAsync()
    {
        _archive = new AzureTableLedgerArchive(StorageClients.Tables(), _tableName);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_tableName);

    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 39, 16, TimeSpan.FromHours(8));

    private static LedgerEntryView Entry(long sequence, string kind = "points") => new()
    {
        Sequence = sequence,
        At = Start.AddMinutes(sequence),
        Kind = kind,
        Delta = sequence * 10,
        BalanceAfter = sequence * 100,
        Reason = $"purchase O-{sequence}",
        RuleId = "points.earn.base",
        EventId = sequence % 2 == 0 ? $"evt-{sequence}" : null,
        OccurredAt = Start.AddDays(-sequence).ToUniversalTime(),
    };

    [Fact]
    public async Task AppendingTheSameEntriesTwiceLeavesOneRowEach()
    {
        var entries = Enumerable.Range(1, 10).Select(i => Entry(i)).ToList();

        await _archive.AppendAsync("M1", entries);
        await _archive.AppendAsync("M1", entries);
        await _archive.AppendAsync("M1", [entries[3], entries[3]]);

        var read = await _archive.ReadAsync("M1", kind: null, before: null, limit: 100);
        Assert.Equal(Enumerable.Range(1, 10).Reverse().Select(i => (long)i), read.Select(e => e.Sequence));
    }

    [Fact]
    public async Task EntriesRoundTripEveryField()
    {
        await _archive.AppendAsync("M1", [Entry(1), Entry(2)]);

        var read = await _archive.ReadAsync("M1", null, null, 10);

        Assert.Equal(Entry(2), read[0]);
        Assert.Equal(Entry(1), read[1]);
        Assert.Null(read[1].EventId);
    }

    [Fact]
    public async Task OccurredAtIsStoredInItsOwnColumnAndReadsBackAsTheSameInstant()
    {
        await _archive.AppendAsync("M1", [Entry(3)]);

        var row = (await StorageClients.Tables().GetTableClient(_tableName).GetEntityAsync<TableEntity>(
            AzureTableLedgerArchive.PartitionKey("M1"), AzureTableLedgerArchive.RowKey(3))).Value;
        var read = Assert.Single(await _archive.ReadAsync("M1", null, null, 10));

        Assert.Equal(Start.AddDays(-3), row.GetDateTimeOffset("OccurredAt"));
        Assert.Equal(Start.AddDays(-3), read.OccurredAt);
        Assert.Equal(Start.AddMinutes(3), read.At);
    }

    [Fact]
    public async Task ARowArchivedBeforeOccurredAtExistedAnswersItsAt()
    {
        var table = StorageClients.Tables().GetTableClient(_tableName);
        await _archive.InitializeAsync();
        await table.AddEntityAsync(new TableEntity(AzureTableLedgerArchive.PartitionKey("M1"), AzureTableLedgerArchive.RowKey(1))
        {
            ["Sequence"] = 1L, ["At"] = Start, ["Kind"] = "points", ["Delta"] = 10L, ["BalanceAfter"] = 10L, ["Reason"] = "purchase O-1", ["RuleId"] = "points.earn",
        });

        var read = Assert.Single(await _archive.ReadAsync("M1", null, null, 10));

        Assert.Equal(Start, read.At);
        Assert.Equal(Start, read.OccurredAt);
    }

    [Fact]
    public async Task ATierEntrysTierLeftIsStoredInItsOwnColumnAndReadsBack()
    {
        // The tier a replayed refund's drop left in order (CONTRACT.md §1.1): the archived history keeps it as the state does.
        var drop = Entry(4, "tier") with { Delta = 0, BalanceAfter = 2, Reason = "V2 kept (in order V3 → V2)", RuleId = "tier.downgrade.refund", TierLeft = "V3" };
        await _archive.AppendAsync("M1", [drop, Entry(5)]);

        var row = (await StorageClients.Tables().GetTableClient(_tableName).GetEntityAsync<TableEntity>(
            AzureTableLedgerArchive.PartitionKey("M1"), AzureTableLedgerArchive.RowKey(4))).Value;
        var read = await _archive.ReadAsync("M1", null, null, 10);

        Assert.Equal("V3", row.GetString("TierLeft"));
        Assert.Equal(drop, read[1]);
        Assert.Null(read[0].TierLeft);
        Assert.False((await StorageClients.Tables().GetTableClient(_tableName).GetEntityAsync<TableEntity>(
            AzureTableLedgerArchive.PartitionKey("M1"), AzureTableLedgerArchive.RowKey(5))).Value.ContainsKey("TierLeft"));
    }

    [Fact]
    public async Task ATierRowArchivedBeforeTierLeftExistedReadsWithoutIt()
    {
        var table = StorageClients.Tables().GetTableClient(_tableName);
        await _archive.InitializeAsync();
        await table.AddEntityAsync(new TableEntity(AzureTableLedgerArchive.PartitionKey("M1"), AzureTableLedgerArchive.RowKey(2))
        {
            ["Sequence"] = 2L, ["At"] = Start, ["Kind"] = "tier", ["Delta"] = -1L, ["BalanceAfter"] = 2L, ["Reason"] = "V3 → V2", ["RuleId"] = "tier.downgrade.refund",
            ["EventId"] = "e-r1", ["OccurredAt"] = Start,
        });

        var read = Assert.Single(await _archive.ReadAsync("M1", null, null, 10));

        Assert.Equal(("tier", -1L, "V3 → V2"), (read.Kind, read.Delta, read.Reason));
        Assert.Null(read.TierLeft);
    }

    [Fact]
    public async Task PagingBackThrough250EntriesVisitsEachOnceNewestFirst()
    {
        await _archive.AppendAsync("M1", Enumerable.Range(1, 250).Select(i => Entry(i)).ToList());
        await _archive.AppendAsync("M2", [Entry(1)]);

        var seen = new List<long>();
        long? before = null;
        var pages = 0;
        while (true)
        {
            var page = await _archive.ReadAsync("M1", null, before, limit: 40);
            if (page.Count == 0)
            {
                break;
            }

            pages++;
            seen.AddRange(page.Select(e => e.Sequence));
            before = page[^1].Sequence;
        }

        Assert.Equal(7, pages);
        Assert.Equal(Enumerable.Range(1, 250).Reverse().Select(i => (long)i), seen);
    }

    [Fact]
    public async Task TheKindFilterReturnsOnlyThatKindStillNewestFirst()
    {
        var entries = Enumerable.Range(1, 30).Select(i => Entry(i, i % 3 == 0 ? "growth" : "points")).ToList();
        await _archive.AppendAsync("M1", entries);

        var growth = await _archive.ReadAsync("M1", "growth", before: null, limit: 100);
        var olderGrowth = await _archive.ReadAsync("M1", "growth", before: 15, limit: 2);
        var points = await _archive.ReadAsync("M1", "points", before: null, limit: 5);

        Assert.Equal([30L, 27, 24, 21, 18, 15, 12, 9, 6, 3], growth.Select(e => e.Sequence));
        Assert.Equal([12L, 9], olderGrowth.Select(e => e.Sequence));
        Assert.Equal([29L, 28, 26, 25, 23], points.Select(e => e.Sequence));
    }

    [Fact]
    public async Task MembersDoNotSeeEachOthersEntries()
    {
        await _archive.AppendAsync("M1", [Entry(1)]);
        await _archive.AppendAsync("M1:x", [Entry(2)]);

        Assert.Equal([1L], (await _archive.ReadAsync("M1", null, null, 10)).Select(e => e.Sequence));
        Assert.Empty(await _archive.ReadAsync("M9", null, null, 10));
    }
}
