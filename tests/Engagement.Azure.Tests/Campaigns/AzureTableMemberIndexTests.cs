using System.Globalization;
using Engagement.Azure.Campaigns;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;

namespace Engagement.Azure.Tests.Campaigns;

public sealed class AzureTableMemberIndexTests : IAsyncLifetime
{
    private readonly string _table = StorageClients.TableName("MemberIndex");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_table);

    [Fact]
    public async Task ShardsAreReadInPagesThatTogetherHoldEveryRowOnceWithItsAttributes()
    {
        var index = new AzureTableMemberIndex(StorageClients.Tables(), _table, shardCount: 4);
        var at = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 230).Select(i => "M" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();
        foreach (var chunk in ids.Chunk(32))
        {
            await Task.WhenAll(chunk.Select(id => index.UpsertAsync(new MemberIndexEntry(id, Attributes(id), at))));
        }

        // A member's row is replaced, not duplicated, when its attributes change.
        await index.UpsertAsync(new MemberIndexEntry("M0007", Attributes("M0007") with { Tier = "V4", Tags = [] }, at.AddHours(1)));

        var seen = new Dictionary<string, MemberIndexEntry>(StringComparer.Ordinal);
        for (var shard = 0; shard < index.ShardCount; shard++)
        {
            string? continuation = null;
            do
            {
                var page = await index.ReadShardAsync(shard, continuation, pageSize: 25);
                Assert.True(page.Entries.Count <= 25);
                foreach (var entry in page.Entries)
                {
                    Assert.Equal(shard, MemberIndexShards.ShardOf(entry.MemberId, 4));
                    Assert.True(seen.TryAdd(entry.MemberId, entry), $"{entry.MemberId} read twice");
                }

                continuation = page.Continuation;
            }
            while (continuation is not null);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        Assert.True(Attributes("M0100").SameAs(seen["M0100"].Attributes));
        Assert.Equal("V4", seen["M0007"].Attributes.Tier);
        Assert.Empty(seen["M0007"].Attributes.Tags);
        Assert.Equal(at.AddHours(1), seen["M0007"].UpdatedAt);
    }

    private static MemberAttributes Attributes(string id)
    {
        var n = int.Parse(id[1..], CultureInfo.InvariantCulture);
        return new MemberAttributes
        {
            Tier = "V" + ((n % 4) + 1).ToString(CultureInfo.InvariantCulture),
            Segment = n % 2 == 0 ? "Champions" : "At Risk",
            ValueClass = n % 3 == 0 ? "A" : "C",
            Stage = "active",
            Region = "east",
            Tags = n % 5 == 0 ? ["vip", "wine"] : [],
        };
    }
}
