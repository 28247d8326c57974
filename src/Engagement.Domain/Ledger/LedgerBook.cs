using Engagement.Domain.Members;

namespace Engagement.Domain.Ledger;

/// <summary>Appends numbered entries to the member's recent ledger and to the caller's list of new ones.</summary>
public static class LedgerBook
{
    /// <summary>
    /// Appends an entry recorded at <paramref name="at"/>; <paramref name="occurredAt"/> is the instant it took effect when
    /// that is not <paramref name="at"/> (see <see cref="LedgerEntry.OccurredAt"/>), kept in UTC; <paramref name="tierLeft"/> the
    /// tier a tier entry's move left (<see cref="LedgerEntry.TierLeft"/>).
    /// </summary>
    public static LedgerEntry Append(
        MemberState state,
        ICollection<LedgerEntry> newEntries,
        DateTimeOffset at,
        string kind,
        long delta,
        long balanceAfter,
        string reason,
        string ruleId,
        string? eventId,
        DateTimeOffset? occurredAt = null,
        string? tierLeft = null)
    {
        if (state.NextSequence < 1)
        {
            state.NextSequence = 1;
        }

        var entry = new LedgerEntry
        {
            Sequence = state.NextSequence++,
            At = at,
            Kind = kind,
            Delta = delta,
            BalanceAfter = balanceAfter,
            Reason = reason,
            RuleId = ruleId,
            EventId = eventId,
            OccurredAt = occurredAt?.ToUniversalTime(),
            TierLeft = tierLeft,
        };
        state.Ledger.Add(entry);
        newEntries.Add(entry);
        return entry;
    }

    /// <summary>
    /// Dates the entries an event wrote (those of <paramref name="newEntries"/> from <paramref name="from"/> on that have no
    /// occurredAt yet) at the event's <paramref name="occurredAt"/> (CONTRACT.md §1.1), in the new list and in the member's
    /// recent ledger alike. Entries that carry their own instant (a lot's expiry, a tier grace's end) keep it.
    /// Internal: it dates the entries where they are, so it may only be given entries this decision appended
    /// (<see cref="Append"/>), the same objects in <paramref name="newEntries"/> and the member's ledger, before any
    /// effect or outbox entry holds them.
    /// </summary>
    internal static void DateFrom(MemberState state, List<LedgerEntry> newEntries, int from, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(newEntries);
        var utc = occurredAt.ToUniversalTime();
        for (var i = Math.Max(0, from); i < newEntries.Count; i++)
        {
            var entry = newEntries[i];
            if (entry.OccurredAt is not null)
            {
                continue;
            }

            // Dated where it is: the entry is this event's own, the same object in the new list and the member's recent
            // ledger, so a copy (and the search for it in the ledger) is not needed.
            entry.DateAt(utc);
        }
    }

    /// <summary>Keeps the newest <paramref name="keep"/> entries; the grain has archived the rest.</summary>
    public static void Trim(MemberState state, int keep)
    {
        var excess = state.Ledger.Count - Math.Max(0, keep);
        if (excess > 0)
        {
            state.Ledger.RemoveRange(0, excess);
        }
    }
}
