using System.Globalization;
using Engagement.Domain.Campaigns;
using DomainHash = Engagement.Domain.Campaigns.StableHash;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// The member index: one row per member with the attributes audiences filter on, sharded so a campaign reads it in
/// parallel pages instead of waking every member grain. Kept current by the member grain (a row is written only
/// when one of the attributes changed) and rebuildable from the members themselves (<c>ReindexAsync</c>).
/// </summary>
public interface IMemberIndex
{
    /// <summary>Number of shards; a member's shard is <c>fnv1a32(memberId) mod ShardCount</c>.</summary>
    int ShardCount { get; }

    /// <summary>Writes (replaces) the member's row.</summary>
    Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default);

    /// <summary>One page of a shard, in row-key order; pass the returned continuation to read on (null: the shard is done).</summary>
    Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default);
}

/// <summary>One row of the index.</summary>
public sealed record MemberIndexEntry(string MemberId, MemberAttributes Attributes, DateTimeOffset UpdatedAt);

/// <summary>A page of rows and where to continue.</summary>
public sealed record MemberIndexPage(IReadOnlyList<MemberIndexEntry> Entries, string? Continuation);

/// <summary>Shard arithmetic shared by every index implementation.</summary>
public static class MemberIndexShards
{
    public static int ShardOf(string memberId, int shardCount) => (int)(DomainHash.Fnv1a32(memberId) % (uint)shardCount);

    /// <summary>The shard as the table's partition key: three digits, <c>000</c>…<c>999</c>.</summary>
    public static string PartitionKey(int shard) => shard.ToString("D3", CultureInfo.InvariantCulture);
}
