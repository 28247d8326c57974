using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Engagement.Azure.Search;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Members;

namespace Engagement.Azure.Tests.Support;

/// <summary>
/// A member search costs no more whatever the member count: the same queries against 500 and 5,000 members make at
/// most one request by member id and one per phone form, never more at 5,000 than at 500, and read at most a page of
/// rows each (rows counted in the table service's answers).
/// </summary>
public sealed class SearchCostTests : IAsyncLifetime
{
    private const int Limit = 20;
    private readonly string _small = StorageClients.TableName("SearchS");
    private readonly string _large = StorageClients.TableName("SearchL");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await StorageClients.DeleteTableQuietlyAsync(_small);
        await StorageClients.DeleteTableQuietlyAsync(_large);
    }

    [Fact]
    public async Task TenTimesTheMembersNeedsNoMoreRequestsAndNoMoreRowsPerSearch()
    {
        string[] queries = ["0", "00", "000", "0001", "00012", "138", "1380", "13800001", "1380000012", "X"];

        var small = await CostAsync(_small, 500, queries);
        var large = await CostAsync(_large, 5_000, queries);

        // At most one query by member id and one per phone form (the national number, with 86, with 0086), each
        // reading at most a page; ten times the members never needs more requests (the first form fills the page
        // sooner), so the cost has a bound that does not grow with the programme.
        var most = 1 + PhoneSearchForms.Of("13800001").Count;
        Assert.Equal(4, most);
        Assert.All(small.Concat(large), c => Assert.InRange(c.Requests, 1, most));
        Assert.All(small.Concat(large), c => Assert.InRange(c.RowsRead, 0, most * Limit));
        Assert.All(small.Zip(large), pair => Assert.True(pair.Second.Requests <= pair.First.Requests, $"{pair.First.Query}: {pair.Second.Requests} requests at 5,000 members, {pair.First.Requests} at 500"));
        // A query that is no phone (a member id prefix) is one request whatever the member count.
        Assert.Equal(1, large[^1].Requests);
        Assert.All(large, c => Assert.InRange(c.Hits, 0, Limit));
        // A broad prefix matches thousands of members, yet is answered from one page.
        Assert.Equal(Limit, large[0].Hits);
        Assert.Equal(Limit, large[5].Hits);
    }

    [Fact]
    public async Task AnIndexChangeThatKeepsPhoneAndTierIsOneReadAndARowThatFailedIsWrittenOnTheRetry()
    {
        var counter = new Counter();
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var search = new AzureTableMemberSearch(new TableServiceClient(Azurite.ConnectionString, options), _small);
        await search.InitializeAsync();

        await search.UpsertAsync("S0001", "13800000001", "V1");
        var before = (counter.Requests, counter.Writes);
        await search.UpsertAsync("S0001", "13800000001", "V1"); // e.g. the member's RFM segment changed, not its phone or tier
        Assert.Equal((1L, 0L), (counter.Requests - before.Requests, counter.Writes - before.Writes));

        // The tier changes, and the write of the phone row fails: the id row still holds the old tier, so the retry
        // writes every row again instead of taking the member as current.
        counter.FailNextWriteTo = "PartitionKey='p";
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => search.UpsertAsync("S0001", "13800000001", "V2"));
        var stale = Assert.Single(await search.SearchAsync("13800000001", 5));
        Assert.Equal("V1", stale.Tier);
        await search.UpsertAsync("S0001", "13800000001", "V2");
        Assert.Equal("V2", Assert.Single(await search.SearchAsync("13800000001", 5)).Tier);
        Assert.Equal("V2", Assert.Single(await search.SearchAsync("S0001", 5)).Tier);
    }

    [Fact]
    public async Task APhoneWhoseIdRowWriteFailedIsDroppedWhenThePhoneChangesAgainBeforeTheRetry()
    {
        var counter = new Counter();
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var search = new AzureTableMemberSearch(new TableServiceClient(Azurite.ConnectionString, options), _small);
        await search.InitializeAsync();
        await search.UpsertAsync("S0002", "13900000001", "V1");

        // A → B: A's row is dropped and B's written, then the id row's write (the whole row, a PUT) fails: it still says A.
        counter.FailNextWriteTo = "PartitionKey='m";
        counter.FailNextMethod = RequestMethod.Put;
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => search.UpsertAsync("S0002", "13900000002", "V1"));
        Assert.Null(counter.FailNextWriteTo);

        // Before that write is retried, the phone changes again to C.
        await search.UpsertAsync("S0002", "13900000003", "V1");

        Assert.Empty(await search.SearchAsync("13900000002", 5)); // B is not the member's any more
        Assert.Empty(await search.SearchAsync("13900000001", 5));
        Assert.Equal("S0002", Assert.Single(await search.SearchAsync("13900000003", 5)).MemberId);
        Assert.Equal("13900000003", Assert.Single(await search.SearchAsync("S0002", 5)).Phone);

        var before = (counter.Requests, counter.Writes);
        await search.UpsertAsync("S0002", "13900000003", "V1"); // nothing pending: one read again
        Assert.Equal((1L, 0L), (counter.Requests - before.Requests, counter.Writes - before.Writes));
    }

    private sealed record Cost(string Query, long Requests, long RowsRead, int Hits);

    private static async Task<List<Cost>> CostAsync(string table, int members, string[] queries)
    {
        var counter = new Counter();
        var options = new TableClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(Azurite.ConnectionString, options);
        var search = new AzureTableMemberSearch(service, table);
        await search.InitializeAsync();
        var rows = Enumerable.Range(0, members).SelectMany(i =>
        {
            var id = i.ToString("D6", CultureInfo.InvariantCulture);
            return AzureTableMemberSearch.RowsOf(id, "13800" + id, "V1");
        });
        var client = service.GetTableClient(table);
        foreach (var batch in rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)))
        {
            await client.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }

        var costs = new List<Cost>();
        foreach (var query in queries)
        {
            var (requests, read) = (counter.Requests, counter.Rows);
            var hits = await search.SearchAsync(query, Limit);
            costs.Add(new Cost(query, counter.Requests - requests, counter.Rows - read, hits.Count));
        }

        return costs;
    }

    /// <summary>Counts requests, and the rows in each query answer (<c>value</c> of the table service's JSON).</summary>
    private sealed class Counter : HttpPipelineSynchronousPolicy
    {
        private long _requests;
        private long _rows;

        public long Requests => Interlocked.Read(ref _requests);

        public long Rows => Interlocked.Read(ref _rows);

        private long _writes;

        /// <summary>The next write whose URI contains this text gets a 503 instead of reaching the table.</summary>
        public string? FailNextWriteTo { get; set; }

        /// <summary>When set, only a write with this method counts as the next write to <see cref="FailNextWriteTo"/>.</summary>
        public RequestMethod? FailNextMethod { get; set; }

        public long Writes => Interlocked.Read(ref _writes);

        public override void OnSendingRequest(HttpMessage message)
        {
            Interlocked.Increment(ref _requests);
            if (message.Request.Method != RequestMethod.Get)
            {
                Interlocked.Increment(ref _writes);
            }

            if (FailNextWriteTo is { } target && message.Request.Method != RequestMethod.Get
                && (FailNextMethod is not { } method || message.Request.Method == method)
                && Uri.UnescapeDataString(message.Request.Uri.ToString()).Contains(target, StringComparison.Ordinal))
            {
                FailNextWriteTo = null;
                FailNextMethod = null;
                message.Request.Uri.Reset(new Uri("http://127.0.0.1:1/refused")); // nothing listens there: the request fails
            }
        }

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Get || message.Response.Content is not { } content || content.ToMemory().Length == 0)
            {
                return;
            }

            using var json = JsonDocument.Parse(content.ToMemory());
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
            {
                Interlocked.Add(ref _rows, value.GetArrayLength());
            }
        }
    }
}
