using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Reads one stream's items from an <see cref="EngagementQueueCache"/>. The item last returned stays
/// <em>current</em> — held in the cache — until the agent asks for the next one (which it does only after the
/// delivery finished) or disposes the cursor; items before it are done and may be released.
/// </summary>
public sealed class EngagementQueueCacheCursor : IQueueCacheCursor
{
    private readonly EngagementQueueCache _cache;
    private readonly StreamSequenceToken? _start;
    private EngagementQueueCache.Item? _last;
    private bool _disposed;

    internal EngagementQueueCacheCursor(EngagementQueueCache cache, EngagementQueueCache.StreamLog log, StreamSequenceToken? start)
    {
        _cache = cache;
        Log = log;
        _start = start;
    }

    internal EngagementQueueCache.StreamLog Log { get; }

    /// <summary>The item being delivered, or null before the first <see cref="MoveNext"/> and once none is left.</summary>
    internal EngagementQueueCache.Item? Current { get; private set; }

    public IBatchContainer? GetCurrent(out Exception? exception)
    {
        exception = null;
        return Current?.Container;
    }

    public QueueCacheCursorMoveResult MoveNextWithResult() =>
        !_disposed && _cache.Advance(this) is not null ? QueueCacheCursorMoveResult.Success : QueueCacheCursorMoveResult.NoData;

    /// <summary>Kept for callers of the older contract; <see cref="MoveNextWithResult"/> is what the agent calls.</summary>
    public bool MoveNext() => MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success;

    /// <summary>Nothing to do: a cursor always looks at its stream's log as it is now, so new items are seen.</summary>
    public void Refresh(StreamSequenceToken token)
    {
    }

    public void RecordDeliveryFailure() => _cache.RecordDeliveryFailure(this);

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Current = null;
            _cache.Release(this);
        }
    }

    public override string ToString() => $"[{nameof(EngagementQueueCacheCursor)} {Log.StreamId} at {Current?.Token ?? _last?.Token ?? _start}]";

    /// <summary>Whether the next <see cref="MoveNext"/> would return this item (the first such in the log).</summary>
    internal bool Wants(EngagementQueueCache.Item item) =>
        _last is not null ? item.Token.CompareTo(_last.Token) > 0
        : _start is null || item.Token.CompareTo(_start) >= 0;

    /// <summary>Whether this cursor is done with the item: it moved past it, or started after it.</summary>
    internal bool IsPast(EngagementQueueCache.Item item) =>
        Current is not null ? item.Token.CompareTo(Current.Token) < 0
        : _last is not null ? item.Token.CompareTo(_last.Token) <= 0
        : _start is not null && item.Token.CompareTo(_start) < 0;

    internal void MoveTo(EngagementQueueCache.Item item) => Current = _last = item;

    internal void MovePastEnd() => Current = null;
}
