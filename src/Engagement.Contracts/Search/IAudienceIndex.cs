namespace Engagement.Contracts.Search;

/// <summary>
/// The campaign member index as the audience estimate reads it (<c>POST /api/v1/campaigns/audience-estimate</c>):
/// shards of rows with the attributes audiences filter on, read page by page, never a member grain. The silo's
/// implementation reads the same index a campaign's fan-out pages through.
/// </summary>
public interface IAudienceIndex
{
    /// <summary>Number of shards; a member's shard is <c>fnv1a32(memberId) mod ShardCount</c>, so each shard is a hash-random share of the members.</summary>
    int ShardCount { get; }

    /// <summary>Percent (0–15) of all members in the programme-wide hold-out (<c>Engagement:Campaigns:GlobalControlPercent</c>).</summary>
    int GlobalControlPercent { get; }

    /// <summary>One page of a shard (at most <paramref name="pageSize"/> rows); pass the returned continuation to read on (null: the shard is done).</summary>
    Task<AudienceIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default);
}

/// <summary>One member's row: the attributes a campaign audience filters on.</summary>
public sealed record AudienceIndexRow(
    string MemberId, string Tier, string Segment, string ValueClass, string Stage, string Region, IReadOnlyList<string> Tags);

/// <summary>A page of rows and where to continue (null when the shard is done).</summary>
public sealed record AudienceIndexPage(IReadOnlyList<AudienceIndexRow> Rows, string? Continuation);
