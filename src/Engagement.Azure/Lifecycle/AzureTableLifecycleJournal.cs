using System.Globalization;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Contracts.Reports;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Lifecycle;

/// <summary>
/// Win-back steps in an Azure table (default <c>EngagementLifecycleJournal</c>): one partition per UTC day
/// (<c>yyyyMMdd</c>), row key member + step key. A report over a date range reads those partitions only.
/// </summary>
/// <remarks>
/// <b>Multi-silo safety.</b> Rows are immutable and keyed by what they record, so an upsert from a retry or a
/// second silo leaves one row: every step is counted once.
/// </remarks>
public sealed class AzureTableLifecycleJournal : ILifecycleJournal
{
    public const string DefaultTableName = "EngagementLifecycleJournal";

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableLifecycleJournal(TableServiceClient serviceClient, string tableName = DefaultTableName)
    {
        ArgumentNullException.ThrowIfNull(serviceClient);
        _table = serviceClient.GetTableClient(tableName);
        _createTable = new AsyncOnce(() => _table.CreateIfNotExistsAsync());
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    public async Task AppendAsync(string memberId, IReadOnlyList<LifecycleJournalEntry> entries, CancellationToken cancellationToken = default)
    {
        await _createTable.RunAsync(cancellationToken);
        foreach (var entry in entries)
        {
            var row = new TableEntity(Day(DateOnly.FromDateTime(entry.At.UtcDateTime)), TableKeys.Join(memberId, entry.Key))
            {
                ["MemberId"] = memberId,
                ["At"] = entry.At.UtcDateTime,
                ["Kind"] = entry.Kind,
                ["Level"] = entry.Level,
            };
            await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public async Task<WinBackReport> ReportAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await _createTable.RunAsync(cancellationToken);
        var filter = $"PartitionKey ge {TableKeys.Quote(Day(from))} and PartitionKey le {TableKeys.Quote(Day(to))}";
        var rows = new List<(string Kind, int? Level)>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["Kind", "Level"], cancellationToken: cancellationToken))
        {
            rows.Add((row.GetString("Kind") ?? "", row.GetInt32("Level")));
        }

        return LifecycleJournalEntry.Summarize(from, to, rows);
    }

    private static string Day(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
