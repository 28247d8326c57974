using System.Globalization;
using Engagement.Api.Audience;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Search;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Tests;

/// <summary>
/// The audience estimate's cost is bounded by its row budget, not by the member count: over an index of 100,000 rows
/// it reads a few shards and brackets the true count; over a small index it reads everything and is exact.
/// </summary>
public sealed class AudienceEstimatorTests
{
    private const int Shards = 64;
    private static readonly string[] Regions = ["east", "west", "north", "south", "central"];
    private static readonly string[] Tiers = ["V1", "V1", "V1", "V2", "V2", "V3", "V4"];

    [Fact]
    public async Task OverAHundredThousandMembersItReadsABoundedShareOfTheIndexAndBracketsTheTrueCount()
    {
        var index = new CountingIndex(100_000);
        var options = new AudienceOptions { MaxRowsRead = 10_000, PageSize = 1_000, ShardConcurrency = 4 };
        var definition = Definition(regions: ["east"], tiers: ["V2", "V3"]);

        var estimate = await new AudienceEstimator(index, Options.Create(options)).EstimateAsync(definition);

        var largestShard = index.ShardSizes.Max();
        Assert.False(estimate.Exact);
        Assert.Equal(index.RowsRead, estimate.RowsRead);
        Assert.InRange(index.RowsRead, options.MaxRowsRead, options.MaxRowsRead + (options.ShardConcurrency * largestShard));
        Assert.True(index.RowsRead < 100_000 / 5, $"read {index.RowsRead} rows of 100,000");
        Assert.True(index.PagesRead <= estimate.ShardsRead * ((largestShard / options.PageSize) + 1));
        var truth = index.Rows.Count(r => r.Region == "east" && r.Tier is "V2" or "V3");
        Assert.InRange(truth, estimate.Low, estimate.High);
        Assert.InRange(estimate.Members, truth * 0.85, truth * 1.15);
        // Each group is scaled and rounded on its own: the sum may differ from the total by the rounding of four groups.
        Assert.InRange(estimate.Groups.Sum(g => g.Members), estimate.Members - 2, estimate.Members + 2);
    }

    [Fact]
    public async Task OnASmallIndexItReadsEveryShardAndSplitsExactlyAsTheCampaignAssigns()
    {
        var index = new CountingIndex(2_000);
        var definition = Definition(regions: ["west"], tiers: []);

        var estimate = await new AudienceEstimator(index, Options.Create(new AudienceOptions())).EstimateAsync(definition);

        var matched = index.Rows.Where(r => r.Region == "west").ToList();
        var global = matched.Count(r => CampaignAssignment.IsGlobalControl(r.MemberId, index.GlobalControlPercent));
        var rest = matched.Where(r => !CampaignAssignment.IsGlobalControl(r.MemberId, index.GlobalControlPercent))
            .Select(r => CampaignAssignment.Assign(definition.Id, r.MemberId, 0.2, [1, 1])).ToList();
        Assert.True(estimate.Exact);
        Assert.Equal(2_000, estimate.RowsRead);
        Assert.Equal(Shards, estimate.ShardsRead);
        Assert.Equal(matched.Count, estimate.Members);
        Assert.Equal(estimate.Members, estimate.Low);
        Assert.Equal(estimate.Members, estimate.High);
        Assert.Equal(
            [rest.Count(a => a == 0), rest.Count(a => a == 1), rest.Count(a => a < 0), global],
            estimate.Groups.Select(g => g.Members));
    }

    private static CampaignDefinition Definition(string[] regions, string[] tiers) => new()
    {
        Id = "estimate-test",
        Audience = new CampaignAudience { Regions = regions, Tiers = tiers },
        Arms = [new CampaignArm { Name = "a", Weight = 1 }, new CampaignArm { Name = "b", Weight = 1 }],
        ControlShare = 0.2,
    };

    /// <summary>An in-memory index of <c>n</c> members sharded like the real one, counting every row and page read.</summary>
    private sealed class CountingIndex : IAudienceIndex
    {
        private readonly List<AudienceIndexRow>[] _shards;

        public CountingIndex(int members)
        {
            _shards = [.. Enumerable.Range(0, Shards).Select(_ => new List<AudienceIndexRow>())];
            Rows = [.. Enumerable.Range(0, members).Select(i => new AudienceIndexRow(
                "M" + i.ToString("D7", CultureInfo.InvariantCulture), Tiers[i % Tiers.Length], "Champions", "A", "active", Regions[(i / 7) % Regions.Length], []))];
            foreach (var row in Rows)
            {
                _shards[Engagement.Domain.Campaigns.StableHash.Fnv1a32(row.MemberId) % Shards].Add(row);
            }

            foreach (var shard in _shards)
            {
                shard.Sort((x, y) => string.CompareOrdinal(x.MemberId, y.MemberId));
            }
        }

        public IReadOnlyList<AudienceIndexRow> Rows { get; }

        public IEnumerable<int> ShardSizes => _shards.Select(s => s.Count);

        public long RowsRead => Interlocked.Read(ref _rowsRead);

        public int PagesRead => _pagesRead;

        public int ShardCount => Shards;

        public int GlobalControlPercent => 5;

        private long _rowsRead;
        private int _pagesRead;

        public Task<AudienceIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default)
        {
            var from = continuation is null ? 0 : int.Parse(continuation, CultureInfo.InvariantCulture);
            var rows = _shards[shard].Skip(from).Take(pageSize).ToList();
            Interlocked.Add(ref _rowsRead, rows.Count);
            Interlocked.Increment(ref _pagesRead);
            var next = from + rows.Count;
            return Task.FromResult(new AudienceIndexPage(rows, next < _shards[shard].Count ? next.ToString(CultureInfo.InvariantCulture) : null));
        }
    }
}
