using Azure.Data.Tables;
using Engagement.Azure.Programme;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Programme;

/// <summary>What the aggregators rely on from their table, on Azurite: exact round trip, all-or-nothing ETag writes, service ids apart, large rows chunked and too large ones refused.</summary>
public sealed class AzureTableAggregatorRowStoreTests : IAsyncLifetime
{
    private const string Key = "d|east|2026-11-24|3";
    private readonly string _table = StorageClients.TableName("aggrows");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_table);

    private AzureTableAggregatorRowStore Store(string service = "svc-a") => new(StorageClients.Tables(), service, _table);

    private static AggregatorShard Row(int marks, long dau = 1) => new()
    {
        Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.Dau] = dau, [GaugeNames.SegmentPrefix + "Champions"] = -1 },
        Revenue = 99.99m,
        Members = Enumerable.Range(0, marks).ToDictionary(i => (ulong)i * 7919UL, i => new MemberMark(i, 20_416)),
        Applied = new Dictionary<int, HashSet<ulong>> { [20_416] = [5UL] },
        AppliedCount = marks,
    };

    [Fact]
    public async Task RowsRoundTripWithTheirETagsAndAStaleWriteChangesNothing()
    {
        var store = Store();
        var first = await store.WriteAsync(Key, [new AggregatorRow(0, Row(2), null), new AggregatorRow(63, Row(3, dau: 5), null)]);

        var read = (await store.ReadAsync(Key)).OrderBy(r => r.Row).ToList();
        Assert.Equal([0, 63], read.Select(r => r.Row));
        Assert.Equal([first[0], first[63]], read.Select(r => r.ETag));
        Assert.Equal(5, read[1].State.Counters[MetricNames.Dau]);
        Assert.Equal(-1, read[1].State.Counters[GaugeNames.SegmentPrefix + "Champions"]);
        Assert.Equal(99.99m, read[1].State.Revenue);
        Assert.Equal(Row(3).Members.OrderBy(kv => kv.Key), read[1].State.Members.OrderBy(kv => kv.Key));
        Assert.Equal([5UL], read[1].State.Applied[20_416]);

        // One row current, one stale: the transaction fails whole.
        var stale = await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(Key, [new AggregatorRow(0, Row(9, dau: 100), first[0]), new AggregatorRow(63, Row(9, dau: 100), "W/\"datetime'2000-01-01T00%3A00%3A00Z'\"")]));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(Key, [new AggregatorRow(0, Row(1), null)]));
        Assert.Contains(Key, stale.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 5L], (await store.ReadAsync(Key)).OrderBy(r => r.Row).Select(r => r.State.Counters[MetricNames.Dau]));

        var next = await store.WriteAsync(Key, [new AggregatorRow(0, Row(2, dau: 2), first[0])]);
        Assert.NotEqual(first[0], next[0]);
        Assert.Empty(await Store("svc-b").ReadAsync(Key));
    }

    [Fact]
    public async Task SumsAreStoredWithTheRowsAndReadForARangeOfKeysOnlyForTheKeysAsked()
    {
        var store = Store();
        DayCounters Sums(long dau, decimal revenue) => new() { Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.Dau] = dau }, Revenue = revenue };
        var first = await store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(0, Row(2), null)], Sums(2, 10.5m));
        await store.WriteAsync("d|east|2026-11-22|1", [new AggregatorRow(5, Row(1), null)], Sums(1, 0.01m));
        await store.WriteAsync("d|east-2|2026-11-21|0", [new AggregatorRow(0, Row(1), null)], Sums(99, 99m));
        await store.WriteAsync("d|east|2026-11-21|0", [new AggregatorRow(0, Row(1), null)]); // no sums given: none stored
        await store.WriteAsync("d|east|2026-11-21|2", [new AggregatorRow(0, Row(1), null)], Sums(7, 7m)); // inside the range read, not asked for
        await Store("svc-b").WriteAsync("d|east|2026-11-21|1", [new AggregatorRow(0, Row(1), null)], Sums(50, 50m));

        // A stale write changes neither the rows nor the sums.
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(0, Row(3), "W/\"datetime'2000-01-01T00%3A00%3A00Z'\"")], Sums(1_000, 1m)));
        await store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(0, Row(3), first[0])], Sums(3, 12.25m));

        string[] asked = ["d|east|2026-11-20|0", "d|east|2026-11-20|1", "d|east|2026-11-21|0", "d|east|2026-11-21|1", "d|east|2026-11-22|0", "d|east|2026-11-22|1"];
        var sums = await store.ReadSumsAsync(asked);

        Assert.Equal(["d|east|2026-11-20|0", "d|east|2026-11-22|1"], sums.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((3L, 12.25m), (sums["d|east|2026-11-20|0"][MetricNames.Dau], sums["d|east|2026-11-20|0"].Revenue));
        Assert.Equal((1L, 0.01m), (sums["d|east|2026-11-22|1"][MetricNames.Dau], sums["d|east|2026-11-22|1"].Revenue));
        Assert.Single(await store.ReadAsync("d|east|2026-11-20|0")); // the sums are not a row
        Assert.Empty(await store.ReadSumsAsync([]));
    }

    [Fact]
    public async Task ARowOfThirtyThousandMarksIsChunkedAndOnePastTheBoundIsRefusedBeforeAnythingIsSent()
    {
        var store = Store();
        await store.WriteAsync(Key, [new AggregatorRow(7, Row(30_000), null)]);

        var row = Assert.Single(await store.ReadAsync(Key));
        Assert.Equal(30_000, row.State.Members.Count);
        Assert.Equal(Row(30_000).Members[7919UL * 29_999], row.State.Members[7919UL * 29_999]);
        var entity = (await StorageClients.Tables().GetTableClient(_table).GetEntityAsync<TableEntity>(store.PartitionKey(Key), "07")).Value;
        Assert.NotNull(entity.GetBinary("Marks9"));
        Assert.Contains("\"dau\":1", entity.GetString("Counters"), StringComparison.Ordinal);

        // A row whose marks and counters fit their own bounds but not, together, Azure's 1 MiB entity is refused too.
        var fullMarks = AzureTableAggregatorRowStore.MaxMarkChunks * AzureTableAggregatorRowStore.ChunkBytes / AggregatorRowCodec.MarkBytes;
        var manyCounters = Enumerable.Range(0, 1_400).ToDictionary(i => MetricNames.CouponsIssuedOfferPrefix + i.ToString("D60", System.Globalization.CultureInfo.InvariantCulture), _ => 1L, StringComparer.Ordinal);
        var manyIds = new Dictionary<int, HashSet<ulong>> { [20_416] = [.. Enumerable.Range(1, 15_000).Select(i => (ulong)i)] };
        var full = Row(fullMarks) with { Counters = manyCounters, Applied = manyIds };
        var both = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(Key, [new AggregatorRow(9, full, null)]));
        Assert.Contains("as Azure counts them", both.Message, StringComparison.Ordinal);

        var tooLarge = AzureTableAggregatorRowStore.MaxMarkChunks * AzureTableAggregatorRowStore.ChunkBytes / AggregatorRowCodec.MarkBytes + 1;
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(Key, [new AggregatorRow(8, Row(tooLarge), null)]));
        Assert.Single(await store.ReadAsync(Key));
    }

    [Fact]
    public async Task CountersLongerThanOnePropertyContinueInTheNextAndRoundTripInRowsAndSums()
    {
        // A day of 400 coupon offers with 64-character ids: two counter names each, past the 32 Ki characters of one property.
        var counters = Enumerable.Range(0, 400).SelectMany(i => new[] { MetricNames.CouponsIssuedOfferPrefix + i.ToString("D64", System.Globalization.CultureInfo.InvariantCulture), MetricNames.CouponsRedeemedOfferPrefix + i.ToString("D64", System.Globalization.CultureInfo.InvariantCulture) })
            .ToDictionary(n => n, n => (long)n.Length, StringComparer.Ordinal);
        var row = Row(1) with { Counters = counters };
        var store = Store();
        await store.WriteAsync(Key, [new AggregatorRow(3, row, null)], new DayCounters { Counters = counters, Revenue = 1m });

        var entity = (await StorageClients.Tables().GetTableClient(_table).GetEntityAsync<TableEntity>(store.PartitionKey(Key), "03")).Value;
        Assert.NotNull(entity.GetString("Counters1"));
        Assert.Equal(counters.OrderBy(kv => kv.Key), (await store.ReadAsync(Key)).Single().State.Counters.OrderBy(kv => kv.Key));
        Assert.Equal(counters.OrderBy(kv => kv.Key), (await store.ReadSumsAsync([Key]))[Key].Counters.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task RowsTooLargeForOneTransactionGoInSeveralUnderAzuresFourMiBAndAllRoundTrip()
    {
        // Sixteen rows of 30,000 marks: about 12.8 MB of base64, where Azure refuses a transaction body over 4 MiB
        // (Azurite does not, so the cut itself is checked on the estimate).
        var rows = Enumerable.Range(0, 16).Select(r => new AggregatorRow(r * 4, Row(30_000, dau: r + 1), null)).ToList();
        var partition = Store().PartitionKey(Key);
        var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, AzureTableAggregatorRowStore.ToEntity(partition, r.Row, AggregatorRowCodec.Encode(r.State)))).ToList();
        var transactions = TransactionPayload.Split(actions).ToList();
        Assert.True(transactions.Count >= 4, $"{transactions.Count} transactions");
        Assert.All(transactions, t => Assert.True(t.Sum(a => TransactionPayload.EstimateBytes(a.Entity)) <= TransactionPayload.MaxBytes));
        Assert.All(actions, a => Assert.True(TransactionPayload.EstimateBytes(a.Entity) >= ((AggregatorRowCodec.Encode(Row(30_000)).Marks.Length + 2) / 3) * 4));
        Assert.Equal(rows.Select(r => r.Row), transactions.SelectMany(t => t).Select(a => int.Parse(a.Entity.RowKey, System.Globalization.CultureInfo.InvariantCulture)));

        // The sums never go alone: with the last rows, in the room kept for them.
        var sumsEntity = new TableEntity(partition, "sum") { ["Counters"] = new string('x', 30_000) };
        var withSums = TransactionPayload.Split(actions, new TableTransactionAction(TableTransactionActionType.UpsertReplace, sumsEntity)).ToList();
        Assert.Equal("sum", withSums[^1][^1].Entity.RowKey);
        Assert.True(withSums[^1].Count >= 2);
        Assert.All(withSums, t => Assert.True(t.Sum(a => TransactionPayload.EstimateBytes(a.Entity)) <= TransactionPayload.MaxBytes));

        var store = Store();
        var sums = new DayCounters { Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.Dau] = 136 }, Revenue = 1m };
        var etags = await store.WriteAsync(Key, rows, sums);

        var read = (await store.ReadAsync(Key)).OrderBy(r => r.Row).ToList();
        Assert.Equal(rows.Select(r => r.Row), read.Select(r => r.Row));
        Assert.Equal(rows.Select(r => etags[r.Row]), read.Select(r => r.ETag));
        Assert.Equal(Enumerable.Range(1, 16).Select(d => (long)d), read.Select(r => r.State.Counters[MetricNames.Dau]));
        Assert.All(read, r => Assert.Equal(30_000, r.State.Members.Count));
        Assert.Equal(136, (await store.ReadSumsAsync([Key]))[Key][MetricNames.Dau]);
    }
}
