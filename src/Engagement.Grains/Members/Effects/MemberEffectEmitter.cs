using System.Runtime.InteropServices;
using Engagement.Contracts.Storage;
using Engagement.Domain.Members.Effects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Members.Effects;

/// <summary>
/// The one emitter of a member's outbox (<see cref="MemberOutbox"/>): after the state write, hands each pending
/// effect to the handler of its kind and removes what the receivers confirmed. A handler that fails keeps its
/// effects pending (<see cref="EmitResult.Left"/>): the member's own retry (<c>MemberOutboxRetry</c>), its next emit,
/// or its next activation sends them again (each carries a deterministic id).
/// Effects that may wait for a batch (<see cref="MemberEffect.MayWaitForBatch"/>: ledger entries) stay pending until
/// <see cref="MemberOutboxOptions.LedgerBatch"/> of them are, or the caller asks for everything.
/// The lists a pass fills (what was confirmed, each handler's batch) are rented from a pool the silo's members share
/// and returned cleared when the pass ends, so an emit (one per event) allocates none of its own; a handler reads its
/// batch only until its task completes (<see cref="IMemberEffectHandler.EmitAsync"/>).
/// </summary>
public sealed partial class MemberEffectEmitter(IEnumerable<IMemberEffectHandler> handlers, IOptions<MemberOutboxOptions> options, ILogger<MemberEffectEmitter> logger)
{
    // By their EmitOrder, not the order of DI registration (which follows the host's Add… calls): coupon codes are
    // registered before the touches that name them go out.
    private readonly IMemberEffectHandler[] _handlers = [.. handlers.OrderBy(h => h.EmitOrder)];
    private readonly int _batch = options.Value.LedgerBatch;
    private readonly IMemberEffectHandler[] _background = [.. handlers.Where(h => h.ConfirmsInBackground)];

    // DefaultObjectPool keeps only ProcessorCount * 2 lists unless told otherwise, and an emit awaiting I/O holds two or
    // more: under load the other members' emits would allocate and their returns be dropped. Kept lists are cleared and
    // at most KeptCapacity slots each (EffectListPolicy), so keeping 256 is bounded (a few hundred KB at most).
    private readonly ObjectPool<List<MemberEffect>> _lists = new DefaultObjectPool<List<MemberEffect>>(new EffectListPolicy(), KeptLists);

    /// <summary>How many cleared lists the pool keeps for the silo's concurrent emits (each holds 2+ while it awaits a handler).</summary>
    private const int KeptLists = 256;

    /// <summary>The delays of a member's outbox retry (<see cref="MemberOutboxOptions.EffectiveRetryDelays"/>).</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; } = options.Value.EffectiveRetryDelays;

    /// <summary>
    /// Before a state write: drops from the outbox what receivers confirmed in the background since the last emit
    /// (<see cref="IMemberEffectHandler.TakeConfirmed"/>: metric contributions the aggregators applied), so the write
    /// does not store them once more. Sends nothing, never waits; returns whether the outbox shrank. Storage may still
    /// list them: a reload re-emits them, and their receiver applies each id once.
    /// </summary>
    public bool TakeConfirmed(string memberId, MemberOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        if (_background.Length == 0 || outbox.Count == 0)
        {
            return false;
        }

        var confirmed = _lists.Get();
        var batch = _lists.Get();
        try
        {
            foreach (var handler in _background)
            {
                batch.Clear();
                foreach (var effect in outbox.Pending)
                {
                    if (handler.Handles(effect))
                    {
                        batch.Add(effect);
                    }
                }

                if (batch.Count > 0 && handler.TakeConfirmed(memberId, batch) is var done and > 0)
                {
                    confirmed.AddRange(Leading(batch, done));
                }
            }

            outbox.Confirm(confirmed);
            return confirmed.Count > 0;
        }
        finally
        {
            _lists.Return(batch);
            _lists.Return(confirmed);
        }
    }

    /// <summary>
    /// Emits the pending effects: all of them when <paramref name="everything"/> (before the ledger is read, on
    /// deactivation), otherwise all but those that may wait for a batch while fewer than the batch size are pending.
    /// Returns what was confirmed: <see cref="EmitResult.Any"/> when the outbox shrank, <see cref="EmitResult.Durable"/>
    /// when one of them asks to be confirmed in storage at once (<see cref="MemberEffect.ConfirmDurably"/>). A handler
    /// that throws, a cancellation too (an Azure SDK request that timed out surfaces as
    /// <see cref="TaskCanceledException"/>), keeps its own effects pending and does not stop the handlers after it;
    /// what the others confirmed is confirmed either way. Throws only <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> (the caller's, e.g. the deactivation's) is cancelled, after confirming what
    /// went out before it, and <see cref="OutOfMemoryException"/>. An effect whose <see cref="MemberEffect.After"/> is
    /// still pending after its handler's turn stays pending (sent by a later emit).
    /// </summary>
    /// <param name="memberId">The member whose outbox this is.</param>
    /// <param name="outbox">Its pending effects.</param>
    /// <param name="everything">Also what may wait for a batch.</param>
    /// <param name="failures">
    /// The level a handler's failure is logged at: Warning, but Debug for most of a member's own retries
    /// (<c>MemberOutboxRetry</c>), which log their own summary.
    /// </param>
    /// <param name="cancellationToken">The caller's; its cancellation is the one failure of a handler that is thrown.</param>
    public async ValueTask<EmitResult> EmitAsync(string memberId, MemberOutbox outbox, bool everything = false, LogLevel failures = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        if (outbox.Count == 0)
        {
            return default;
        }

        var mayWait = CountWaiting(outbox);
        var waiting = !everything && mayWait < _batch;
        var held = waiting ? mayWait : 0;
        if (held == outbox.Count)
        {
            return default;
        }

        var confirmed = _lists.Get();
        try
        {
            var left = 0;
            try
            {
                var claimed = 0;
                foreach (var handler in _handlers)
                {
                    var (given, notSent) = await EmitThroughAsync(handler, memberId, outbox, waiting, everything, confirmed, failures, cancellationToken);
                    claimed += given;
                    left += notSent;
                }

                if (claimed + held < outbox.Count)
                {
                    DropOrphans(memberId, outbox, waiting, confirmed);
                }
            }
            finally
            {
                // Even when the caller's cancellation stops the pass: what went out must not go out again (the poison queue keeps repeats).
                outbox.Confirm(confirmed);
            }

            return new EmitResult(confirmed.Count > 0, confirmed.Exists(e => e.ConfirmDurably), left);
        }
        finally
        {
            _lists.Return(confirmed);
        }
    }

    /// <summary>
    /// Hands one handler its pending effects and adds what it confirmed to <paramref name="confirmed"/>; returns how many
    /// it was given and how many of those only another emit will send (<see cref="EmitResult.Left"/>: it failed, confirmed
    /// fewer, or they wait behind one still pending; not those a background receiver is still confirming, unless
    /// <paramref name="everything"/> waited for it). Its failure, whatever it is (a timeout's cancellation too), is
    /// logged and leaves them pending.
    /// </summary>
    private async ValueTask<(int Given, int Left)> EmitThroughAsync(IMemberEffectHandler handler, string memberId, MemberOutbox outbox, bool waiting, bool everything, List<MemberEffect> confirmed, LogLevel failures, CancellationToken cancellationToken)
    {
        List<MemberEffect>? batch = null;
        var heldBack = 0;
        foreach (var effect in outbox.Pending)
        {
            if (!(waiting && effect.MayWaitForBatch) && handler.Handles(effect))
            {
                if (effect.After is { } after && Unconfirmed(after, outbox, confirmed))
                {
                    heldBack++;
                    continue;
                }

                (batch ??= _lists.Get()).Add(effect);
            }
        }

        if (batch is null)
        {
            return (heldBack, heldBack);
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = batch.Count;
            try
            {
                var done = await (everything ? handler.EmitAllAsync(memberId, batch) : handler.EmitAsync(memberId, batch));
                confirmed.AddRange(Leading(batch, done));
                left = handler.ConfirmsInBackground && !everything ? 0 : batch.Count - done;
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                LogEmitFailed(failures, ex, memberId, batch.Count, handler.GetType().Name);
            }

            return (batch.Count + heldBack, left + heldBack);
        }
        finally
        {
            _lists.Return(batch);
        }
    }

    /// <summary>
    /// Confirms the pending effects of a kind no handler on this silo emits (e.g. an index row with campaigns off):
    /// nothing will ever take them. A method of its own: its lambdas' captures would otherwise be allocated on every emit.
    /// </summary>
    private void DropOrphans(string memberId, MemberOutbox outbox, bool waiting, List<MemberEffect> confirmed)
    {
        foreach (var orphan in outbox.Pending.Where(e => !(waiting && e.MayWaitForBatch) && !_handlers.Any(h => h.Handles(e))))
        {
            LogDropped(memberId, orphan.Id);
            confirmed.Add(orphan);
        }
    }

    /// <summary>True when the effect with id <paramref name="id"/> is pending, not confirmed in this pass, and some handler here emits it.</summary>
    private bool Unconfirmed(string id, MemberOutbox outbox, List<MemberEffect> confirmed)
    {
        foreach (var effect in outbox.Pending)
        {
            if (string.Equals(effect.Id, id, StringComparison.Ordinal))
            {
                return !Contains(confirmed, effect) && HasHandler(effect);
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="effect"/> itself (by reference) is in <paramref name="list"/>; a plain loop, no closure per call.</summary>
    private static bool Contains(List<MemberEffect> list, MemberEffect effect)
    {
        foreach (var item in list)
        {
            if (ReferenceEquals(item, effect))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some handler on this silo emits <paramref name="effect"/>; a plain loop, no closure per call.</summary>
    private bool HasHandler(MemberEffect effect)
    {
        foreach (var handler in _handlers)
        {
            if (handler.Handles(effect))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when every effect pending in <paramref name="outbox"/> belongs to a handler whose receiver confirms in the
    /// background (<see cref="IMemberEffectHandler.ConfirmsInBackground"/>: metric contributions); false for an empty outbox.
    /// </summary>
    public bool OnlyInBackground(MemberOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        return outbox.Count > 0 && outbox.Pending.All(e => _background.Any(h => h.Handles(e)));
    }

    /// <summary>
    /// The member has deactivated: each handler forgets what it kept for it on this silo
    /// (<see cref="IMemberEffectHandler.Release"/>), so a member that leaves with a failed send behind it holds no
    /// memory here and nothing of it is sent again from here (a send already under way finishes). Never throws.
    /// </summary>
    public void Release(string memberId)
    {
        foreach (var handler in _handlers)
        {
            handler.Release(memberId);
        }
    }

    /// <summary>The first <paramref name="count"/> effects of <paramref name="batch"/> (none when negative, all when more), without an iterator per emit.</summary>
    private static ReadOnlySpan<MemberEffect> Leading(List<MemberEffect> batch, int count) =>
        CollectionsMarshal.AsSpan(batch)[..Math.Clamp(count, 0, batch.Count)];

    private static int CountWaiting(MemberOutbox outbox)
    {
        var count = 0;
        foreach (var effect in outbox.Pending)
        {
            if (effect.MayWaitForBatch)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Lists of a pass, kept cleared (a kept list holds no effect, so no member's effects outlive its pass); one that grew
    /// past <see cref="KeptCapacity"/> (a long outbox's pass) is dropped rather than kept at that size.
    /// </summary>
    private sealed class EffectListPolicy : PooledObjectPolicy<List<MemberEffect>>
    {
        private const int KeptCapacity = 64;

        public override List<MemberEffect> Create() => new(4);

        public override bool Return(List<MemberEffect> obj)
        {
            obj.Clear();
            return obj.Capacity <= KeptCapacity;
        }
    }

    [LoggerMessage(Message = "{MemberId}: emitting {Count} effects through {Handler} failed; they stay in the outbox and are retried")]
    private partial void LogEmitFailed(LogLevel level, Exception ex, string memberId, int count, string handler);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: no handler on this silo emits effect {EffectId}; dropped")]
    private partial void LogDropped(string memberId, string effectId);
}

/// <summary>What <see cref="MemberEffectEmitter.EmitAsync"/> confirmed, and what it could not send.</summary>
/// <param name="Any">The outbox shrank.</param>
/// <param name="Durable">A confirmed effect must be confirmed in storage now (its receiver does not drop repeats).</param>
/// <param name="Left">
/// Effects the pass handed to a handler (or held behind one still pending) that are still pending and only another
/// emit will send: its handler failed or confirmed fewer. Neither those that may wait for a batch and were not sent,
/// nor those a background receiver (<see cref="IMemberEffectHandler.ConfirmsInBackground"/>) is still confirming,
/// unless the pass sent everything and so waited for it. 0 when nothing failed.
/// </param>
public readonly record struct EmitResult(bool Any, bool Durable, int Left = 0);
