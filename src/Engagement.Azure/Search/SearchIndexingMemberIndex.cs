using Engagement.Grains.Campaigns;

namespace Engagement.Azure.Search;

/// <summary>
/// The campaign member index with the support search index kept beside it: every row the member grain writes (on a
/// change of tier, phone or another indexed attribute) also updates the member's search rows.
/// </summary>
public sealed class SearchIndexingMemberIndex(IMemberIndex inner, AzureTableMemberSearch search) : IMemberIndex
{
    public int ShardCount => inner.ShardCount;

    public async Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await inner.UpsertAsync(entry, cancellationToken);
        await search.UpsertAsync(entry.MemberId, entry.Attributes.Phone, entry.Attributes.Tier, cancellationToken);
    }

    public Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default) =>
        inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
}
