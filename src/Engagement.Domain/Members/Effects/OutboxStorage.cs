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
    /// <remarks>
    /// A metric effect's short form made by an earlier write is taken again from that list (<see cref="CompactMadeBefore"/>)
    /// instead of made anew: contributions wait in the outbox until their aggregator confirms them, through several state
    /// writes, and each write made a 32-byte <see cref="CompactRecordMetrics"/> for every one still waiting. The list is
    /// refilled in place, front to back: an effect still pending sits at the same place or earlier than at the last write
    /// (the outbox drops effects, confirmed or withdrawn, replaces one with the same id in place and appends new ones:
    /// none moves later), so the slots still to be read are never those already written.
    /// </remarks>
    public static List<MemberEffect> ForStorage(MemberOutbox outbox, List<LedgerEntry> ledger, string memberId)
    {
        var pending = outbox.Pending;
        var before = outbox.StoredForm;
        var readable = before?.Count ?? 0;
        var nextBefore = 0;
        List<MemberEffect>? stored = null;
        for (var i = 0; i < pending.Count; i++)
        {
            var effect = pending[i];
            MemberEffect? shorter = effect switch
            {
                ArchiveLedgerEntry archive => LedgerReferences.For(archive, ledger),
                RecordMetrics metrics => CompactMadeBefore(before, Math.Max(i, nextBefore), readable, metrics, memberId, ref nextBefore)
                    ?? CompactMetrics.For(metrics, memberId),
                _ => null,
            };
            if (stored is null && shorter is not null)
            {
                stored = StartRefill(outbox, i);
            }

            if (stored is not null)
            {
                Put(stored, i, shorter ?? effect);
            }
        }

        if (stored is not null && stored.Count > pending.Count)
        {
            stored.RemoveRange(pending.Count, stored.Count - pending.Count);
        }

        return stored ?? pending;
    }

    /// <summary>
    /// The compact form of <paramref name="metrics"/> that the last state write stored, from its stored-form list
    /// <paramref name="before"/> (slots <paramref name="from"/> to <paramref name="count"/>, not yet refilled): the same
    /// outcome with the very same contributions list (an effect's contributions never change), of this member. Null when
    /// it has none; <paramref name="next"/> then stays, else moves past it (the next one is further on).
    /// </summary>
    private static CompactRecordMetrics? CompactMadeBefore(List<MemberEffect>? before, int from, int count, RecordMetrics metrics, string memberId, ref int next)
    {
        if (before is null)
        {
            return null;
        }

        for (var j = from; j < count; j++)
        {
            if (before[j] is CompactRecordMetrics made && ReferenceEquals(made.Contributions, metrics.Contributions)
                && string.Equals(made.OutcomeId, metrics.OutcomeId, StringComparison.Ordinal)
                && string.Equals(made.Contributions[0].MemberId, memberId, StringComparison.Ordinal))
            {
                next = j + 1;
                return made;
            }
        }

        return null;
    }

    /// <summary>
    /// The outbox's stored-form list, its first <paramref name="filled"/> slots set to the pending effects before the
    /// first short form; the slots after them still hold the last write's forms, read before each is refilled.
    /// </summary>
    private static List<MemberEffect> StartRefill(MemberOutbox outbox, int filled)
    {
        var pending = outbox.Pending;
        var stored = outbox.StoredForm;
        if (stored is null || (stored.Capacity > KeptListCapacity && pending.Count <= KeptListCapacity))
        {
            outbox.StoredForm = stored = new List<MemberEffect>(pending.Count);
        }

        for (var i = 0; i < filled; i++)
        {
            Put(stored, i, pending[i]);
        }

        return stored;
    }

    /// <summary>Sets slot <paramref name="index"/> of <paramref name="list"/>, which is filled front to back (so an index past its end is its count).</summary>
    private static void Put(List<MemberEffect> list, int index, MemberEffect effect)
    {
        if (index < list.Count)
        {
            list[index] = effect;
        }
        else
        {
            list.Add(effect);
        }
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
