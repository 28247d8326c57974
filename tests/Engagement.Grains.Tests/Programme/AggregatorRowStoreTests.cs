using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Programme;

/// <summary>The stored form of an aggregator row round-trips exactly, and the in-memory store keeps the write rules of <see cref="IAggregatorRowStore"/>.</summary>
public sealed class AggregatorRowStoreTests
{
    internal static AggregatorShard Row(int marks, int day = 20_000) => new()
    {
        Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.Dau] = marks, [GaugeNames.TierPrefix + "V2"] = -3, ["zero"] = 0 },
        Revenue = 12_345.67m,
        Members = Enumerable.Range(0, marks).ToDictionary(i => (ulong)i * 0x9E3779B97F4A7C15UL, i => new MemberMark(i + 1L, day + (i % 3))),
        Applied = new Dictionary<int, HashSet<ulong>> { [day] = [1UL, ulong.MaxValue], [day + 1] = [] },
        AppliedCount = 42,
        DuplicateCount = 7,
    };

    [Fact]
    public void ARowRoundTripsExactlyAndADamagedOneIsRefused()
    {
        var row = Row(500);

        var encoded = AggregatorRowCodec.Encode(row);
        var back = AggregatorRowCodec.Decode(encoded);

        Assert.Equal(500 * AggregatorRowCodec.MarkBytes, encoded.Marks.Length);
        Assert.Equal(row.Counters.OrderBy(kv => kv.Key), back.Counters.OrderBy(kv => kv.Key));
        Assert.Equal(row.Revenue, back.Revenue);
        Assert.Equal(row.Members.OrderBy(kv => kv.Key), back.Members.OrderBy(kv => kv.Key));
        Assert.Equal(row.Applied.Keys.Order(), back.Applied.Keys.Order());
        Assert.Equal(row.Applied[20_000].Order(), back.Applied[20_000].Order());
        Assert.Equal((42L, 7L), (back.AppliedCount, back.DuplicateCount));
        Assert.Throws<FormatException>(() => AggregatorRowCodec.Decode(encoded with { Marks = encoded.Marks[..^1] }));
    }

    [Fact]
    public async Task AWriteWithAStaleETagChangesNoRowAndANewRowIsInsertedOnlyOnce()
    {
        var store = new InMemoryAggregatorRowStore();
        var etags = await store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(1, Row(3), null), new AggregatorRow(2, Row(4), null)]);

        // Row 1 current, row 2 stale: neither is written.
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(1, Row(10), etags[1]), new AggregatorRow(2, Row(10), "stale")]));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(2, Row(10), null)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(AggregatorRows.Count, Row(1), null)]));

        var rows = await store.ReadAsync("d|east|2026-11-20|0");
        Assert.Equal([(1, 3), (2, 4)], rows.OrderBy(r => r.Row).Select(r => (r.Row, r.State.Members.Count)));
        Assert.Empty(await store.ReadAsync("d|east|2026-11-20|1"));
        var next = await store.WriteAsync("d|east|2026-11-20|0", [new AggregatorRow(1, Row(9), etags[1])]);
        Assert.NotEqual(etags[1], next[1]);
    }
}
