using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Engagement.Azure.Ledger;

namespace Engagement.Azure.Backup;

/// <summary>
/// Cuts each member's ledger rows at the member's own state during a restore. A backup copies the tables one after
/// another, grain state first, so a ledger copied later can hold rows of events applied after the member's state row
/// was read: rows whose sequence the restored state has not reached (or rows of a member whose state was not there
/// yet). Restored as they are, they would show support points the member does not have, and the member would reuse
/// their sequence numbers. This reads every member state row as the restore writes it (the member's
/// <c>NextSequence</c>) and keeps a ledger row only when its sequence is below that of its member.
/// </summary>
/// <remarks>
/// Rows the state relies on but the ledger copy lacks are not missing: the state lists them as pending and the
/// member writes them when it next activates. Memory: one entry per member (its escaped id and a number), about
/// 100 bytes, so 10 million members need about 1 GB in the restoring process, and one per member whose ledger had no
/// readable state. A state row that cannot be read is counted (<see cref="Unreadable"/>), and so are the ledgers left
/// out for want of a state (<see cref="MembersWithoutState"/>), so the restore can warn instead of dropping them silently.
/// </remarks>
internal sealed class MemberLedgerCut
{
    private readonly Dictionary<string, long> _nextSequence = new(StringComparer.Ordinal);

    /// <summary>Member state rows seen.</summary>
    public int Members => _nextSequence.Count;

    private readonly HashSet<string> _withoutState = new(StringComparer.Ordinal);

    /// <summary>Ledger rows left out because their member's state had not reached them.</summary>
    public long Dropped { get; private set; }

    /// <summary>
    /// State rows that could not be read as a grain's state: their data is not JSON, or names a member without a
    /// readable id and next sequence. Their members' ledgers are left out whole (no state to cut by), so a restore warns.
    /// </summary>
    public int Unreadable { get; private set; }

    /// <summary>Members (ledger partitions) whose every ledger row was left out because no readable state named them.</summary>
    public int MembersWithoutState => _withoutState.Count;

    /// <summary>Ledger rows left out because no readable state named their member (part of <see cref="Dropped"/>).</summary>
    public long DroppedWithoutState { get; private set; }

    /// <summary>Notes the member in a grain-state row (the official provider's <c>StringData</c>, <c>StringData1</c>…); other grains' rows are ignored.</summary>
    public void Observe(TableEntity stateRow)
    {
        var json = new StringBuilder();
        if (stateRow.GetString("StringData") is { } first)
        {
            json.Append(first);
            for (var i = 1; stateRow.GetString("StringData" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } next; i++)
            {
                json.Append(next);
            }
        }

        if (json.Length == 0)
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json.ToString());
            // The state JSON is camelCase (web defaults): {"member":{"memberId":…,"nextSequence":…},…}.
            if (Property(document.RootElement, "member") is not { ValueKind: JsonValueKind.Object } member)
            {
                // Another grain's state: nothing to cut by.
                return;
            }

            if (Property(member, "memberId") is { ValueKind: JsonValueKind.String } id && id.GetString() is { Length: > 0 } memberId
                && Property(member, "nextSequence") is { ValueKind: JsonValueKind.Number } next && next.TryGetInt64(out var nextSequence))
            {
                _nextSequence[AzureTableLedgerArchive.PartitionKey(memberId)] = nextSequence;
            }
            else
            {
                // A member's state without its id or next sequence: its ledger has nothing to be cut at.
                Unreadable++;
            }
        }
        catch (JsonException)
        {
            // Not JSON (damaged, or written by something else): if it was a member's, its ledger is left out whole.
            Unreadable++;
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value;
                }
            }
        }

        return null;
    }

    /// <summary>Whether a ledger row belongs to its member's restored state; counts the ones that do not.</summary>
    /// <remarks>
    /// A row of a member with no state row belongs to a member first seen after the state was copied, and is left
    /// out too, but only when the state rows named their members (every state the engine writes names its member;
    /// without any name there is nothing to cut by, and every row is kept).
    /// </remarks>
    public bool Keep(TableEntity ledgerRow)
    {
        var keep = _nextSequence.Count == 0
            || (_nextSequence.TryGetValue(ledgerRow.PartitionKey, out var next)
                && ledgerRow.GetInt64("Sequence") is { } sequence
                && sequence < next);
        if (!keep)
        {
            Dropped++;
            if (!_nextSequence.ContainsKey(ledgerRow.PartitionKey))
            {
                DroppedWithoutState++;
                _withoutState.Add(ledgerRow.PartitionKey);
            }
        }

        return keep;
    }
}
