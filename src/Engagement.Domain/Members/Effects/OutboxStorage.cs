using Engagement.Domain.Ledger;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// How the member's pending effects are stored (<see cref="MemberState.StoredOutbox"/>): nothing the same JSON document
/// already says is written again. A ledger entry the recent ledger holds is stored by sequence
/// (<see cref="LedgerReferences"/>); metric contributions are stored without the ids and member id the member rebuilds
/// (<see cref="CompactMetrics"/>). Every other effect, and any that does not fit its short form, is stored as it is.
/// Loading turns the short forms back (<see cref="Resolve"/>), so states written either way load alike.
/// </summary>
internal static class OutboxStorage
{
    /// <summary>Above this capacity a member's stored-form list is not reused for a smaller outbox (it is replaced by one of that outbox's size), so a member whose outbox once grew long does not keep a large array for good.</summary>
    internal const int KeptListCapacity = 64;

    /// <summary>
    /// The list to store for <paramref name="outbox"/>'s pending effects: the pending list itself when no effect has a
    /// short form, otherwise a list with the short forms (the pending list is not changed). That list is the outbox's
    /// own (<see cref="MemberOutbox.StoredForm"/>), refilled on the outbox's next state write: no copy of the outbox is
    /// allocated per state write (a member with 51 pending effects made a 432-byte array on every write), and no other
    /// member's write touches it (Orleans runs one call of a member at a time).
    /// </summary>
    public static List<MemberEffect> ForStorage(MemberOutbox outbox, List<LedgerEntry> ledger, string memberId)
    {
        var pending = outbox.Pending;
        List<MemberEffect>? stored = null;
        for (var i = 0; i < pending.Count; i++)
        {
            MemberEffect? shorter = pending[i] switch
            {
                ArchiveLedgerEntry archive => LedgerReferences.For(archive, ledger),
                RecordMetrics metrics => CompactMetrics.For(metrics, memberId),
                _ => null,
            };
            if (shorter is not null)
            {
                stored ??= Refill(outbox);
                stored[i] = shorter;
            }
        }

        return stored ?? pending;
    }

    /// <summary>The outbox's stored-form list, holding its pending effects in order.</summary>
    private static List<MemberEffect> Refill(MemberOutbox outbox)
    {
        var pending = outbox.Pending;
        var stored = outbox.StoredForm;
        if (stored is null || (stored.Capacity > KeptListCapacity && pending.Count <= KeptListCapacity))
        {
            outbox.StoredForm = stored = new List<MemberEffect>(pending.Count);
        }

        stored.Clear();
        stored.AddRange(pending);
        return stored;
    }

    /// <summary>Turns every short form in <paramref name="pending"/> back into the effect it stands for.</summary>
    /// <exception cref="System.Text.Json.JsonException">A short form the state cannot resolve: a ledger reference to an entry the stored ledger does not hold, compact contributions without a stored member id.</exception>
    public static void Resolve(List<MemberEffect> pending, List<LedgerEntry> ledger, string memberId)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            pending[i] = pending[i] switch
            {
                ArchiveLedgerReference reference => LedgerReferences.Resolve(reference, ledger),
                CompactRecordMetrics metrics => CompactMetrics.Resolve(metrics, memberId),
                var effect => effect,
            };
        }
    }
}
