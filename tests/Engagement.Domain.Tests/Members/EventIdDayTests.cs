using System.Buffers.Binary;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// A day of the eventId window grows in its own buffer (<see cref="EventIdDay"/>) instead of being copied into a new array
/// per event: what is stored stays exactly the bytes the <c>byte[]</c> held (the room after them never reaches the JSON),
/// a day stored before fingerprints still reads and is rewritten as before, one member's or day's buffer never shows
/// another's ids, and remembering one more id of a day allocates only when its buffer doubles.
/// </summary>
public sealed class EventIdDayTests
{
    // 04:00 UTC is noon in Shanghai (UTC+8): the day's ids below all fall on one UTC date, 2026-06-01.
    private static readonly DateTimeOffset ShanghaiNoon = new(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ADayGrownInPlaceIsStoredAsExactlyTheBytesOfTheArrayItReplaced()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-1" };
        var ids = Enumerable.Range(0, 13).Select(i => $"pos-S001-{i:D6}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            EventIdWindow.Remember(state, id, options, ShanghaiNoon.AddMinutes(i), (ushort)(100 + i));
        }

        // The layout written by hand: a marker byte, then each id's 8-byte hash and 2-byte fingerprint, little-endian.
        var expected = new byte[1 + (ids.Count * 10)];
        expected[0] = 1;
        for (var i = 0; i < ids.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(1 + (i * 10)), EventIdWindow.Hash(ids[i]));
            BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(9 + (i * 10)), (ushort)(100 + i));
        }

        var day = DateOnly.FromDateTime(ShanghaiNoon.UtcDateTime);
        Assert.Equal(
            JsonSerializer.Serialize(new Dictionary<DateOnly, byte[]> { [day] = expected }, Web),
            JsonSerializer.Serialize(state.EventIdsByDay, Web));

        // Read back, the day holds the same bytes and answers the same ids with their fingerprints.
        var read = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;
        Assert.Equal(expected, read.EventIdsByDay![day].Bytes.ToArray());
        Assert.Equal((ushort)112, EventIdWindow.Find(read, ids[12], ShanghaiNoon.AddHours(1)));
        Assert.Null(EventIdWindow.Find(read, "pos-S001-999999", ShanghaiNoon.AddHours(1)));
    }

    [Fact]
    public void ADayStoredBeforeFingerprintsStillReadsAndIsRewrittenWithThem()
    {
        var day = DateOnly.FromDateTime(ShanghaiNoon.UtcDateTime);
        var legacy = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(legacy, EventIdWindow.Hash("old-1"));
        BinaryPrimitives.WriteUInt64LittleEndian(legacy.AsSpan(8), EventIdWindow.Hash("old-2"));
        var json = JsonSerializer.Serialize(new { memberId = "M-1", eventIdsByDay = new Dictionary<DateOnly, byte[]> { [day] = legacy } }, Web);
        var state = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        Assert.Equal((ushort)0, EventIdWindow.Find(state, "old-2", ShanghaiNoon));

        EventIdWindow.Remember(state, "new-1", new ProgramOptions(), ShanghaiNoon, 7);

        var expected = new byte[1 + 30];
        expected[0] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(1), EventIdWindow.Hash("old-1"));
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(11), EventIdWindow.Hash("old-2"));
        BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(21), EventIdWindow.Hash("new-1"));
        BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(29), 7);
        Assert.Equal(expected, state.EventIdsByDay![day].Bytes.ToArray());
        Assert.Equal((ushort)0, EventIdWindow.Find(state, "old-1", ShanghaiNoon));
        Assert.Equal((ushort)7, EventIdWindow.Find(state, "new-1", ShanghaiNoon));
    }

    [Fact]
    public void NoBufferShowsAnotherMembersOrDaysIdsAndAnOlderValueKeepsItsBytes()
    {
        var options = new ProgramOptions();
        var first = new MemberState { MemberId = "M-1" };
        var second = new MemberState { MemberId = "M-2" };
        for (var i = 0; i < 20; i++)
        {
            EventIdWindow.Remember(first, $"a-{i}", options, ShanghaiNoon.AddHours(2 * i), 1);
            EventIdWindow.Remember(second, $"b-{i}", options, ShanghaiNoon.AddHours(2 * i), 2);
        }

        var end = ShanghaiNoon.AddHours(40);
        Assert.All(Enumerable.Range(0, 20), i =>
        {
            Assert.Equal((ushort)1, EventIdWindow.Find(first, $"a-{i}", end));
            Assert.Null(EventIdWindow.Find(first, $"b-{i}", end));
            Assert.Equal((ushort)2, EventIdWindow.Find(second, $"b-{i}", end));
            Assert.Null(EventIdWindow.Find(second, $"a-{i}", end));
        });

        // The 40 hours span two UTC days: each day holds its own ids only (1 + 10 bytes each).
        Assert.Equal(2, first.EventIdsByDay!.Count);
        Assert.Equal(20 * 10, first.EventIdsByDay.Values.Sum(d => d.Length - 1));

        // Appending past a value leaves what that value reads as it was.
        var older = new EventIdDay([1, 2, 3]).Appended([4]);
        var olderBytes = older.Bytes.ToArray();
        var newer = older.Appended([5, 6]);
        Assert.Equal(olderBytes, older.Bytes.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, newer.Bytes.ToArray());
    }

    [Fact]
    public void OneMoreIdOfADayAllocatesOnlyWhenItsBufferDoubles()
    {
        var options = new ProgramOptions();
        EventIdWindow.Remember(new MemberState { MemberId = "warm" }, "warm-1", options, ShanghaiNoon, 1); // code paths run once

        // 32 ids on one day: the old window copied the day into a new array per id, 24 + 1 + 10n bytes for the n-th
        // (about 6 KB in all); growing in place makes the buffers 11, 22, 44, 88, 176, 352 bytes (about 0.8 KB).
        var state = new MemberState { MemberId = "M-1" };
        var ids = Enumerable.Range(0, 32).Select(i => $"pos-S001-{i:D6}").ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var id in ids)
        {
            EventIdWindow.Remember(state, id, options, ShanghaiNoon, 3);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1_500, $"{allocated} bytes for 32 ids of one day");
        Assert.Equal(32, EventIdWindow.Count(state));
    }

    [Fact]
    public void AtTheCapOneMoreIdOfTheDayCopiesTheDayOnceNotThreeTimes()
    {
        // A member at the largest cap with every id on one day: each new id drops the oldest. The day keeps the dropped
        // bytes as room, so the next id appends in place and the trim is the only copy (1 + 10 x 16,384 bytes); before,
        // the append doubled the buffer (2 copies' worth) and the trim copied it exactly again.
        var options = new ProgramOptions { MaxRememberedEventIds = 16_384 };
        var state = new MemberState { MemberId = "M-1" };
        for (var i = 0; i < 16_384 + 2; i++)
        {
            EventIdWindow.Remember(state, $"pos-S001-{i:D6}", options, ShanghaiNoon, 1);
        }

        var dayBytes = 1 + (16_384 * 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 8; i++)
        {
            EventIdWindow.Remember(state, $"pos-S002-{i:D6}", options, ShanghaiNoon, 2);
        }

        var perId = (GC.GetAllocatedBytesForCurrentThread() - before) / 8;
        Assert.True(perId < dayBytes * 3 / 2, $"{perId} bytes per id at the cap (the day is {dayBytes} bytes)");
        Assert.Equal(16_384, EventIdWindow.Count(state));
        Assert.Equal(dayBytes, state.EventIdsByDay![DateOnly.FromDateTime(ShanghaiNoon.UtcDateTime)].Length);
        Assert.Equal((ushort)2, EventIdWindow.Find(state, "pos-S002-000007", ShanghaiNoon));
        Assert.Null(EventIdWindow.Find(state, "pos-S001-000009", ShanghaiNoon));
        Assert.Equal((ushort)1, EventIdWindow.Find(state, "pos-S001-016385", ShanghaiNoon));
    }
}
