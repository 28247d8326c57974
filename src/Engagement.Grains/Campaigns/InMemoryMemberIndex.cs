using System.Globalization;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>The member index in process memory, for grain tests and demos; same paging contract as the table.</summary>
public sealed class InMemoryMemberIndex(IOptions<CampaignOptions> options) : IMemberIndex
{
    private readonly SortedDictionary<string, MemberIndexEntry>[] _shards =
        [.. Enumerable.Range(0, options.Value.IndexShardCount).Select(_ => new SortedDictionary<string, MemberIndexEntry>(StringComparer.Ordinal))];

    public int ShardCount => _shards.Length;

    /// <summary>Rows written so far (each upsert counts), for tests that check members do not write per event.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private long _writes;

    public Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var shard = _shards[MemberIndexShards.ShardOf(entry.MemberId, ShardCount)];
        lock (shard)
        {
            shard[entry.MemberId] = entry;
        }

        Interlocked.Increment(ref _writes);
        return Task.CompletedTask;
    }

    public Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default)
    {
        var rows = _shards[shard];
        lock (rows)
        {
            // The continuation is the last row key read; rows are in ordinal key order as in a table partition.
            var page = rows.Values
                .Where(e => continuation is null || string.CompareOrdinal(e.MemberId, continuation) > 0)
                .Take(pageSize + 1)
                .ToList();
            var more = page.Count > pageSize;
            if (more)
            {
                page.RemoveAt(page.Count - 1);
            }

            return Task.FromResult(new MemberIndexPage(page, more ? page[^1].MemberId : null));
        }
    }

    /// <summary>Every row, for tests.</summary>
    public IReadOnlyList<MemberIndexEntry> All()
    {
        var all = new List<MemberIndexEntry>();
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                all.AddRange(shard.Values);
            }
        }

        return all;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"in-memory member index, {ShardCount} shards");
}
