using System.Collections.ObjectModel;
using Engagement.Domain.Metrics;
using Engagement.Domain.Tests;
using Engagement.Grains.Ports;
using Xunit.Abstractions;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// Encoding a row as every commit makes one (its marks a <see cref="Dictionary{TKey, TValue}"/>) enumerates the marks
/// without a boxed enumerator and sizes the ids without LINQ: the row store encodes each changed row on every aggregator
/// commit (`Enumerator[UInt64,MemberMark]` ~53 sampled bytes per event in ingest-memory-2026-12-07e).
/// </summary>
public sealed class AggregatorRowCodecAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void ACommitMadeRowIsEncodedWithoutABoxedEnumeratorOfItsMarks()
    {
        var row = AggregatorRowStoreTests.Row(32) with { Applied = new Dictionary<int, HashSet<ulong>>() };
        var viaInterface = row with { Members = new ReadOnlyDictionary<ulong, MemberMark>(new Dictionary<ulong, MemberMark>(row.Members)) };

        var direct = AllocationProbe.FewestBytes(() => GC.KeepAlive(AggregatorRowCodec.Encode(row)));
        var boxed = AllocationProbe.FewestBytes(() => GC.KeepAlive(AggregatorRowCodec.Encode(viaInterface)));
        output.WriteLine($"Encode of a 32-mark row: {direct} bytes from a dictionary, {boxed} bytes through the interface");

        Assert.Equal(AggregatorRowCodec.Encode(row).Marks, AggregatorRowCodec.Encode(viaInterface).Marks);
        Assert.True(boxed - direct >= 40, $"{boxed - direct} bytes apart: the interface's path boxes the dictionary's enumerator (at least 40 bytes)");
    }
}
