using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Engagement.EndToEnd.Tests.Backup;

/// <summary>
/// The engine's rows read the way an auditor would, independently of its code: a member's state from the JSON the
/// official table provider keeps (<c>StringData</c>, <c>StringData1</c>…; camelCase), its ledger rows, its reminder
/// rows — from live tables or from a backup's gzip JSON lines (<c>{"pk","rk","p":{"Name":[type,value]}}</c>).
/// </summary>
public sealed class MemberRows
{
    public const string StateTable = "EngagementGrainState";
    public const string LedgerTable = "EngagementLedger";
    public const string ReminderTable = "EngagementReminders";

    public Dictionary<string, MemberState> States { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<LedgerRow>> Ledger { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Reminders { get; } = new(StringComparer.Ordinal);

    /// <summary>A member's state as it stored it.</summary>
    /// <param name="MemberId">The member.</param>
    /// <param name="NextSequence">The sequence its next ledger entry will get.</param>
    /// <param name="Balance">Points balance: what is left in its lots, less its debt.</param>
    /// <param name="Tier">Its tier, <c>V1</c>…<c>V4</c>.</param>
    /// <param name="RemindsItself">It registered its lifecycle reminder.</param>
    /// <param name="Pending">Ledger entries it recorded but had not yet confirmed in the ledger table.</param>
    public sealed record MemberState(string MemberId, long NextSequence, long Balance, string? Tier, bool RemindsItself, IReadOnlyList<LedgerRow> Pending);

    public sealed record LedgerRow(long Sequence, string Kind, long Delta, long BalanceAfter, string? EventId);

    public static async Task<MemberRows> FromTablesAsync(string connectionString, string memberPrefix)
    {
        var service = new TableServiceClient(connectionString);
        var rows = new MemberRows();
        await foreach (var e in service.GetTableClient(StateTable).QueryAsync<TableEntity>())
        {
            rows.AddState(Text(e));
        }

        await foreach (var e in service.GetTableClient(LedgerTable).QueryAsync<TableEntity>())
        {
            rows.AddLedger(e.PartitionKey, Text(e));
        }

        await foreach (var e in service.GetTableClient(ReminderTable).QueryAsync<TableEntity>())
        {
            rows.AddReminder(e.RowKey);
        }

        rows.KeepOnly(memberPrefix);
        return rows;
    }

    public static async Task<MemberRows> FromBackupAsync(string connectionString, string container, string backup, string memberPrefix)
    {
        var blobs = new BlobServiceClient(connectionString).GetBlobContainerClient(container);
        var rows = new MemberRows();
        await foreach (var (_, _, p) in LinesAsync(blobs, backup, StateTable))
        {
            rows.AddState(p);
        }

        await foreach (var (pk, _, p) in LinesAsync(blobs, backup, LedgerTable))
        {
            rows.AddLedger(pk, p);
        }

        await foreach (var (_, rk, _) in LinesAsync(blobs, backup, ReminderTable))
        {
            rows.AddReminder(rk);
        }

        rows.KeepOnly(memberPrefix);
        return rows;
    }

    /// <summary>Ledger rows (in the ledger table) of events the member's own state had not applied: sequence at or past its next, or no state at all.</summary>
    public int RowsAheadOfState() => Ledger.Sum(pair => States.TryGetValue(pair.Key, out var s)
        ? pair.Value.Count(r => r.Sequence >= s.NextSequence)
        : pair.Value.Count);

    private void AddState(Dictionary<string, string> p)
    {
        var json = new StringBuilder(p.GetValueOrDefault("StringData") ?? "");
        for (var i = 1; p.TryGetValue("StringData" + i.ToString(CultureInfo.InvariantCulture), out var more); i++)
        {
            json.Append(more);
        }

        if (json.Length == 0 || JsonNode.Parse(json.ToString()) is not JsonObject root || root["member"] is not JsonObject member
            || member["memberId"]?.GetValue<string>() is not { Length: > 0 } memberId)
        {
            return;
        }

        var lots = member["orders"]?.AsArray().Sum(o => o!.AsArray()[4]!.GetValue<long>()) ?? 0;
        // Ledger entries waiting in the outbox for a batch (positional arrays: sequence, at, kind, delta, balanceAfter, reason, ruleId, eventId),
        // stored in full or, when the recent ledger beside them holds them, by sequence ("ledger-ref").
        var recent = (member["ledger"]?.AsArray() ?? []).OfType<JsonArray>().ToDictionary(a => a[0]!.GetValue<long>());
        var pending = (member["outbox"]?.AsArray() ?? [])
            .Select(e => e?["$effect"]?.GetValue<string>() switch
            {
                "ledger" when e["entry"] is JsonArray entry => entry,
                "ledger-ref" => recent[e["sequence"]!.GetValue<long>()],
                _ => null,
            })
            .OfType<JsonArray>()
            .Select(a => new LedgerRow(
                a[0]!.GetValue<long>(), a[2]!.GetValue<string>(), a[3]!.GetValue<long>(), a[4]!.GetValue<long>(), a.Count > 7 ? a[7]?.GetValue<string>() : null))
            .ToList();
        States[memberId] = new MemberState(
            memberId,
            member["nextSequence"]!.GetValue<long>(),
            lots - (member["pointsDebt"]?.GetValue<long>() ?? 0),
            member["tier"]?.GetValue<string>(),
            root["reminderPeriod"] is not null,
            pending);
    }

    private void AddLedger(string memberId, Dictionary<string, string> p)
    {
        if (!Ledger.TryGetValue(memberId, out var list))
        {
            Ledger[memberId] = list = [];
        }

        list.Add(new LedgerRow(
            long.Parse(p["Sequence"], CultureInfo.InvariantCulture), p["Kind"], long.Parse(p["Delta"], CultureInfo.InvariantCulture),
            long.Parse(p["BalanceAfter"], CultureInfo.InvariantCulture), p.GetValueOrDefault("EventId")));
    }

    private void AddReminder(string rowKey) => Reminders.Add(rowKey);

    private void KeepOnly(string memberPrefix)
    {
        foreach (var id in States.Keys.Where(k => !k.StartsWith(memberPrefix, StringComparison.Ordinal)).ToList())
        {
            States.Remove(id);
        }

        foreach (var id in Ledger.Keys.Where(k => !k.StartsWith(memberPrefix, StringComparison.Ordinal)).ToList())
        {
            Ledger.Remove(id);
        }
    }

    private static Dictionary<string, string> Text(TableEntity e) => e.Where(p => p.Value is not null).ToDictionary(
        p => p.Key,
        p => p.Value switch
        {
            DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString()!,
        },
        StringComparer.Ordinal);

    private static async IAsyncEnumerable<(string Pk, string Rk, Dictionary<string, string> P)> LinesAsync(BlobContainerClient container, string backup, string table)
    {
        var blob = container.GetBlobClient($"{backup}/tables/{table}.jsonl.gz");
        if (!await blob.ExistsAsync())
        {
            yield break;
        }

        var download = await blob.DownloadStreamingAsync();
        await using var gzip = new GZipStream(download.Value.Content, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var p = row["p"]!.AsObject().ToDictionary(x => x.Key, x => x.Value!.AsArray()[1]!.GetValue<string>(), StringComparer.Ordinal);
            yield return (row["pk"]!.GetValue<string>(), row["rk"]!.GetValue<string>(), p);
        }
    }
}
