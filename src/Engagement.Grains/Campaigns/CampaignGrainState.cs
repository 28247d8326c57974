using Engagement.Contracts.Campaigns;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// What a campaign grain persists (System.Text.Json, like member state). Cursors and counters are written in one
/// state, so a checkpoint moves both together: after a crash the fan-out resumes from the last page both agree on.
/// </summary>
public sealed class CampaignGrainState
{
    /// <summary>Normalized definition; null until created.</summary>
    public CampaignDefinition? Definition { get; set; }

    public string Status { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? TriggeredAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>One cursor per member-index shard, fixed when the fan-out starts.</summary>
    public List<ShardCursor> Shards { get; set; } = [];

    /// <summary>Counters by group: each arm by its name, <c>control</c>, <c>global_control</c>.</summary>
    public Dictionary<string, GroupCounters> Groups { get; set; } = new(StringComparer.Ordinal);

    public long Ineligible { get; set; }

    public long BudgetSkipped { get; set; }

    /// <summary>Grants held by sent or deferred touches (committed pages and triggered grants).</summary>
    public long GrantsReserved { get; set; }

    public decimal CostReserved { get; set; }

    /// <summary>A broadcast stops delivering once a page could not reserve a grant.</summary>
    public bool BudgetExhausted { get; set; }
}

/// <summary>Where one shard's fan-out stands.</summary>
public sealed class ShardCursor
{
    public int Shard { get; set; }

    /// <summary>Audience counted in this shard (counting pass).</summary>
    public bool Counted { get; set; }

    public long Total { get; set; }

    /// <summary>The index continuation of the next page to deliver; null at the start (or when <see cref="Done"/>).</summary>
    public string? Continuation { get; set; }

    public bool Done { get; set; }

    /// <summary>
    /// Grants reserved, before any member is called, for the page at <see cref="Continuation"/> (write-ahead, so a
    /// crash mid-page cannot free budget that members already spent). Null when no page is in flight.
    /// </summary>
    public long? InFlightGrants { get; set; }

    public decimal InFlightCost { get; set; }
}

/// <summary>Counters of one group.</summary>
public sealed class GroupCounters
{
    public long Audience { get; set; }

    public long Sent { get; set; }

    public long Deferred { get; set; }

    public long Suppressed { get; set; }

    public long Converted { get; set; }

    public decimal Revenue { get; set; }

    /// <summary>Unit cost × sent grants.</summary>
    public decimal Cost { get; set; }

    public void Add(GroupCounters other)
    {
        Audience += other.Audience;
        Sent += other.Sent;
        Deferred += other.Deferred;
        Suppressed += other.Suppressed;
        Converted += other.Converted;
        Revenue += other.Revenue;
        Cost += other.Cost;
    }
}
