using System.Text.Json;
using Engagement.Domain.Ledger;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// Stores the outbox's pending ledger entries once, not twice: an <see cref="ArchiveLedgerEntry"/> whose entry the
/// recent ledger (<see cref="MemberState.Ledger"/>, written in the same JSON document) also holds is written as an
/// <see cref="ArchiveLedgerReference"/>, and loading turns each reference back into the entry. An entry the recent
/// ledger no longer holds (trimmed below <c>LedgerEntriesKept</c>, or adopted from older state) is written in full, so
/// no state can name an entry it does not hold.
/// </summary>
internal static class LedgerReferences
{
    /// <summary>
    /// The list to store for <paramref name="pending"/>: itself when no pending entry is in <paramref name="ledger"/>,
    /// otherwise a copy with those entries as references (the outbox itself is not changed).
    /// </summary>
    public static List<MemberEffect> ForStorage(List<MemberEffect> pending, List<LedgerEntry> ledger)
    {
        List<MemberEffect>? stored = null;
        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i] is ArchiveLedgerEntry archive && Find(ledger, archive.Entry.Sequence) is { } held && (ReferenceEquals(held, archive.Entry) || held == archive.Entry))
            {
                stored ??= [.. pending];
                stored[i] = new ArchiveLedgerReference(archive.Entry.Sequence);
            }
        }

        return stored ?? pending;
    }

    /// <summary>Turns every stored reference in <paramref name="pending"/> back into its entry from <paramref name="ledger"/>.</summary>
    /// <exception cref="JsonException">A reference names an entry the stored recent ledger does not hold (the state was not written by <see cref="ForStorage"/>).</exception>
    public static void Resolve(List<MemberEffect> pending, List<LedgerEntry> ledger)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            if (pending[i] is ArchiveLedgerReference reference)
            {
                var entry = Find(ledger, reference.Sequence)
                    ?? throw new JsonException($"The stored outbox names ledger entry {reference.Sequence}, which the stored recent ledger does not hold.");
                pending[i] = new ArchiveLedgerEntry(entry);
            }
        }
    }

    /// <summary>The entry with <paramref name="sequence"/>: the recent ledger is numbered without gaps, oldest first, so it is looked up by position, and searched only if that misses.</summary>
    private static LedgerEntry? Find(List<LedgerEntry> ledger, long sequence)
    {
        if (ledger.Count == 0)
        {
            return null;
        }

        var index = sequence - ledger[0].Sequence;
        if (index >= 0 && index < ledger.Count && ledger[(int)index].Sequence == sequence)
        {
            return ledger[(int)index];
        }

        return ledger.Find(e => e.Sequence == sequence);
    }
}
