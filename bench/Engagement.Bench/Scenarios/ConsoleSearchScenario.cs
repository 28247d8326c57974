using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Engagement.Api.Audience;
using Engagement.Azure.Campaigns;
using Engagement.Azure.Search;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Options;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The console's reads with N members in storage (default 100,000): the support search index and the campaign member
/// index are seeded on Azurite in batch transactions (100 rows each), then member searches (memberId prefix, phone
/// prefix) and audience estimates are timed, and every storage request they make is counted. The point is structural:
/// a search is one or two key-range reads that stop at the page limit and an estimate reads a bounded number of index
/// rows, whatever N is; the latencies show the pages answer well within 1 s.
/// </summary>
internal static class ConsoleSearchScenario
{
    private const int SearchLimit = 20;
    private const int Searches = 200;
    private const int Estimates = 10;
    private const int IndexShards = 64;
    private static readonly string[] Regions = ["east", "west", "north", "south", "central"];
    private static readonly string[] Tiers = ["V1", "V1", "V1", "V2", "V2", "V3", "V4"];

    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        if (options.ConnectionString is not { Length: > 0 } connectionString)
        {
            result.Status = ScenarioResult.Skipped;
            result.Message = "needs Azurite: eval \"$(scripts/azurite start /tmp/bench-azurite)\" sets AZURE_STORAGE_CONNECTION_STRING";
            return;
        }

        var n = options.Resident;
        var requests = new RequestCounter();
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(connectionString, clientOptions);
        var searchTable = $"B{options.RunId}Search";
        var indexTable = $"B{options.RunId}Index";
        var search = new AzureTableMemberSearch(service, searchTable);
        var index = new AzureTableMemberIndex(service, indexTable, IndexShards);
        await search.InitializeAsync();
        await index.InitializeAsync();
        try
        {
            var seeding = Stopwatch.StartNew();
            var members = Enumerable.Range(0, n).Select(Member).ToList();
            await SeedAsync(service.GetTableClient(searchTable), members.SelectMany(m => AzureTableMemberSearch.RowsOf(m.Id, m.Phone, m.Tier)), options.CallConcurrency);
            await SeedAsync(service.GetTableClient(indexTable), members.Select(IndexRow), options.CallConcurrency);
            result.Details["seed_seconds"] = seeding.Elapsed.TotalSeconds;
            result.Details["members"] = n;

            var (searchLatencies, searchRequests, searchRows) = await SearchAsync(search, members, requests);
            var (estimateLatencies, estimateRequests, rowsRead, estimate) = await EstimateAsync(index, requests);

            result.Add(new Metric { Name = "member search p50", Value = Stats.Percentile(searchLatencies, 50), Unit = "ms", Target = "< 1000", Met = Stats.Percentile(searchLatencies, 50) < 1000 });
            result.Add(new Metric { Name = "member search p99", Value = Stats.Percentile(searchLatencies, 99), Unit = "ms", Target = "< 1000", Met = Stats.Percentile(searchLatencies, 99) < 1000 });
            result.Add(new Metric { Name = "storage requests per search (max)", Value = searchRequests, Unit = "", Target = "≤ 2, whatever N", Met = searchRequests <= 2 });
            result.Add(new Metric { Name = "rows returned per search (max)", Value = searchRows, Unit = "", Target = string.Create(CultureInfo.InvariantCulture, $"≤ {SearchLimit} (the page)"), Met = searchRows <= SearchLimit });
            result.Add(new Metric { Name = "audience estimate p50", Value = Stats.Percentile(estimateLatencies, 50), Unit = "ms", Target = "< 1000", Met = Stats.Percentile(estimateLatencies, 50) < 1000 });
            result.Add(new Metric { Name = "audience estimate max", Value = estimateLatencies[^1], Unit = "ms" });
            var budget = new AudienceOptions();
            result.Add(new Metric
            {
                Name = "index rows read per estimate",
                Value = rowsRead,
                Unit = "rows",
                Target = string.Create(CultureInfo.InvariantCulture, $"≤ {budget.MaxRowsRead:N0} + {budget.ShardConcurrency} shards in flight, whatever N"),
                Met = rowsRead <= budget.MaxRowsRead + (budget.ShardConcurrency * ((2 * n / IndexShards) + 100)),
            });
            result.Details["estimate.requests"] = estimateRequests;
            result.Details["estimate.members"] = estimate.Members;
            result.Details["estimate.low"] = estimate.Low;
            result.Details["estimate.high"] = estimate.High;
            result.Details["estimate.exact"] = estimate.Exact ? 1 : 0;
            result.Details["estimate.shards_read"] = estimate.ShardsRead;
            result.Details["estimate.true_members"] = members.Count(m => m.Region == "east" && m.Tier is "V2" or "V3");
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} members seeded as {n * 2:N0} search rows and {n:N0} index rows in batch transactions; {Searches} searches (half by memberId prefix, half by phone prefix, limit {SearchLimit}) and {Estimates} audience estimates (east, V2–V3) timed one at a time, after one untimed warm-up of each."));
        }
        finally
        {
            await service.DeleteTableAsync(searchTable);
            await service.DeleteTableAsync(indexTable);
        }
    }

    private sealed record SeedMember(string Id, string Phone, string Tier, string Region);

    private static SeedMember Member(int i)
    {
        // Ids and phones spread over the key space as real ones do (a multiplicative permutation of i).
        var spread = (long)i * 2_654_435_761L % 10_000_000_000L;
        return new SeedMember(
            spread.ToString("D10", CultureInfo.InvariantCulture),
            "13" + ((spread * 7) % 1_000_000_000L).ToString("D9", CultureInfo.InvariantCulture),
            Tiers[i % Tiers.Length],
            Regions[(i / 7) % Regions.Length]);
    }

    /// <summary>The row <see cref="AzureTableMemberIndex"/> writes for a member (partition the shard, row key the id).</summary>
    private static TableEntity IndexRow(SeedMember m) =>
        new(MemberIndexShards.PartitionKey(MemberIndexShards.ShardOf(m.Id, IndexShards)), m.Id)
        {
            ["Tier"] = m.Tier,
            ["Segment"] = "Loyal",
            ["ValueClass"] = "B",
            ["Stage"] = "active",
            ["Region"] = m.Region,
            ["Tags"] = "",
            ["UpdatedAt"] = BenchOptions.DefaultStart,
        };

    private static async Task SeedAsync(TableClient table, IEnumerable<TableEntity> rows, int concurrency)
    {
        var batches = rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)).ToList();
        var next = -1;
        var workers = Enumerable.Range(0, Math.Clamp(concurrency / 16, 1, 16)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                await table.SubmitTransactionAsync(batches[i].Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
            }
        });
        await Task.WhenAll(workers);
    }

    private static async Task<(List<double> Latencies, long MaxRequests, int MaxRows)> SearchAsync(
        AzureTableMemberSearch search, List<SeedMember> members, RequestCounter requests)
    {
        var random = new Random(13);
        _ = await search.SearchAsync(members[0].Id[..6], SearchLimit); // warm-up (connections, JIT): a console host is running already
        var latencies = new List<double>(Searches);
        long maxRequests = 0;
        var maxRows = 0;
        for (var i = 0; i < Searches; i++)
        {
            var m = members[random.Next(members.Count)];
            var query = i % 2 == 0 ? m.Id[..6] : m.Phone[..7];
            var before = requests.Count;
            var clock = Stopwatch.StartNew();
            var hits = await search.SearchAsync(query, SearchLimit);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            maxRequests = Math.Max(maxRequests, requests.Count - before);
            maxRows = Math.Max(maxRows, hits.Count);
            if (!hits.Any(h => h.MemberId == m.Id) && hits.Count < SearchLimit)
            {
                throw new InvalidOperationException($"search '{query}' did not find {m.Id}");
            }
        }

        latencies.Sort();
        return (latencies, maxRequests, maxRows);
    }

    private static async Task<(List<double> Latencies, long Requests, long RowsRead, AudienceEstimate Last)> EstimateAsync(
        AzureTableMemberIndex index, RequestCounter requests)
    {
        var estimator = new AudienceEstimator(new MemberIndexAudience(index, Options.Create(new CampaignOptions())), Options.Create(new AudienceOptions()));
        var definition = new CampaignDefinition
        {
            Id = "bench-estimate",
            Audience = new CampaignAudience { Regions = ["east"], Tiers = ["V2", "V3"] },
            Arms = [new CampaignArm { Name = "a", Weight = 1 }, new CampaignArm { Name = "b", Weight = 1 }],
        };
        _ = await estimator.EstimateAsync(definition); // warm-up, as above
        var latencies = new List<double>(Estimates);
        AudienceEstimate? last = null;
        long maxRequests = 0;
        long maxRows = 0;
        for (var i = 0; i < Estimates; i++)
        {
            var before = requests.Count;
            var clock = Stopwatch.StartNew();
            last = await estimator.EstimateAsync(definition);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            maxRequests = Math.Max(maxRequests, requests.Count - before);
            maxRows = Math.Max(maxRows, last.RowsRead);
        }

        latencies.Sort();
        return (latencies, maxRequests, maxRows, last!);
    }

    /// <summary>Counts every request the table clients send (each page of a query is one).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
