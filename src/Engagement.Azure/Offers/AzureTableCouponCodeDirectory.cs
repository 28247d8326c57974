using System.Net;
using Azure;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Offers;

/// <summary>
/// The coupon code directory in an Azure table (default <c>EngagementCouponCodes</c>): one row per code, partition key
/// the code's first two characters (1,024 partitions of a 32-symbol alphabet, so writes spread), row key the code,
/// property <c>MemberId</c>.
/// </summary>
/// <remarks>
/// <b>Multi-silo safety.</b> A registration is an insert: the first holder wins and is never overwritten. A retry, or a
/// second silo registering the same member, meets the existing row (409) and reads it back, so a code is stored once
/// and its holder never changes.
/// </remarks>
public sealed class AzureTableCouponCodeDirectory : ICouponCodeDirectory
{
    /// <summary>Default table name.</summary>
    public const string DefaultTableName = "EngagementCouponCodes";

    private const string MemberIdProperty = "MemberId";

    private readonly EngineTable _codes;

    /// <summary>The directory in <paramref name="tableName"/>; nothing is sent until the first operation.</summary>
    public AzureTableCouponCodeDirectory(TableServiceClient serviceClient, string tableName = DefaultTableName) =>
        _codes = new EngineTable(serviceClient, tableName);

    /// <summary>Creates the table if it does not exist; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _codes.Creation.RunAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<string> RegisterAsync(string code, string memberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        var (partitionKey, rowKey) = Keys(code);
        await InitializeAsync(cancellationToken);
        try
        {
            await _codes.Client.AddEntityAsync(new TableEntity(partitionKey, rowKey) { [MemberIdProperty] = memberId }, cancellationToken);
            return memberId;
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.Conflict)
        {
            var held = await _codes.Client.GetEntityAsync<TableEntity>(partitionKey, rowKey, [MemberIdProperty], cancellationToken);
            return held.Value.GetString(MemberIdProperty) ?? throw new InvalidOperationException($"coupon code row {rowKey} has no {MemberIdProperty}");
        }
    }

    /// <inheritdoc />
    public async Task<string?> FindMemberAsync(string code, CancellationToken cancellationToken = default)
    {
        var (partitionKey, rowKey) = Keys(code);
        await InitializeAsync(cancellationToken);
        var row = await _codes.Client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, [MemberIdProperty], cancellationToken);
        return row.HasValue ? row.Value!.GetString(MemberIdProperty) : null;
    }

    /// <summary>Partition and row key of a normalised code (letters and digits only, so nothing to escape).</summary>
    private static (string PartitionKey, string RowKey) Keys(string code)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var rowKey = TableKeys.Escape(code);
        return (rowKey.Length < 2 ? rowKey : rowKey[..2], rowKey);
    }
}
