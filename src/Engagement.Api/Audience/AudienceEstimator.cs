using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Search;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Audience;

/// <summary>Bounds of the audience estimate, bound from <c>Engagement:Api:Audience</c>.</summary>
public sealed class AudienceOptions
{
    public const string SectionName = "Engagement:Api:Audience";

    /// <summary>
    /// Index rows one estimate reads before it stops starting shards (1,000–1,000,000). Default 10,000: with 100,000
    /// members in 64 shards that is about 7 shards, answered from a few dozen table pages. When the whole index is
    /// smaller, the count is exact.
    /// </summary>
    public int MaxRowsRead { get; set; } = 10_000;

    /// <summary>Index rows per page read (1–1,000). Default 1,000 (the table service's largest page).</summary>
    public int PageSize { get; set; } = 1_000;

    /// <summary>Shards read at once (1–16). Default 4.</summary>
    public int ShardConcurrency { get; set; } = 4;
}

/// <summary>
/// Counts a campaign's audience from the member index (<see cref="IAudienceIndex"/>), never from member grains, with the
/// domain's own rules: <see cref="AudienceCriteria.Matches"/> for who is in, <see cref="CampaignAssignment"/> for the split.
/// </summary>
/// <remarks>
/// Shards are read whole, in shard order, until <see cref="AudienceOptions.MaxRowsRead"/> rows were read; shards are
/// hash-random shares of the members, so the shards read are a cluster sample: the estimate is the mean count per
/// shard read times the shard count, and its 95% interval ± Student's t standard errors (the per-shard variance at
/// least the Poisson one, with the finite-population correction). The cost is bounded by the budget, not by the number of members.
/// </remarks>
public sealed class AudienceEstimator(IAudienceIndex index, IOptions<AudienceOptions> options)
{
    /// <summary>Estimates the audience of <paramref name="definition"/> (its id, audience, arms and control share; the rest is ignored).</summary>
    public async Task<AudienceEstimate> EstimateAsync(CampaignDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var normalized = CampaignDefinitions.Normalize(definition);
        var criteria = ToCriteria(normalized.Audience);
        var arms = normalized.Arms;
        var weights = arms.Select(a => a.Weight).ToArray();
        var controlShare = normalized.ControlShare ?? CampaignDefinitions.DefaultControlShare;
        var globalPercent = index.GlobalControlPercent;
        var o = options.Value;

        var shardCount = index.ShardCount;
        var perShard = new List<ShardTally>();
        long rowsRead = 0;
        var next = 0;
        var workers = Enumerable.Range(0, Math.Min(o.ShardConcurrency, shardCount)).Select(async _ =>
        {
            while (Interlocked.Read(ref rowsRead) < o.MaxRowsRead)
            {
                var shard = Interlocked.Increment(ref next) - 1;
                if (shard >= shardCount)
                {
                    return;
                }

                var tally = new ShardTally(arms.Count);
                string? continuation = null;
                do
                {
                    var page = await index.ReadShardAsync(shard, continuation, o.PageSize, cancellationToken);
                    Interlocked.Add(ref rowsRead, page.Rows.Count);
                    foreach (var row in page.Rows.Where(r => criteria.Matches(ToAttributes(r))))
                    {
                        tally.Matched++;
                        if (CampaignAssignment.IsGlobalControl(row.MemberId, globalPercent))
                        {
                            tally.GlobalControl++;
                            continue;
                        }

                        var arm = CampaignAssignment.Assign(normalized.Id, row.MemberId, controlShare, weights);
                        if (arm < 0)
                        {
                            tally.Control++;
                        }
                        else
                        {
                            tally.Arms[arm]++;
                        }
                    }

                    continuation = page.Continuation;
                }
                while (continuation is not null);

                lock (perShard)
                {
                    perShard.Add(tally);
                }
            }
        });
        await Task.WhenAll(workers);
        return Summarize(perShard, shardCount, rowsRead, arms);
    }

    private static AudienceEstimate Summarize(List<ShardTally> shards, int shardCount, long rowsRead, IReadOnlyList<CampaignArm> arms)
    {
        var k = shards.Count;
        var exact = k == shardCount;
        var scale = k == 0 ? 0 : (double)shardCount / k;
        long Scale(long sampled) => exact ? sampled : (long)Math.Round(sampled * scale, MidpointRounding.AwayFromZero);

        var matched = shards.Sum(s => s.Matched);
        var members = Scale(matched);
        long low = members, high = members;
        if (!exact && k > 0)
        {
            var mean = (double)matched / k;
            // A shard's count is close to binomial (members land in shards by hash), so its variance is at least about
            // its mean; a handful of shards can look more alike than that by chance, so the larger of the two is used.
            var sampleVariance = k > 1 ? shards.Sum(s => (s.Matched - mean) * (s.Matched - mean)) / (k - 1) : 0;
            var variance = Math.Max(sampleVariance, mean);
            var standardError = shardCount * Math.Sqrt(variance / k * (1 - (double)k / shardCount));
            var z = StudentT975(k - 1);
            low = Math.Max(matched, (long)Math.Floor(members - (z * standardError)));
            high = (long)Math.Ceiling(members + (z * standardError));
        }

        var groups = arms.Select((a, i) => new AudienceGroup(CampaignGroups.Arm, a.Name, Scale(shards.Sum(s => s.Arms[i]))))
            .Append(new AudienceGroup(CampaignGroups.Control, null, Scale(shards.Sum(s => s.Control))))
            .Append(new AudienceGroup(CampaignGroups.GlobalControl, null, Scale(shards.Sum(s => s.GlobalControl))))
            .ToList();
        return new AudienceEstimate
        {
            Members = members,
            Low = low,
            High = high,
            Exact = exact,
            RowsRead = rowsRead,
            ShardsRead = k,
            ShardCount = shardCount,
            Groups = groups,
        };
    }

    /// <summary>The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom (two-sided 95%); 1.96 from 30 on.</summary>
    private static double StudentT975(int df) => df switch
    {
        <= 1 => 12.71,
        2 => 4.30,
        3 => 3.18,
        4 => 2.78,
        5 => 2.57,
        6 => 2.45,
        7 => 2.36,
        8 => 2.31,
        9 => 2.26,
        < 15 => 2.20,
        < 20 => 2.13,
        < 30 => 2.09,
        _ => 1.96,
    };

    private static AudienceCriteria ToCriteria(CampaignAudience? audience) => new()
    {
        Tiers = audience?.Tiers ?? [],
        Segments = audience?.Segments ?? [],
        ValueClasses = audience?.ValueClasses ?? [],
        Stages = audience?.Stages ?? [],
        Regions = audience?.Regions ?? [],
        Tags = audience?.Tags ?? [],
    };

    private static MemberAttributes ToAttributes(AudienceIndexRow row) => new()
    {
        Tier = row.Tier,
        Segment = row.Segment,
        ValueClass = row.ValueClass,
        Stage = row.Stage,
        Region = row.Region,
        Tags = row.Tags,
    };

    private sealed class ShardTally(int arms)
    {
        public long Matched { get; set; }

        public long Control { get; set; }

        public long GlobalControl { get; set; }

        public long[] Arms { get; } = new long[arms];
    }
}
