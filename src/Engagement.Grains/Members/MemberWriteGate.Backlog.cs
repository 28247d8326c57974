using Engagement.Contracts.Members;
using Engagement.Contracts.Storage;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;

namespace Engagement.Grains.Members;

/// <summary>
/// The outbox's bound (docs/rules.md "Touch governance", "The outbox is bounded by count and by bytes"): a member whose pending effects pass
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
    /// Runs the member's lifecycle tick (<paramref name="tick"/>: win-back steps, expiry, tier review, coupon and deferred
    /// touches) as a change. When the backed-up outbox refuses it (<see cref="MemberBacklogException"/>), the tick is
    /// not lost to the next reminder a day later: it is owed (<see cref="MemberOutboxRetry.OweTick"/>) and runs again,
    /// through this method, right after the first emit that leaves the outbox under its byte bound (the outbox retry's
    /// once the receiver is back, or any other change's); at most one tick is owed, and the rerun is a tick like any
    /// other (touch caps, quiet hours and the domain's repeat rules hold). A tick that runs clears the one owed (and its
    /// armed run), so a reminder tick that drains the outbox itself is not followed by a second. Then it returns normally: the refusal is
    /// logged, not thrown to the reminder service. Any other failure is thrown, as for every change.
    /// </summary>
    public async Task TickAsync(Func<Task> tick)
    {
        try
        {
            await ChangeAsync(tick);

            // This tick ran: an owed one (armed by this tick's own emit-first, say) would only run it again.
            _retry?.TickRan();
        }
        catch (MemberBacklogException)
        {
            Retry.OweTick(tick);
            Logger.LogTickOwed(member.MemberId);
        }
    }

    /// <summary>
    /// Before a change: with the outbox past its count cap (<see cref="MemberOutboxOptions.EmitFirstAbove"/>) or its byte
    /// bound (<see cref="OutboxBytes.Bound"/>), emits everything pending first. Only the byte bound refuses: if the
    /// emit leaves the outbox's stored JSON still past it, the change is refused with a <see cref="MemberBacklogException"/>
    /// (a <see cref="TimeoutException"/>, "not now": the API answers 503 with <c>Retry-After</c> and problem details, a
    /// queue event is received again later, then dead-lettered with this message as its reason if the receiver stays
    /// down that long, a campaign fan-out counts the member as not reached). Past the count cap alone the change goes
    /// on (small effects, far from the row's limit). Nothing of the change was decided; what the emit did deliver is
    /// stored first (the smaller row fits), so memory is not ahead of storage and the next call needs no reload. The
    /// outbox retry (<see cref="MemberOutboxRetry"/>) keeps sending: once the receiver is back, the member takes changes again.
    /// </summary>
    /// <exception cref="MemberBacklogException">The outbox stays past its byte bound: a receiver refuses its effects.</exception>
    private async Task EmitFirstAsync()
    {
        if (_emitOnly || !member.Exists || (Member.Outbox.Count <= MemberOutboxOptions.EmitFirstAbove && !OutboxBytes.PastBound(Member)))
        {
            return;
        }

        // Stored effects only: emitting them first is safe, and what they free keeps the change's write under the bound.
        var failedWrites = _failedWrites;
        await EmitAsync(everything: true);
        if (!OutboxBytes.PastBound(Member))
        {
            return;
        }

        if (_writeOwed && _failedWrites == failedWrites)
        {
            // Keep what the emit delivered: stored now, a retried change does not send it again nor reload a larger row.
            Emitter.TakeConfirmed(member.MemberId, Member.Outbox);
            try
            {
                await PersistAsync();
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // PersistAsync marked memory ahead: the next call reloads. The refusal below is still the answer.
                Logger.LogConfirmFailed(ex, member.MemberId);
            }
        }

        if (_failedWrites == failedWrites)
        {
            // Memory holds storage's state less delivered effects, nothing of the refused change.
            _aheadOfStorage = false;
        }

        var bytes = OutboxBytes.Stored(Member);
        Logger.LogOutboxBacklogRefused(member.MemberId, Member.Outbox.Count, bytes);
        throw new MemberBacklogException(member.MemberId, Member.Outbox.Count, bytes, OutboxBytes.Bound);
    }
}
