using System.Collections.Concurrent;
using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The member index with upserts that time out for chosen members (and the shard reads of chosen campaigns), as an Azure SDK request does: a
/// <see cref="TaskCanceledException"/> nobody asked for.
/// </summary>
public sealed class TimingOutMemberIndex(IMemberIndex inner, IndexTimeouts timeouts, IGrainContextAccessor grains) : IMemberIndex
{
    public int ShardCount => inner.ShardCount;

    public Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default) =>
        timeouts.TimesOut(entry.MemberId)
            ? throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.")
            : inner.UpsertAsync(entry, cancellationToken);

    public Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default) =>
        timeouts.ReadsTimeOut(grains.GrainContext?.GrainId)
            ? throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.")
            : inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
}

/// <summary>The members whose index upserts time out, and the campaigns whose shard reads do; none unless a test adds its own.</summary>
public sealed class IndexTimeouts
{
    private readonly ConcurrentDictionary<string, int> _members = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, byte> _readers = new(StringComparer.Ordinal);

    /// <summary>
    /// Every shard read made by campaign <paramref name="campaignId"/>'s grain (its fan-out) times out from now on, until
    /// <see cref="ReadsWork"/>; other campaigns' reads (tests running beside it) are untouched.
    /// </summary>
    public void ReadsTimeOutFor(string campaignId) => _readers[campaignId] = 0;

    /// <summary>Campaign <paramref name="campaignId"/>'s shard reads work again.</summary>
    public void ReadsWork(string campaignId) => _readers.TryRemove(campaignId, out _);

    /// <summary>
    /// True when the read is made by a campaign grain whose reads time out: <paramref name="caller"/> is the grain whose
    /// turn makes the call (<see cref="IGrainContextAccessor"/>), null outside any grain.
    /// </summary>
    public bool ReadsTimeOut(GrainId? caller) =>
        caller is { } grain && !_readers.IsEmpty && _readers.ContainsKey(grain.Key.ToString()!);

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
