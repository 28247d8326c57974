using System.Globalization;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Contracts.Reports;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Lifecycle;

/// <summary>
/// Win-back steps in an Azure table (default <c>EngagementLifecycleJournal</c>): one partition per UTC day
/// (<c>yyyyMMdd</c>), row key member + step key. A report over a range of the programme's local days reads those
/// partitions and the UTC day either side, and counts each step on the local day of its <c>At</c>.
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

    public async Task<WinBackReport> ReportAsync(DateOnly from, DateOnly to, TimeZoneInfo zone, CancellationToken cancellationToken = default)
    {
        await _createTable.RunAsync(cancellationToken);
        // Partitions are UTC days; a local day (offsets within ±14 h) spans the UTC days either side of it.
        var filter = $"PartitionKey ge {TableKeys.Quote(Day(from.AddDays(-1)))} and PartitionKey le {TableKeys.Quote(Day(to.AddDays(1)))}";
        // Counted as they stream, by kind and level (a handful of keys): a month of a large programme's steps is
        // millions of rows, which a list of them held in memory all at once.
        var counts = new Dictionary<(string Kind, int? Level), int>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["Kind", "Level", "At"], cancellationToken: cancellationToken))
        {
            var day = row.GetDateTimeOffset("At") is { } at ? LifecycleJournalEntry.LocalDay(at, zone) : ParseDay(row.PartitionKey);
            if (day >= from && day <= to)
            {
                var key = (row.GetString("Kind") ?? "", row.GetInt32("Level"));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return LifecycleJournalEntry.Summarize(from, to, counts.SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)));
    }

    private static string Day(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string partition) => DateOnly.ParseExact(partition, "yyyyMMdd", CultureInfo.InvariantCulture);
}
