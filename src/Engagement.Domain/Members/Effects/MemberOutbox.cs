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

        var gone = new HashSet<MemberEffect>(emitted, ReferenceEqualityComparer.Instance);
        List<MemberEffect>? followUps = null;
        var kept = 0;
        for (var i = 0; i < Pending.Count; i++)
        {
            var effect = Pending[i];
            if (!gone.Contains(effect))
            {
                Pending[kept++] = effect;
            }
            else if (effect.FollowUp is { } followUp)
            {
                (followUps ??= []).Add(followUp);
            }
        }

        Pending.RemoveRange(kept, Pending.Count - kept);
        foreach (var followUp in followUps ?? [])
        {
            Add(followUp);
        }
    }

    /// <summary>True when a confirmed effect's follow-up waits: emit again once the write that stores it succeeded.</summary>
    [JsonIgnore]
    public bool HasFollowUps => Pending.Exists(e => e is ForgetCampaignReport);
}
