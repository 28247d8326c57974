using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Contracts.Audit;

namespace Engagement.Azure.Audit;

/// <summary>
/// The audit trail in an Azure table (default <c>EngagementAudit</c>): partition the UTC day (<c>yyyyMMdd</c>), row key
/// the action's audit id, properties <c>At, Actor, Role, Action, Target, Detail, Reason</c>. A range read touches only
/// the days asked for. Beside it, partition <c>id</c> holds one row per audit id with the instant it was first recorded
/// (property <c>At</c>), so a retried action is one row at its first instant even when the retry comes on a later UTC
/// day (<see cref="IAuditLog.AppendAsync"/>).
/// </summary>
public sealed class AzureTableAuditLog : IAuditLog
{
    public const string DefaultTableName = "EngagementAudit";

    /// <summary>Longest range one read covers, in days.</summary>
    public const int MaxRangeDays = 366;

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableAuditLog(TableServiceClient serviceClient, string tableName = DefaultTableName)
    {
        var table = new EngineTable(serviceClient, tableName);
        _table = table.Client;
        _createTable = table.Creation;
    }

    /// <summary>Creates the table if missing; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    /// <summary>Partition of the rows that remember when each audit id was first recorded (above every day partition).</summary>
    private const string IdPartition = "id";

    /// <summary>Day partitions read in one query, newest week first (<see cref="ReadAsync"/>).</summary>
    private const int WeekDays = 7;

    /// <summary>The longest row key written: a table row key takes at most 1 KiB (512 UTF-16 characters).</summary>
    private const int MaxRowKeyLength = 512;

    /// <summary>Between the opening of a long escaped key and its hash (<see cref="RowKeyOf"/>).</summary>
    private const string HashMarker = "~h";

    /// <summary>
    /// Records <paramref name="entry"/> once per audit id: a repeat (a retried action, on any day) keeps the first
    /// instant and writes no second row. The id row is written before the day row, so a failure between them is
    /// repaired by the retry, which writes the day row at the remembered instant.
    /// </summary>
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        var key = RowKeyOf(entry.AuditId, out var legacyKey);
        var at = entry.At.ToUniversalTime();
        var first = await _table.GetEntityIfExistsAsync<TableEntity>(IdPartition, key, cancellationToken: cancellationToken);
        if (!first.HasValue && legacyKey is not null && await RecordedUnderLegacyKeyAsync(entry.AuditId, legacyKey, cancellationToken))
        {
            // Recorded before long keys were hashed: the retry of an action already audited writes nothing.
            return;
        }

        if (!first.HasValue)
        {
            try
            {
                await _table.AddEntityAsync(new TableEntity(IdPartition, key) { ["At"] = at }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                first = await _table.GetEntityIfExistsAsync<TableEntity>(IdPartition, key, cancellationToken: cancellationToken);
            }
        }

        if (first.HasValue && first.Value!.GetDateTimeOffset("At") is { } recorded)
        {
            at = recorded;
        }

        var row = new TableEntity(Day(at), key)
        {
            ["AuditId"] = entry.AuditId,
            ["At"] = at,
            ["Actor"] = entry.Actor,
            ["Role"] = entry.Role,
            ["Action"] = entry.Action,
            ["Target"] = entry.Target,
            ["Detail"] = entry.Detail,
            ["Reason"] = entry.Reason,
        };
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already recorded by the first attempt of this action.
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        if (to <= from || limit < 1)
        {
            return [];
        }

        if (to - from > TimeSpan.FromDays(MaxRangeDays))
        {
            from = to - TimeSpan.FromDays(MaxRangeDays);
        }

        await InitializeAsync(cancellationToken);
        var fromUtc = from.ToUniversalTime();
        var toUtc = to.ToUniversalTime();
        var entries = new List<AuditEntry>();

        // A week of day partitions at a time, newest first, until the limit is reached: the newest entries are all in
        // the weeks read, and a year of a busy programme's audit is never held in memory for a page of 100.
        // The week's first day never goes below the range's (near DateTime.MinValue a week back is not a date at all).
        var firstDay = fromUtc.UtcDateTime.Date;
        for (var weekEnd = toUtc.UtcDateTime.Date; weekEnd >= firstDay && entries.Count < limit;)
        {
            var weekStart = weekEnd - firstDay > TimeSpan.FromDays(WeekDays - 1) ? weekEnd.AddDays(-(WeekDays - 1)) : firstDay;
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey ge {Day(weekStart)} and PartitionKey le {Day(weekEnd)} and At ge {fromUtc} and At lt {toUtc}");
            await ReadWeekAsync(filter, entries, cancellationToken);
            if (weekStart == firstDay)
            {
                break;
            }

            weekEnd = weekStart.AddDays(-1);
        }

        return [.. entries.OrderByDescending(e => e.At).ThenBy(e => e.AuditId, StringComparer.Ordinal).Take(limit)];
    }

    private async Task ReadWeekAsync(string filter, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new AuditEntry
            {
                AuditId = row.GetString("AuditId") ?? row.RowKey,
                At = row.GetDateTimeOffset("At") ?? default,
                Actor = row.GetString("Actor") ?? "",
                Role = row.GetString("Role") ?? "",
                Action = row.GetString("Action") ?? "",
                Target = row.GetString("Target") ?? "",
                Detail = row.GetString("Detail") ?? "",
                Reason = row.GetString("Reason") ?? "",
            });
        }
    }

    /// <summary>
    /// Whether <paramref name="auditId"/> was recorded under <paramref name="legacyKey"/>, the key rows had before long keys
    /// were hashed (the escaped id cut at <see cref="MaxRowKeyLength"/> characters, <see cref="RowKeyOf"/>): its id row
    /// names a day whose row under that key holds this very audit id. Only that: ids that differ past the cut shared the
    /// legacy key, so a legacy row of another id (or an id row whose day row was never written, which cannot say whose it
    /// was) does not count, and the action is recorded under its own key.
    /// </summary>
    private async Task<bool> RecordedUnderLegacyKeyAsync(string auditId, string legacyKey, CancellationToken cancellationToken)
    {
        // The old cut could end inside a surrogate pair: such a key is not valid text, cannot go into a request URL, and so
        // no row was ever written under it (the old code's write failed the same way). Not asked for at all.
        if (char.IsHighSurrogate(legacyKey[^1]))
        {
            return false;
        }

        try
        {
            var idRow = await _table.GetEntityIfExistsAsync<TableEntity>(IdPartition, legacyKey, cancellationToken: cancellationToken);
            if (!idRow.HasValue || idRow.Value!.GetDateTimeOffset("At") is not { } recorded)
            {
                return false;
            }

            var dayRow = await _table.GetEntityIfExistsAsync<TableEntity>(Day(recorded), legacyKey, cancellationToken: cancellationToken);
            return dayRow.HasValue && string.Equals(dayRow.Value!.GetString("AuditId"), auditId, StringComparison.Ordinal);
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            // A legacy key the service refuses as a key never held a row.
            return false;
        }
    }

    private static string Day(DateTimeOffset at) => Day(at.UtcDateTime);

    private static string Day(DateTime utc) => utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The row key of an audit id: characters a row key may not hold (<c>/ \ # ?</c>, control characters), and the
    /// escape character <c>~</c> itself, become <c>~</c> and four hex digits, so distinct ids (an adjustment id is any
    /// 1–128 characters a client chose: <c>ticket/12</c>, <c>ticket#12</c>) stay distinct rows. At most
    /// <see cref="MaxRowKeyLength"/> characters: a longer escaped key (128 slashes take 640) is its first
    /// characters, <see cref="HashMarker"/> and the base64url SHA-256 of the id's UTF-16 code units, so ids that differ only past the cut are
    /// still two rows. <see cref="HashMarker"/> never occurs in an escaped key (there <c>~</c> is always followed by a hex
    /// digit), so a hashed key never equals a short one, and short keys are as they always were (stored rows still match).
    /// <paramref name="legacyKey"/> is, for a hashed key only, the key such an id had before (the escaped id cut at
    /// <see cref="MaxRowKeyLength"/>), which <see cref="AppendAsync"/> also looks under; null for a short key.
    /// </summary>
    private static string RowKeyOf(string auditId, out string? legacyKey)
    {
        legacyKey = null;
        var key = new System.Text.StringBuilder(auditId.Length);
        foreach (var c in auditId)
        {
            if (c is '/' or '\\' or '#' or '?' or '~' || char.IsControl(c))
            {
                key.Append('~').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                key.Append(c);
            }
        }

        if (key.Length <= MaxRowKeyLength)
        {
            return key.ToString();
        }

        legacyKey = key.ToString(0, MaxRowKeyLength);
        var hash = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(auditId.AsSpan())));
        var cut = MaxRowKeyLength - HashMarker.Length - hash.Length;
        if (char.IsHighSurrogate(key[cut - 1]))
        {
            cut--;
        }

        return string.Concat(key.ToString(0, cut), HashMarker, hash);
    }
}
