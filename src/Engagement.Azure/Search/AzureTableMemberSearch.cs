using Azure;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Contracts.Search;
using Engagement.Domain.Members;

namespace Engagement.Azure.Search;

/// <summary>
/// The support search index in an Azure table (default <c>EngagementMemberSearch</c>): one row per member keyed by
/// its id and one per member with a phone keyed by the phone's digits, so a prefix is a key-range read.
/// </summary>
/// <remarks>
/// <para>Row layout: partition <c>m</c> + the first three characters of the member id (fewer when shorter), row key the
/// member id, properties <c>Phone</c>, <c>Tier</c>; partition <c>p</c> + the first three phone digits, row key
/// <c>{digits}|{memberId}</c>, properties <c>MemberId</c>, <c>Phone</c>, <c>Tier</c>. Spreading by the first characters
/// keeps writes off one hot partition; a query of three or more characters reads one partition by row-key range, a
/// shorter one a small partition-key range; both stop at the limit, so the cost is the page, not the member count.</para>
/// <para>Written by <see cref="SearchIndexingMemberIndex"/> whenever the member grain writes its campaign index row
/// (which it does when tier, phone or another indexed attribute changes); rebuilt the same way.</para>
/// </remarks>
public sealed class AzureTableMemberSearch : IMemberSearch
{
    public const string DefaultTableName = "EngagementMemberSearch";

    /// <summary>Characters of the key that make the partition.</summary>
    public const int PartitionChars = 3;

    /// <summary>Longest query used, in characters (member ids are at most 64).</summary>
    public const int MaxQueryLength = 64;

    /// <summary>The id row's property naming a phone whose row may be written while the id row still names another.</summary>
    private const string PendingPhoneProperty = "PendingPhone";

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableMemberSearch(TableServiceClient serviceClient, string tableName = DefaultTableName)
    {
        var table = new EngineTable(serviceClient, tableName);
        _table = table.Client;
        _createTable = table.Creation;
    }

    /// <summary>Creates the table if missing; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    /// <summary>The phone's digits (at most 20), the form rows are keyed by; empty when it has none.</summary>
    public static string PhoneKey(string? phone) =>
        phone is null ? "" : new string([.. phone.Where(char.IsAsciiDigit).Take(20)]);

    /// <summary>
    /// Writes the member's rows; drops the row of a phone it no longer has. When the member's id row already holds this
    /// phone and tier (the campaign index row changed for another attribute: segment, value class, stage, ...), nothing
    /// is written: one read. The id row is written last, so an id row that matches means every row was written (a
    /// failure part-way leaves the old id row, and the retry writes them all). Before a phone row the id row does not
    /// name yet is written, the id row records it as <c>PendingPhone</c>: when that write succeeds and the id row's own
    /// write fails, the next write (perhaps for yet another phone) finds the pending phone's row and drops it too, so no
    /// search by a number the member no longer has finds it.
    /// </summary>
    public async Task UpsertAsync(string memberId, string phone, string tier, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        var idPartition = PartitionOf('m', memberId);
        var idRow = await _table.GetEntityIfExistsAsync<TableEntity>(idPartition, memberId, cancellationToken: cancellationToken);
        var stored = idRow.HasValue ? idRow.Value : null;
        var pending = stored?.GetString(PendingPhoneProperty);
        if (stored is not null && stored.GetString("Phone") == phone && stored.GetString("Tier") == tier && string.IsNullOrEmpty(pending))
        {
            return;
        }

        var oldKey = PhoneKey(stored?.GetString("Phone"));
        var pendingKey = PhoneKey(pending);
        var newKey = PhoneKey(phone);
        foreach (var stale in new[] { oldKey, pendingKey }.Where(k => k.Length > 0 && k != newKey).Distinct(StringComparer.Ordinal))
        {
            await _table.DeleteEntityAsync(PartitionOf('p', stale), stale + "|" + memberId, ETag.All, cancellationToken);
        }

        if (newKey.Length > 0 && newKey != oldKey && newKey != pendingKey)
        {
            // A member new to the index shows no phone until its row is written; a known one keeps its id row as it was.
            var marker = new TableEntity(idPartition, memberId) { [PendingPhoneProperty] = phone };
            if (stored is null)
            {
                marker["Phone"] = "";
                marker["Tier"] = tier;
            }

            await _table.UpsertEntityAsync(marker, TableUpdateMode.Merge, cancellationToken);
        }

        var rows = RowsOf(memberId, phone, tier);
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            // The phone row, then the id row; replacing the id row clears its PendingPhone.
            await _table.UpsertEntityAsync(rows[i], TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>The rows a member has in the index: by id, and by phone when it has one (bulk loads write these in batches).</summary>
    public static IReadOnlyList<TableEntity> RowsOf(string memberId, string phone, string tier)
    {
        var rows = new List<TableEntity> { new(PartitionOf('m', memberId), memberId) { ["Phone"] = phone, ["Tier"] = tier } };
        var key = PhoneKey(phone);
        if (key.Length > 0)
        {
            rows.Add(new TableEntity(PartitionOf('p', key), key + "|" + memberId) { ["MemberId"] = memberId, ["Phone"] = phone, ["Tier"] = tier });
        }

        return rows;
    }

    public async Task<IReadOnlyList<MemberSearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken = default)
    {
        query = (query ?? "").Trim();
        if (query.Length == 0 || limit < 1)
        {
            return [];
        }

        query = query.Length > MaxQueryLength ? query[..MaxQueryLength] : query;
        await InitializeAsync(cancellationToken);
        var hits = new List<MemberSearchHit>();
        if (IsRowKeySafe(query))
        {
            await foreach (var row in QueryPrefixAsync('m', query, limit, cancellationToken))
            {
                hits.Add(new MemberSearchHit { MemberId = row.RowKey, Phone = row.GetString("Phone") ?? "", Tier = row.GetString("Tier") ?? "", MatchedBy = MemberSearchHit.ByMemberId });
            }
        }

        // The national number and its forms with the country code: a phone is indexed by its digits as written.
        foreach (var digits in PhoneSearchForms.Of(query))
        {
            if (hits.Count >= limit || digits.Length > 20)
            {
                break;
            }

            await foreach (var row in QueryPrefixAsync('p', digits, limit, cancellationToken))
            {
                var id = row.GetString("MemberId") ?? "";
                if (hits.Count < limit && !hits.Exists(h => h.MemberId == id))
                {
                    hits.Add(new MemberSearchHit { MemberId = id, Phone = row.GetString("Phone") ?? "", Tier = row.GetString("Tier") ?? "", MatchedBy = MemberSearchHit.ByPhone });
                }
            }
        }

        return hits;
    }

    private async IAsyncEnumerable<TableEntity> QueryPrefixAsync(
        char kind, string prefix, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var upper = Successor(prefix);
        string filter;
        if (prefix.Length >= PartitionChars)
        {
            var partition = PartitionOf(kind, prefix);
            filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {upper}");
        }
        else
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey ge {kind + prefix} and PartitionKey lt {kind + upper}");
        }

        var count = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken))
        {
            yield return row;
            if (++count >= limit)
            {
                yield break;
            }
        }
    }

    private static string PartitionOf(char kind, string key) =>
        kind + (key.Length > PartitionChars ? key[..PartitionChars] : key);

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>.</summary>
    private static string Successor(string prefix) =>
        prefix[..^1] + (char)(prefix[^1] + 1);

    private static bool IsRowKeySafe(string s) =>
        s.All(c => c is not ('/' or '\\' or '#' or '?' or '\'') && !char.IsControl(c));
}
