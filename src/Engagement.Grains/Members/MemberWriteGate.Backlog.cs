using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;

namespace Engagement.Grains.Members;

/// <summary>
/// The outbox's bound (README "Touch governance", "The outbox is bounded by count and by bytes"): a member whose pending effects pass
/// <see cref="MemberOutboxOptions.EmitFirstAbove"/> effects or <see cref="OutboxBytes.Bound"/> bytes of stored JSON emits
/// them all before its next change; when they still cannot all leave (a receiver down, the ledger archive most often),
/// the change is refused before it decides anything, so the stored row never grows past what the table storage writes.
/// </summary>
internal sealed partial class MemberWriteGate
{
    /// <summary>True while a change that only sends or reads what is pending runs (<see cref="EmitOnlyAsync{T}"/>): never refused for the backlog.</summary>
    private bool _emitOnly;

    /// <summary>
    /// A change that only emits what is pending or reads (an activation's recovery, an outbox retry, a ledger read): it
    /// sends everything itself, so it neither emits first nor is refused for the backlog. Otherwise
    /// <see cref="ChangeAsync{T}(Func{Task{T}})"/>.
    /// </summary>
    public async Task<T> EmitOnlyAsync<T>(Func<Task<T>> change)
    {
        var outer = _emitOnly;
        _emitOnly = true;
        try
        {
            return await ChangeAsync(change);
        }
        finally
        {
            _emitOnly = outer;
        }
    }

    /// <summary><see cref="EmitOnlyAsync{T}"/> with no answer.</summary>
    public Task EmitOnlyAsync(Func<Task> change) => EmitOnlyAsync(async () =>
    {
        await change();
        return true;
    });

    /// <summary>
    /// Before a change: with the outbox past its count cap or its byte bound, emits everything pending; if that leaves
    /// it still past either, refuses the change with a <see cref="TimeoutException"/> ("not now": the API answers 503
    /// with <c>Retry-After</c> and problem details, a queue event is received again later, then dead-lettered with this
    /// message as its reason if the receiver stays down that long). Nothing was decided, and the outbox retry
    /// (<see cref="MemberOutboxRetry"/>) keeps sending: once the receiver is back, the member takes changes again.
    /// </summary>
    /// <exception cref="TimeoutException">The outbox stays past its bound: a receiver refuses its effects.</exception>
    private async Task EmitFirstAsync()
    {
        if (_emitOnly || !member.Exists || !PastBound())
        {
            return;
        }

        // Stored effects only: emitting them first is safe, and what they free keeps the change's write under the bound.
        await EmitAsync(everything: true);
        if (PastBound())
        {
            var bytes = OutboxBytes.Stored(Member);
            Logger.LogOutboxBacklogRefused(member.MemberId, Member.Outbox.Count, bytes);
            throw new TimeoutException(
                $"Member {member.MemberId} has {Member.Outbox.Count} effects ({bytes} bytes) its receivers have not taken (the ledger archive or another "
                + $"receiver is down), over the outbox bound ({MemberOutboxOptions.EmitFirstAbove} effects, {OutboxBytes.Bound} bytes): "
                + "the change is refused, nothing was applied; retry later, once they are delivered.");
        }
    }

    private bool PastBound() => Member.Outbox.Count > MemberOutboxOptions.EmitFirstAbove || OutboxBytes.PastBound(Member);
}
