using Engagement.Contracts.Members;
using Engagement.Contracts.Touches;
using Engagement.Grains.Ports;

namespace Engagement.Bench.Infrastructure;

/// <summary>Counts ledger rows and keeps none: memory runs measure members, not an in-process archive.</summary>
internal sealed class CountingLedgerArchive : ILedgerArchive
{
    private long _rows;

    public long Rows => Interlocked.Read(ref _rows);

    public Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _rows, entries.Count);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LedgerEntryView>>([]);
}

/// <summary>Counts touches and keeps none.</summary>
internal sealed class CountingTouchOutbox : ITouchOutbox
{
    private long _touches;

    public long Touches => Interlocked.Read(ref _touches);

    public Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _touches, touches.Count);
        return Task.CompletedTask;
    }
}

/// <summary>Counts dead letters and keeps none.</summary>
internal sealed class CountingDeadLetterSink : IDeadLetterSink
{
    private long _letters;

    public long Letters => Interlocked.Read(ref _letters);

    public Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _letters);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The engine's clock in a bench silo: it shows <c>start</c> when made and then runs at real speed (measured on the
/// monotonic clock, so the wall clock's time of day or date never reaches the engine), moved forward on demand (a
/// lifecycle sweep needs a month to pass).
/// </summary>
internal sealed class ShiftableTime(DateTimeOffset start) : TimeProvider
{
    private readonly long _origin = System.GetTimestamp();
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(_origin) + Offset;
}
