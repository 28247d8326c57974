using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The pulling agent's cache of one queue, which releases each delivered item on its own. Orleans'
/// <c>SimpleQueueCache</c> purges whole buckets oldest first and stops at the first bucket a cursor points into,
/// and reports pressure (the agent stops reading) once ten buckets are open: one slow member held every message
/// behind it on the queue and stopped the drain (issue 10: up to 21 s). Here each item belongs to its stream's
/// own log, and is released as soon as every cursor of <em>its</em> stream has moved past it — that is, once its
/// consumer's handler returned (the member wrote its state): delete-after-durable-write is kept, per item.
/// </summary>
/// <remarks>
/// <para>Contract with the agent (Orleans 10.4, <c>BatchContainerBatchSize = 1</c>): a cursor's <c>MoveNext</c>
/// is called for the next item only after the delivery of the current one completed; a failed delivery is
/// flagged by <c>RecordDeliveryFailure</c> before the cursor moves on. A flagged item is dropped from the cache
/// without being reported as delivered, so its message is not deleted and the queue hands it out again.</para>
/// <para>A cursor asked for without a token starts at the oldest item of its stream still cached (the agent asks
/// so only after an error): an item redelivered is deduped by the member, an item skipped would be lost.</para>
/// <para>Items of one stream are purged as a prefix of its log; a token older than the stream's oldest cached
/// item is a <see cref="QueueCacheMissException"/>, as in <c>SimpleQueueCache</c>.</para>
/// <para>The agent calls a cache from its own scheduler, one turn at a time; the lock only keeps the counters
/// honest for readers on other threads.</para>
/// </remarks>
public sealed partial class EngagementQueueCache : IQueueCache
{
    private readonly int _capacity;
    private readonly int _itemsPerMessage;
    private readonly ILogger _logger;
    private readonly Dictionary<StreamId, StreamLog> _streams = [];
    private readonly HashSet<StreamLog> _withItems = [];
    private readonly Lock _gate = new();
    private int _count;

    /// <param name="capacity">Items (events) held at most.</param>
    /// <param name="itemsPerMessage">Items one queue message can add (a batch message: up to 100 events).</param>
    /// <param name="logger">Where late (failed, to be redelivered) events are named.</param>
    public EngagementQueueCache(int capacity, int itemsPerMessage, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemsPerMessage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, itemsPerMessage);
        _capacity = capacity;
        _itemsPerMessage = itemsPerMessage;
        _logger = logger;
    }

    /// <summary>Items held now: added, not yet purged.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// Queue messages the agent may read next: as many as are sure to fit, and at least 1 while some item is
    /// ready to be purged.
    /// </summary>
    /// <remarks>
    /// The agent (Orleans' <c>PumpQueue</c>) skips its whole read when this is 0, and that read is the only place
    /// it purges the cache and reports purged items delivered (their messages deleted): a cache full of delivered
    /// items would never be emptied, and its queue never read again while the silo keeps the queue's lease. Items
    /// whose lease was dropped (a lost renewal, <see cref="IngestionOptions.MaxHoldTime"/>, a copy received again)
    /// are not counted by the receiver's read-ahead and can fill the cache that way. So a purgeable item lets the
    /// read start; the agent purges first, then checks <see cref="IsUnderPressure"/>, which still holds the
    /// receive back until a batch message surely fits.
    /// </remarks>
    public int GetMaxAddCount()
    {
        lock (_gate)
        {
            var fit = Fit();
            return fit > 0 ? fit : AnyPurgeable() ? 1 : 0;
        }
    }

    /// <summary>Under pressure when not even one more message of the largest size would fit.</summary>
    public bool IsUnderPressure()
    {
        lock (_gate)
        {
            return Fit() == 0;
        }
    }

    public void AddToCache(IList<IBatchContainer> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        lock (_gate)
        {
            foreach (var message in messages)
            {
                var log = LogOf(message.StreamId);
                if (log.Items.Count > 0 && message.SequenceToken.CompareTo(log.Items.Last!.Value.Token) <= 0)
                {
                    throw new InvalidOperationException($"Items of one stream must be added in sequence order: {message.SequenceToken} after {log.Items.Last.Value.Token}.");
                }

                log.Items.AddLast(new Item(message));
                _withItems.Add(log);
                _count++;
            }
        }
    }

    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        purgedItems = null;
        lock (_gate)
        {
            if (_withItems.Count == 0)
            {
                return false;
            }

            var purged = new List<IBatchContainer>();
            List<StreamLog>? emptied = null;
            foreach (var log in _withItems)
            {
                while (log.Items.First is { } first && log.Done(first.Value))
                {
                    log.Items.RemoveFirst();
                    _count--;
                    if (!first.Value.Failed)
                    {
                        purged.Add(first.Value.Container);
                    }
                }

                if (log.Items.Count == 0)
                {
                    (emptied ??= []).Add(log);
                }
            }

            foreach (var log in emptied ?? [])
            {
                _withItems.Remove(log);
                ForgetIfIdle(log);
            }

            if (purged.Count == 0)
            {
                return false;
            }

            purgedItems = purged;
            return true;
        }
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        var result = TryGetCacheCursor(streamId, token);
        return result.Cursor ?? throw result.CacheMiss!.Value.ToException();
    }

    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        lock (_gate)
        {
            var log = LogOf(streamId);
            if (token is not null && log.Items.First is { } oldest && token.CompareTo(oldest.Value.Token) < 0)
            {
                ForgetIfIdle(log);
                return QueueCacheCursorResult<IQueueCacheCursor>.FromCacheMiss(new QueueCacheMissInfo(token, oldest.Value.Token, log.Items.Last!.Value.Token));
            }

            var cursor = new EngagementQueueCacheCursor(this, log, token);
            log.Cursors.Add(cursor);
            return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(cursor);
        }
    }

    /// <summary>The item after the cursor's position in its stream, or null; moves the cursor onto it.</summary>
    internal IBatchContainer? Advance(EngagementQueueCacheCursor cursor)
    {
        lock (_gate)
        {
            for (var node = cursor.Log.Items.First; node is not null; node = node.Next)
            {
                if (cursor.Wants(node.Value))
                {
                    cursor.MoveTo(node.Value);
                    return node.Value.Container;
                }
            }

            cursor.MovePastEnd();
            return null;
        }
    }

    internal void RecordDeliveryFailure(EngagementQueueCacheCursor cursor)
    {
        Item? failed;
        lock (_gate)
        {
            failed = cursor.Current;
            if (failed is null)
            {
                return;
            }

            failed.Failed = true;
        }

        // Later events of this member go on; this one comes back from the queue after them (CONTRACT.md §1.1:
        // the member applies it as of its occurredAt). Named here so a late apply is never silent.
        if (failed.Container is EngagementBatchContainer { Event: { } evt } container)
        {
            LogLate(evt.EventId, evt.MemberId, evt.OccurredAt, container.MessageId);
        }
        else
        {
            LogLateItem(failed.Container.ToString() ?? "?");
        }
    }

    internal void Release(EngagementQueueCacheCursor cursor)
    {
        lock (_gate)
        {
            cursor.Log.Cursors.Remove(cursor);
            ForgetIfIdle(cursor.Log);
        }
    }

    /// <summary>Messages of the largest size that surely fit now (caller holds the lock).</summary>
    private int Fit() => Math.Max(0, (_capacity - _count) / _itemsPerMessage);

    /// <summary>Whether a purge would release something: some stream's oldest item is done (caller holds the lock).</summary>
    private bool AnyPurgeable()
    {
        foreach (var log in _withItems)
        {
            if (log.Items.First is { } first && log.Done(first.Value))
            {
                return true;
            }
        }

        return false;
    }

    private StreamLog LogOf(StreamId streamId)
    {
        if (!_streams.TryGetValue(streamId, out var log))
        {
            log = new StreamLog(streamId);
            _streams.Add(streamId, log);
        }

        return log;
    }

    private void ForgetIfIdle(StreamLog log)
    {
        if (log.Items.Count == 0 && log.Cursors.Count == 0)
        {
            _streams.Remove(log.StreamId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MemberEventId} of member {MemberId} (occurred {OccurredAt}, message {MessageId}) failed delivery; later events of the member go on and this one comes back from the queue after them, to be applied late as of its occurredAt")]
    private partial void LogLate(string memberEventId, string memberId, DateTimeOffset occurredAt, string? messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item {Item} failed delivery; it is left on the queue and comes back after later items of its stream")]
    private partial void LogLateItem(string item);

    /// <summary>One cached item: the agent's container, its token, and whether its delivery finally failed.</summary>
    internal sealed class Item(IBatchContainer container)
    {
        public IBatchContainer Container { get; } = container;

        public StreamSequenceToken Token { get; } = container.SequenceToken;

        public bool Failed { get; set; }
    }

    /// <summary>The cached items of one stream, oldest first, and the cursors reading them.</summary>
    internal sealed class StreamLog(StreamId streamId)
    {
        public StreamId StreamId { get; } = streamId;

        public LinkedList<Item> Items { get; } = new();

        public HashSet<EngagementQueueCacheCursor> Cursors { get; } = [];

        /// <summary>Whether every cursor of this stream is past the item (true when none reads it: nobody will).</summary>
        public bool Done(Item item)
        {
            foreach (var cursor in Cursors)
            {
                if (!cursor.IsPast(item))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
