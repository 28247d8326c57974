using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Campaigns;

namespace Engagement.Azure.Campaigns;

/// <summary>
/// The member index in an Azure table (default <c>EngagementMemberIndex</c>): partition key the shard
/// (<c>fnv1a32(memberId) mod ShardCount</c>, three digits), row key the member id, properties
/// <c>Tier, Segment, ValueClass, Stage, Region, Tags</c> (<c>|a|b|</c>) and <c>UpdatedAt</c>.
/// </summary>
/// <remarks>
/// <para>A campaign reads one partition per shard in pages (the table's continuation token is the cursor it
/// checkpoints), so an audience is found without waking a single member grain.</para>
/// <para><b>Multi-silo safety.</b> Only the member's own (single) activation writes its row, as an upsert-replace of
/// the whole row; a stale duplicate write from a dying activation is corrected by the member's next change or rebuild.</para>
/// <para><b>Rebuild.</b> Rows are derived data: <c>POST /api/v1/campaigns/index/rebuild</c> re-writes the rows of the
/// given members from their grain state (<c>IMemberGrain.ReindexAsync</c>). A full rebuild (after changing the shard
/// count, or losing the table) replays every member from grain storage the same way.</para>
/// </remarks>
public sealed class AzureTableMemberIndex : IMemberIndex
{
    public const string DefaultTableName = "EngagementMemberIndex";

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableMemberIndex(TableServiceClient serviceClient, string tableName, int shardCount)
    {
        var table = new EngineTable(serviceClient, tableName);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, 999);
        ShardCount = shardCount;
        _table = table.Client;
        _createTable = table.Creation;
    }

    public int ShardCount { get; }

    /// <summary>Creates the table if it does not exist; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    public async Task UpsertAsync(MemberIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        var a = entry.Attributes;
        var row = new TableEntity(MemberIndexShards.PartitionKey(MemberIndexShards.ShardOf(entry.MemberId, ShardCount)), entry.MemberId)
        {
            ["Tier"] = a.Tier,
            ["Segment"] = a.Segment,
            ["ValueClass"] = a.ValueClass,
            ["Stage"] = a.Stage,
            ["Region"] = a.Region,
            ["Tags"] = a.Tags.Count == 0 ? "" : "|" + string.Join('|', a.Tags) + "|",
            ["UpdatedAt"] = entry.UpdatedAt,
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<MemberIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        await InitializeAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {MemberIndexShards.PartitionKey(shard)}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages(continuation, pageSize))
        {
            return new MemberIndexPage([.. page.Values.Select(ToEntry)], page.ContinuationToken);
        }

        return new MemberIndexPage([], null);
    }

    private static MemberIndexEntry ToEntry(TableEntity row) => new(
        row.RowKey,
        new MemberAttributes
        {
            Tier = row.GetString("Tier") ?? "",
            Segment = row.GetString("Segment") ?? "",
            ValueClass = row.GetString("ValueClass") ?? "",
            Stage = row.GetString("Stage") ?? "",
            Region = row.GetString("Region") ?? "",
            Tags = (row.GetString("Tags") ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries),
        },
        row.GetDateTimeOffset("UpdatedAt") ?? default);
}
