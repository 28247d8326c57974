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
    /// <summary>Above this capacity a thread's scratch list is not reused for a smaller outbox (it is replaced by one of that outbox's size), so no thread keeps a large array for good.</summary>
    internal const int KeptScratchCapacity = 256;

    /// <summary>The list the short forms are written into, reused by the thread from one state write to the next.</summary>
    [ThreadStatic]
    private static List<MemberEffect>? t_stored;

    /// <summary>
    /// The list to store for <paramref name="pending"/>: itself when no effect has a short form, otherwise a list with
    /// the short forms (the outbox itself is not changed). That list is this thread's scratch, reused by the next call
    /// on the same thread (no copy of the outbox is allocated per state write; a member with 51 pending effects made a
    /// 432-byte array on every write): it is for serializing at once, as <see cref="MemberState.StoredOutbox"/>'s
    /// readers do (the state serializer, <see cref="OutboxBytes"/>); a caller that keeps it must copy it.
    /// </summary>
    public static List<MemberEffect> ForStorage(List<MemberEffect> pending, List<LedgerEntry> ledger, string memberId)
    {
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
                stored ??= Scratch(pending);
                stored[i] = shorter;
            }
        }

        return stored ?? pending;
    }

    /// <summary>This thread's scratch list, holding <paramref name="pending"/>'s effects in order.</summary>
    private static List<MemberEffect> Scratch(List<MemberEffect> pending)
    {
        var scratch = t_stored;
        if (scratch is null || (scratch.Capacity > KeptScratchCapacity && pending.Count <= KeptScratchCapacity))
        {
            t_stored = scratch = new List<MemberEffect>(pending.Count);
        }

        scratch.Clear();
        scratch.AddRange(pending);
        return scratch;
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
