namespace Engagement.Api.Audience;

/// <summary>
/// How many members a campaign's audience criteria select, and how they split into arms, the campaign's control and
/// the global control — before the campaign is triggered. Counts are members; <see cref="Exact"/> tells whether the
/// whole member index was read or a hash-random share of its shards (then the counts are scaled up and
/// <see cref="Low"/>–<see cref="High"/> is a 95% interval).
/// </summary>
public sealed record AudienceEstimate
{
    /// <summary>Members matching the audience criteria (estimated unless <see cref="Exact"/>).</summary>
    public required long Members { get; init; }

    /// <summary>Lower end of the 95% interval of <see cref="Members"/>; equals it when exact.</summary>
    public required long Low { get; init; }

    /// <summary>Upper end of the 95% interval of <see cref="Members"/>; equals it when exact.</summary>
    public required long High { get; init; }

    /// <summary>True when every shard of the index was read.</summary>
    public required bool Exact { get; init; }

    /// <summary>Index rows read to answer (bounded by <see cref="AudienceOptions.MaxRowsRead"/> plus the shards in flight).</summary>
    public required long RowsRead { get; init; }

    public required int ShardsRead { get; init; }

    public required int ShardCount { get; init; }

    /// <summary>The split: each arm by name, then <c>control</c> and <c>global_control</c>, as the campaign would assign them.</summary>
    public required IReadOnlyList<AudienceGroup> Groups { get; init; }
}

/// <summary>One group of the split.</summary>
/// <param name="Group"><c>arm</c>, <c>control</c> or <c>global_control</c>.</param>
/// <param name="Arm">The arm's name for <c>arm</c>; null otherwise.</param>
/// <param name="Members">Members in the group (scaled like <see cref="AudienceEstimate.Members"/>).</param>
public sealed record AudienceGroup(string Group, string? Arm, long Members);
