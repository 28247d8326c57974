using System.Globalization;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Contracts.Members;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Ledger;

/// <summary>
/// The full ledger history in an Azure table (default <c>EngagementLedger</c>): one partition per member
/// (the escaped member id), row key the sequence inverted and zero-padded (<c>long.MaxValue - sequence</c>, 19 digits)
/// so that the table's natural ascending order is newest first. Each row keeps the entry's fields, <c>OccurredAt</c> (UTC)
/// and a tier entry's <c>TierLeft</c> (the tier its move left) included; a row written before a column existed reads with
/// <c>OccurredAt</c> = <c>At</c> and no <c>TierLeft</c>.
/// </summary>
/// <remarks>
/// <para><b>Multi-silo safety.</b> Appends are upsert-replace of rows keyed by (member, sequence), sent in entity
/// group transactions of at most 100 rows: writing the same entry twice, from a retry or from a second silo, leaves
/// exactly one identical row. Entries are immutable once written, so there is nothing for an ETag to guard; a
/// sequence is only ever produced by the member's single activation.</para>
/// </remarks>
public sealed class AzureTableLedgerArchive : ILedgerArchive
{
    /// <summary>Default table name.</summary>
    public const string DefaultTableName = "EngagementLedger";

    /// <summary>Azure's limit of operations in one entity group transaction.</summary>
    internal const int MaxBatch = 100;

    private const string SequenceProperty = "Sequence";
    private const string AtProperty = "At";
    private const string KindProperty = "Kind";
    private const string DeltaProperty = "Delta";
    private const string BalanceAfterProperty = "BalanceAfter";
    private const string ReasonProperty = "Reason";
    private const string RuleIdProperty = "RuleId";
    private const string EventIdProperty = "EventId";
    private const string OccurredAtProperty = "OccurredAt";
    private const string TierLeftProperty = "TierLeft";

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableLedgerArchive(TableServiceClient serviceClient, string tableName = DefaultTableName)
    {
        var table = new EngineTable(serviceClient, tableName);
        _table = table.Client;
        _createTable = table.Creation;
    }

    /// <summary>Creates the table if it does not exist; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    /// <inheritdoc />
    public async Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var partitionKey = PartitionKey(memberId);
        // One transaction may not touch a row twice; the last copy of a sequence wins (they should be identical).
        var rows = entries
            .GroupBy(e => e.Sequence)
            .Select(g => g.Last())
            .OrderBy(e => e.Sequence)
            .Select(e => ToEntity(partitionKey, e))
            .ToList();

        await InitializeAsync(cancellationToken);
        foreach (var batch in rows.Chunk(MaxBatch))
        {
            await _table.SubmitTransactionAsync(
                batch.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)),
                cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0 || before <= 0)
        {
            return [];
        }

        var partitionKey = PartitionKey(memberId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        if (before is { } upper)
        {
            // sequence < before  ⇔  inverted row key > inverted(before)
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {RowKey(upper)}");
        }

        if (kind is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Kind eq {kind}");
        }

        await InitializeAsync(cancellationToken);
        var result = new List<LedgerEntryView>(Math.Min(limit, 1000));
        var query = _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken);
        await foreach (var page in query.AsPages())
        {
            foreach (var entity in page.Values)
            {
                result.Add(ToView(entity));
                if (result.Count == limit)
                {
                    return result;
                }
            }
        }

        return result;
    }

    internal static string PartitionKey(string memberId)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        return TableKeys.CheckLength(TableKeys.Escape(memberId), "member partition key");
    }

    internal static string RowKey(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return (long.MaxValue - sequence).ToString("D19", CultureInfo.InvariantCulture);
    }

    private static TableEntity ToEntity(string partitionKey, LedgerEntryView entry)
    {
        var entity = new TableEntity(partitionKey, RowKey(entry.Sequence))
        {
            [SequenceProperty] = entry.Sequence,
            [AtProperty] = entry.At,
            [KindProperty] = entry.Kind,
            [DeltaProperty] = entry.Delta,
            [BalanceAfterProperty] = entry.BalanceAfter,
            [ReasonProperty] = entry.Reason,
            [RuleIdProperty] = entry.RuleId,
        };
        if (entry.OccurredAt != default)
        {
            entity[OccurredAtProperty] = entry.OccurredAt;
        }

        if (entry.EventId is not null)
        {
            entity[EventIdProperty] = entry.EventId;
        }

        if (entry.TierLeft is not null)
        {
            entity[TierLeftProperty] = entry.TierLeft;
        }

        return entity;
    }

    private static LedgerEntryView ToView(TableEntity entity)
    {
        var at = entity.GetDateTimeOffset(AtProperty) ?? throw Corrupt(entity, AtProperty);
        return ToView(entity, at);
    }

    // A row archived before OccurredAt existed answers its At (documented on LedgerEntryView.OccurredAt); one archived
    // before TierLeft existed has none.
    private static LedgerEntryView ToView(TableEntity entity, DateTimeOffset at) => new()
    {
        Sequence = entity.GetInt64(SequenceProperty) ?? throw Corrupt(entity, SequenceProperty),
        At = at,
        OccurredAt = entity.GetDateTimeOffset(OccurredAtProperty) ?? at,
        Kind = entity.GetString(KindProperty) ?? throw Corrupt(entity, KindProperty),
        Delta = entity.GetInt64(DeltaProperty) ?? 0,
        BalanceAfter = entity.GetInt64(BalanceAfterProperty) ?? 0,
        Reason = entity.GetString(ReasonProperty) ?? string.Empty,
        RuleId = entity.GetString(RuleIdProperty) ?? string.Empty,
        EventId = entity.GetString(EventIdProperty),
        TierLeft = entity.GetString(TierLeftProperty),
    };

    private static InvalidOperationException Corrupt(TableEntity entity, string property) =>
        new($"Ledger row {entity.PartitionKey}/{entity.RowKey} has no {property}.");
}
