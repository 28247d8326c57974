using Engagement.Contracts.Search;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Search;

/// <summary>The campaign member index (<see cref="IMemberIndex"/>) read for audience estimates: the same shards and pages a fan-out reads.</summary>
public sealed class MemberIndexAudience(IMemberIndex index, IOptions<CampaignOptions> options) : IAudienceIndex
{
    public int ShardCount => index.ShardCount;

    public int GlobalControlPercent => options.Value.GlobalControlPercent;

    public async Task<AudienceIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default)
    {
        var page = await index.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
        return new AudienceIndexPage(
            [.. page.Entries.Select(e => new AudienceIndexRow(
                e.MemberId, e.Attributes.Tier, e.Attributes.Segment, e.Attributes.ValueClass, e.Attributes.Stage, e.Attributes.Region, e.Attributes.Tags))],
            page.Continuation);
    }
}
