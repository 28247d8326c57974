using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// The member's pending effects, oldest first: stored with the state in the same write, removed once emitted.
/// Adding an effect whose <see cref="MemberEffect.Id"/> is already pending replaces it (e.g. a newer index row).
/// </summary>
public sealed class MemberOutbox
{
    /// <summary>Effects decided and stored but not yet confirmed by their receiver.</summary>
    public List<MemberEffect> Pending { get; set; } = [];

    /// <summary>
    /// The list the state's JSON stores for <see cref="Pending"/> when it has short forms
    /// (<see cref="OutboxStorage.ForStorage"/>, read through <see cref="MemberState.StoredOutbox"/>): this outbox's own,
    /// refilled on each state write instead of copied; never stored itself. Null until the first such write. It holds
    /// at most the pending effects of the last write (a few hundred bytes at the outbox's usual 30-odd effects; one grown
    /// past <see cref="OutboxStorage.KeptListCapacity"/> is replaced once the outbox is short again).
    /// </summary>
    [JsonIgnore]
    internal List<MemberEffect>? StoredForm { get; set; }

    /// <summary>Number of pending effects.</summary>
    [JsonIgnore]
    public int Count => Pending.Count;

    /// <summary>Queues an effect; one with the same id still pending is replaced in place.</summary>
    public void Add(MemberEffect effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        for (var i = 0; i < Pending.Count; i++)
        {
            if (Pending[i].HasSameId(effect))
            {
                Pending[i] = effect;
                return;
            }
        }

        Pending.Add(effect);
    }

    /// <summary>
    /// Adds to <paramref name="into"/> the pending effects from index <paramref name="mark"/> on (none when the outbox
    /// holds <paramref name="mark"/> or fewer): an index loop, so nothing is allocated beyond <paramref name="into"/>'s
    /// growth (a <c>Pending.Skip(mark)</c> allocated an iterator per decision).
    /// </summary>
    internal void CopySince(int mark, List<MemberEffect> into)
    {
        for (var i = Math.Max(0, mark); i < Pending.Count; i++)
        {
            into.Add(Pending[i]);
        }
    }

    /// <summary>The pending effects from index <paramref name="mark"/> on, in a new list of exactly that size.</summary>
    internal List<MemberEffect> Since(int mark)
    {
        var since = new List<MemberEffect>(Math.Max(0, Pending.Count - Math.Max(0, mark)));
        CopySince(mark, since);
        return since;
    }

    /// <summary>Drops the pending effect with <paramref name="effect"/>'s id, if any, unsent; true when one was pending.</summary>
    public bool Withdraw(MemberEffect effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        return Pending.RemoveAll(e => e.HasSameId(effect)) > 0;
    }

    /// <summary>
    /// Drops the effects a receiver confirmed (by reference: a newer effect with the same id stays) and queues their
    /// <see cref="MemberEffect.FollowUp"/>s.
    /// </summary>
    public void Confirm(IReadOnlyCollection<MemberEffect> emitted)
    {
        ArgumentNullException.ThrowIfNull(emitted);
        if (emitted.Count == 0)
        {
            return;
        }

        // A handful confirmed (an event's own effects, nearly every emit): looked up in place, no set made per emit.
        var gone = emitted is List<MemberEffect> { Count: <= SmallConfirm } ? null : new HashSet<MemberEffect>(emitted, ReferenceEqualityComparer.Instance);
        var few = gone is null ? CollectionsMarshal.AsSpan((List<MemberEffect>)emitted) : default;
        List<MemberEffect>? followUps = null;
        var kept = 0;
        for (var i = 0; i < Pending.Count; i++)
        {
            var effect = Pending[i];
            if (!(gone?.Contains(effect) ?? ContainsReference(few, effect)))
            {
                Pending[kept++] = effect;
            }
            else if (effect.FollowUp is { } followUp)
            {
                (followUps ??= []).Add(followUp);
            }
        }

        Pending.RemoveRange(kept, Pending.Count - kept);
        if (followUps is null)
        {
            return; // not `followUps ?? []`: that makes an empty list on every confirm
        }

        foreach (var followUp in followUps)
        {
            Add(followUp);
        }
    }

    /// <summary>Up to this many confirmed effects are looked up by a scan (by reference) instead of through a set.</summary>
    private const int SmallConfirm = 16;

    private static bool ContainsReference(ReadOnlySpan<MemberEffect> few, MemberEffect effect)
    {
        foreach (var e in few)
        {
            if (ReferenceEquals(e, effect))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a confirmed effect's follow-up waits: emit again once the write that stores it succeeded.</summary>
    [JsonIgnore]
    public bool HasFollowUps => Pending.Exists(e => e is ForgetCampaignReport);
}
