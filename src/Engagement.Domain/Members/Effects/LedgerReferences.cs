using System.Text.Json;
using Engagement.Domain.Ledger;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// Stores the outbox's pending ledger entries once, not twice: an <see cref="ArchiveLedgerEntry"/> whose entry the
/// recent ledger (<see cref="MemberState.Ledger"/>, written in the same JSON document) also holds is written as an
/// <see cref="ArchiveLedgerReference"/>, and loading turns each reference back into the entry. An entry the recent
/// ledger no longer holds (trimmed below <c>LedgerEntriesKept</c>, or adopted from older state) is written in full, so
/// no state can name an entry it does not hold. <see cref="OutboxStorage"/> applies it to the whole outbox.
/// </summary>
internal static class LedgerReferences
{
    /// <summary>The reference to store for <paramref name="archive"/> (the entry's own, made once: <see cref="ArchiveLedgerEntry.Reference"/>); null (store it in full) when <paramref name="ledger"/> does not hold that very entry.</summary>
    public static ArchiveLedgerReference? For(ArchiveLedgerEntry archive, List<LedgerEntry> ledger) =>
        Find(ledger, archive.Entry.Sequence) is { } held && (ReferenceEquals(held, archive.Entry) || held == archive.Entry)
            ? archive.Reference
            : null;

    /// <summary>The entry <paramref name="reference"/> names, from <paramref name="ledger"/>.</summary>
    /// <exception cref="JsonException">A reference names an entry the stored recent ledger does not hold (the state was not written by <see cref="OutboxStorage"/>).</exception>
    public static ArchiveLedgerEntry Resolve(ArchiveLedgerReference reference, List<LedgerEntry> ledger) =>
        new(Find(ledger, reference.Sequence)
            ?? throw new JsonException($"The stored outbox names ledger entry {reference.Sequence}, which the stored recent ledger does not hold."));

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

        foreach (var entry in ledger)
        {
            if (entry.Sequence == sequence)
            {
                return entry;
            }
        }

        return null;
    }
}
