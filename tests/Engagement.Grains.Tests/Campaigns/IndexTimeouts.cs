using System.Collections.Concurrent;
using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The member index with upserts that time out for chosen members (and shard reads, when told), as an Azure SDK request does: a
/// <see cref="TaskCanceledException"/> nobody asked for.
/// </summary>
public sealed class TimingOutMemberIndex(IMemberIndex inner, IndexTimeouts timeouts) : IMemberIndex
{
    public int ShardCount => inner.ShardCount;

    public Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default) =>
        timeouts.TimesOut(entry.MemberId)
            ? throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.")
            : inner.UpsertAsync(entry, cancellationToken);

    public Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default) =>
        timeouts.ReadsTimeOut
            ? throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.")
            : inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
}

/// <summary>The members whose index upserts time out; none unless a test adds its own.</summary>
public sealed class IndexTimeouts
{
    private readonly ConcurrentDictionary<string, int> _members = new(StringComparer.Ordinal);

    private volatile bool _reads;

    /// <summary>While true, every shard read (a campaign's fan-out, whichever campaign) times out.</summary>
    public bool ReadsTimeOut
    {
        get => _reads;
        set => _reads = value;
    }

    public void Add(string memberId) => _members[memberId] = 0;

    public void Remove(string memberId) => _members.TryRemove(memberId, out _);

    /// <summary>True (and counted) when <paramref name="memberId"/>'s upserts time out.</summary>
    public bool TimesOut(string memberId)
    {
        if (!_members.ContainsKey(memberId))
        {
            return false;
        }

        _members.AddOrUpdate(memberId, 1, (_, n) => n + 1);
        return true;
    }

    /// <summary>How many upserts of <paramref name="memberId"/> timed out.</summary>
    public int Count(string memberId) => _members.GetValueOrDefault(memberId);
}
