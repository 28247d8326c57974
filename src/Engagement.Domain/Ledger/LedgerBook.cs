using Engagement.Domain.Members;

namespace Engagement.Domain.Ledger;

/// <summary>Appends numbered entries to the member's recent ledger and to the caller's list of new ones.</summary>
public static class LedgerBook
{
    public static LedgerEntry Append(
        MemberState state,
        ICollection<LedgerEntry> newEntries,
        DateTimeOffset at,
        string kind,
        long delta,
        long balanceAfter,
        string reason,
        string ruleId,
        string? eventId)
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
        };
        state.Ledger.Add(entry);
        newEntries.Add(entry);
        return entry;
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
