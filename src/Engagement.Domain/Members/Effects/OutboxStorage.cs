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
    /// <summary>
    /// The list to store for <paramref name="pending"/>: itself when no effect has a short form, otherwise a copy with
    /// the short forms (the outbox itself is not changed).
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
                stored ??= [.. pending];
                stored[i] = shorter;
            }
        }

        return stored ?? pending;
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
