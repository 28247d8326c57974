using Engagement.Contracts.Storage;
using Engagement.Grains.Members.Effects;

namespace Engagement.Grains.Members;

/// <summary>The gate on the activation's way out (<see cref="DeactivateAsync"/>): what memory holds beyond storage is settled or dropped.</summary>
internal sealed partial class MemberWriteGate
{
    /// <summary>
    /// On the way out: the retry timer stops, ledger entries waiting for a batch are archived, and an outbox emptier
    /// than storage's is stored. Effects still pending then (a receiver failed, a handler's own timeout too) stay in
    /// storage, and the member's lifecycle reminder is moved to wake it soon, later after each such deactivation in a
    /// row (<see cref="MemberOutboxRetry.WakeLaterAsync"/>: that count stored before the move, the new schedule after it), so they do not wait for its next event; not when the silo shuts
    /// down and only metric contributions are left (the last silo stopping leaves them on purpose, for the member's next
    /// activation: see <see cref="MetricContributionHandler"/>). With memory ahead of storage (a change failed and no
    /// call reloaded since), the unsaved change is dropped: the state is read back once and its stored outbox handled as
    /// above, so effects storage holds still wake the member early; the unsaved change is never written. A failure (that
    /// read's too) is logged; never throws but for <paramref name="cancellationToken"/> (Orleans' deactivation timeout):
    /// once it is cancelled nothing more is written or moved (a new activation may already run and set its own reminder),
    /// so at worst the stored wake count is one too high.
    /// Either way the silo's effect handlers then forget the member (<see cref="MemberEffectEmitter.Release"/>).
    /// </summary>
    /// <param name="reason">Why Orleans deactivates the member (a silo shutting down, idle collection, ...).</param>
    /// <param name="cancellationToken">Orleans' deactivation timeout.</param>
    public async Task DeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken = default)
    {
        // Made now if it was not, so that the emit-all below arms no timer (an allocation that dies with the activation).
        Retry.Stop();
        try
        {
            if (_aheadOfStorage && !await TryReloadAsync(cancellationToken))
            {
                return;
            }

            if (Member.Outbox.Count > 0)
            {
                await EmitAsync(everything: true, cancellationToken: cancellationToken);
            }

            var wake = Member.Outbox.Count > 0 && member.Exists
                && !(reason.ReasonCode == DeactivationReasonCode.ShuttingDown && Emitter.OnlyInBackground(Member.Outbox));
            var rescheduled = wake && await Retry.WakeLaterAsync(Member.Outbox.Count, PersistAsync, cancellationToken);
            if (!wake && Retry.TickOwed && member.Exists)
            {
                // A tick the backlog refused and the outbox drained since: the reminder fires in Orleans' minute, not a day late.
                cancellationToken.ThrowIfCancellationRequested();
                rescheduled = await wakeUps.WakeAtAsync(member.Now, member.Now);
            }
            if (_writeOwed || rescheduled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await PersistAsync();
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // Any failure: a grain-state write's arrives wrapped in an OrleansException, and a TaskCanceledException
            // nobody here asked for (e.g. Orleans' activation timeout, or a port's SDK timeout in a callee: metrics
            // rows, member index, audit table, alert queue) is a failure too. Only the caller's own cancellation is thrown.
            Logger.LogDeactivationFailed(ex, member.MemberId);
        }
        finally
        {
            Emitter.Release(member.MemberId);
        }
    }

    /// <summary>
    /// On deactivation with memory ahead of storage: <see cref="ReloadAsync"/> once, so that what the stored outbox holds
    /// is emitted and woken for rather than left to the reminder's normal period. False when storage cannot be read
    /// (logged, not thrown: memory stays ahead and nothing is written) or <paramref name="cancellationToken"/> (Orleans'
    /// deactivation timeout) is already cancelled (no read); a read still running when it is cancelled is abandoned
    /// and the <see cref="OperationCanceledException"/> thrown, so a slow read never holds the deactivation past it.
    /// </summary>
    private async Task<bool> TryReloadAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            await ReloadAsync().WaitAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            Logger.LogDeactivationReloadFailed(ex, member.MemberId);
            return false;
        }
    }
}
