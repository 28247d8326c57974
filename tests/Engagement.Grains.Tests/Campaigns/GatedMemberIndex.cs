using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The in-memory member index with a gate a test can close on one page: the fan-out's read of that page waits until
/// the test opens it, so the test can act (pause) while a page is known to be in flight.
/// </summary>
public sealed class GatedMemberIndex(IMemberIndex inner, IndexGate gate) : IMemberIndex
{
    public int ShardCount => inner.ShardCount;

    public Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

    public async Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default)
    {
        var page = await inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
        await gate.PassAsync(page);
        return page;
    }
}

/// <summary>Holds the n-th read of the page that contains one member, until <see cref="Release"/>.</summary>
public sealed class IndexGate
{
    private readonly Lock _lock = new();
    private string? _memberId;
    private int _remaining;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Holds the <paramref name="nth"/> read of the page containing <paramref name="memberId"/> (a broadcast reads each
    /// page twice: counting, then delivering). The returned task completes when that read is being held.
    /// </summary>
    public Task HoldRead(string memberId, int nth)
    {
        lock (_lock)
        {
            (_memberId, _remaining) = (memberId, nth);
            _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }
    }

    /// <summary>Lets the held read (and every later one) through.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _memberId = null;
            _open.TrySetResult();
        }
    }

    internal Task PassAsync(MemberIndexPage page)
    {
        lock (_lock)
        {
            if (_memberId is null || !page.Entries.Any(e => e.MemberId == _memberId) || --_remaining > 0)
            {
                return Task.CompletedTask;
            }

            _memberId = null;
            _held.TrySetResult();
            return _open.Task;
        }
    }
}
