using Engagement.Azure.Streaming;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// Issue 10 §8: the agent's cache releases each delivered item on its own, so one slow member never holds the
/// queue behind it; an item is released only after its stream's cursor moved past it (delivered and applied).
/// The tests play the pulling agent: MoveNext for the next item only after the one before was delivered.
/// </summary>
public sealed class QueueCacheTests
{
    private static long _sequence;

    private static EngagementBatchContainer Item(string memberId, string eventId) => new()
    {
        StreamId = StreamId.Create(StreamNames.MemberEvents, memberId),
        Event = new EngagementEvent
        {
            EventId = eventId,
            Type = EventTypes.Login,
            MemberId = memberId,
            OccurredAt = ReceiverRig.OccurredAt,
        },
        Token = new EventSequenceTokenV2(Interlocked.Increment(ref _sequence)),
        MessageId = "msg-" + eventId,
        PopReceipt = "r",
    };

    private static List<string> Purge(EngagementQueueCache cache) =>
        cache.TryPurgeFromCache(out var purged) ? purged.Cast<EngagementBatchContainer>().Select(c => c.Event.EventId).ToList() : [];

    private static string? Next(IQueueCacheCursor cursor) =>
        cursor.MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success ? ((EngagementBatchContainer)cursor.GetCurrent(out _)!).Event.EventId : null;

    [Fact]
    public void ASlowMembersItemHoldsOnlyItselfWhileEveryOtherMembersDeliveredItemsAreReleased()
    {
        var cache = new EngagementQueueCache(4096, 100, new LogCapture());
        var slow = Item("slow", "s1");
        cache.AddToCache([slow, Item("fast", "f1"), Item("fast", "f2"), Item("slow", "s2"), Item("other", "o1")]);
        using var slowCursor = cache.GetCacheCursor(slow.StreamId, slow.Token);
        using var fastCursor = cache.GetCacheCursor(StreamId.Create(StreamNames.MemberEvents, "fast"), null);
        using var otherCursor = cache.GetCacheCursor(StreamId.Create(StreamNames.MemberEvents, "other"), null);

        Assert.Equal("s1", Next(slowCursor)); // being delivered: its handler has not returned
        Assert.Equal("f1", Next(fastCursor));
        Assert.Empty(Purge(cache)); // f1 is being delivered too
        Assert.Equal("f2", Next(fastCursor));
        Assert.Equal(["f1"], Purge(cache));
        Assert.Null(Next(fastCursor));
        Assert.Equal("o1", Next(otherCursor));
        Assert.Null(Next(otherCursor));

        Assert.Equal(["f2", "o1"], Purge(cache).Order());
        Assert.Equal(2, cache.Count);

        Assert.Equal("s2", Next(slowCursor));
        Assert.Equal(["s1"], Purge(cache));
        Assert.Null(Next(slowCursor));
        Assert.Equal(["s2"], Purge(cache));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void AnItemAddedAfterAStreamDrainedIsDeliveredAndHeldUntilItsCursorMovesOn()
    {
        var cache = new EngagementQueueCache(4096, 100, new LogCapture());
        var first = Item("m", "a");
        cache.AddToCache([first]);
        using var cursor = cache.GetCacheCursor(first.StreamId, first.Token);
        Assert.Equal("a", Next(cursor));
        Assert.Null(Next(cursor));
        Assert.Equal(["a"], Purge(cache));

        cache.AddToCache([Item("m", "b")]);
        Assert.Empty(Purge(cache));
        Assert.Equal("b", Next(cursor));
        Assert.Empty(Purge(cache));
        Assert.Null(Next(cursor));
        Assert.Equal(["b"], Purge(cache));
    }

    [Fact]
    public void ANewStreamsItemIsPinnedByTheRegistrationCursorUntilTheConsumersCursorExists()
    {
        var cache = new EngagementQueueCache(4096, 100, new LogCapture());
        var item = Item("new", "n1");
        cache.AddToCache([item]);
        var pin = cache.GetCacheCursor(item.StreamId, item.Token);
        Assert.Empty(Purge(cache));

        using var consumer = cache.GetCacheCursor(item.StreamId, item.Token);
        pin.Dispose();
        Assert.Empty(Purge(cache));
        Assert.Equal("n1", Next(consumer));
        Assert.Null(Next(consumer));
        Assert.Equal(["n1"], Purge(cache));
    }

    [Fact]
    public void AFailedItemLeavesTheCacheUnreportedSoItsMessageIsNotDeletedAndTheLateEventIsNamed()
    {
        var log = new LogCapture();
        var cache = new EngagementQueueCache(4096, 100, log);
        var failing = Item("m", "late-1");
        cache.AddToCache([failing, Item("m", "after-1")]);
        using var cursor = cache.GetCacheCursor(failing.StreamId, failing.Token);

        Assert.Equal("late-1", Next(cursor));
        cursor.RecordDeliveryFailure();
        Assert.Equal("after-1", Next(cursor));
        Assert.Null(Next(cursor));

        Assert.Equal(["after-1"], Purge(cache));
        Assert.Equal(0, cache.Count);
        var line = Assert.Single(log.Lines(LogLevel.Warning, "late-1"));
        Assert.Contains("member m", line, StringComparison.Ordinal);
        Assert.Contains("msg-late-1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFailedDeliveryLineWrittenThroughSerilogNamesTheEventsIdNotTheLoggersEventId()
    {
        using var serilog = new SerilogLines();
        var cache = new EngagementQueueCache(4096, 100, serilog.CreateLogger(typeof(EngagementQueueCache).FullName!));
        var failing = Item("m-serilog", "late-serilog-1");
        cache.AddToCache([failing]);
        using var cursor = cache.GetCacheCursor(failing.StreamId, failing.Token);

        Assert.Equal("late-serilog-1", Next(cursor));
        cursor.RecordDeliveryFailure();
        Assert.Null(Next(cursor));

        // Before the property was renamed the silo printed `Event {"Id": 122428180, "Name": "LogLate"} of member …`.
        var line = Assert.Single(serilog.Lines, l => l.Contains("failed delivery", StringComparison.Ordinal));
        Assert.StartsWith("Event late-serilog-1 of member m-serilog (occurred", line, StringComparison.Ordinal);
    }

    [Fact]
    public void NoLogTemplateOfTheEngineNamesAPropertyEventIdWhichSerilogFillsWithTheLoggersOwnEventId()
    {
        Type[] inAssemblies = [typeof(EngagementQueueCache), typeof(Engagement.Grains.Hosting.GrainsHostingExtensions)];
        var templates = inAssemblies.Select(t => t.Assembly).Distinct()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttributes(typeof(LoggerMessageAttribute), false).OfType<LoggerMessageAttribute>().FirstOrDefault()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.NotEmpty(templates);
        Assert.Empty(templates
            .Where(m => m.Attribute!.Message.Contains("{EventId", StringComparison.OrdinalIgnoreCase))
            .Select(m => $"{m.Method.DeclaringType}.{m.Method.Name}: {m.Attribute!.Message}"));
    }

    [Fact]
    public void ACursorWithoutATokenStartsAtTheOldestCachedItemOfItsStreamAndATokenOlderThanThatIsACacheMiss()
    {
        var cache = new EngagementQueueCache(4096, 100, new LogCapture());
        var gone = Item("m", "gone");
        var kept = Item("m", "kept");
        cache.AddToCache([gone, kept]);
        using (var first = cache.GetCacheCursor(gone.StreamId, gone.Token))
        {
            Assert.Equal("gone", Next(first));
            Assert.Equal("kept", Next(first));
            Assert.Equal(["gone"], Purge(cache));
        }

        Assert.Throws<QueueCacheMissException>(() => cache.GetCacheCursor(gone.StreamId, gone.Token));
        using var again = cache.GetCacheCursor(gone.StreamId, null);
        Assert.Equal("kept", Next(again));
    }

    [Fact]
    public void TheAgentReadsOnlyAsManyMessagesAsSurelyFitAndIsUnderPressureWhenNotOneBatchMessageWould()
    {
        var cache = new EngagementQueueCache(250, 100, new LogCapture());
        Assert.Equal(2, cache.GetMaxAddCount());
        var held = Item("held", "h0");
        cache.AddToCache([held]);
        using var cursor = cache.GetCacheCursor(held.StreamId, held.Token);
        Assert.Equal("h0", Next(cursor)); // being delivered: not purgeable
        cache.AddToCache(Enumerable.Range(1, 150).Select(i => (IBatchContainer)Item("held", "h" + i)).ToList());

        Assert.Equal(0, cache.GetMaxAddCount()); // full, and nothing to purge: the agent rests
        Assert.True(cache.IsUnderPressure());
    }

    [Fact]
    public void ACacheFullOfDeliveredItemsStillLetsTheAgentReadSoItPurgesThemAndReadsOn()
    {
        // The agent skips its read (where alone it purges and reports delivered) while GetMaxAddCount is 0: items
        // whose leases were dropped could otherwise fill the cache for good and stop the queue.
        var cache = new EngagementQueueCache(250, 100, new LogCapture());
        cache.AddToCache(Enumerable.Range(0, 151).Select(i => (IBatchContainer)Item("p" + i, "e" + i)).ToList());

        Assert.True(cache.GetMaxAddCount() > 0, "a purgeable cache lets the agent's read start");
        Assert.True(cache.IsUnderPressure(), "the read still waits for its purge before receiving");
        Assert.Equal(151, Purge(cache).Count); // no cursor reads these streams: all delivered
        Assert.False(cache.IsUnderPressure());
        Assert.Equal(2, cache.GetMaxAddCount());
    }
}
