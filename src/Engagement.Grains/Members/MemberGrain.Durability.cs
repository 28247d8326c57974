using Engagement.Domain.Touches;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// Keeping memory no further ahead than storage (ARCHITECTURE.md, "The member hot path"), the lifecycle reminder,
/// and the effects outbox (ledger archive, lifecycle journal, touches).
/// </summary>
/// <remarks>
/// The domain changes <see cref="MemberGrainState"/> in place. Every entry point that may change it runs inside
/// <see cref="ChangeAsync{T}"/>: if anything fails between the change and a successful write (the reminder table,
/// the state write, a bug in a rule), the activation marks its memory as ahead of storage and rethrows; the next call,
/// whatever it is, first reloads the state from storage (<see cref="EnsureCurrentAsync"/>) and fails while storage
/// cannot be read. The grain is not reentrant, and its [ReadOnly] calls interleave only with each other, so no caller
/// ever reads or builds on a change that storage does not hold: a retried event is applied again, not answered as a
/// duplicate. (The activation is not deactivated instead: a call that arrives while it deactivates is rejected
/// after two forwards, which would turn one failure into several.)
/// </remarks>
public sealed partial class MemberGrain
{
    /// <summary>Orleans' smallest reminder period; also how close "due" must be before the reminder is moved.</summary>
    private static readonly TimeSpan WakeTolerance = TimeSpan.FromMinutes(1);

    /// <summary>True while memory may hold what storage does not: during a change, and after one failed until reloaded.</summary>
    private bool _aheadOfStorage;

    /// <summary>Failed state writes of this activation, counted so a change can tell that one of its writes failed even when the failure was logged and swallowed.</summary>
    private int _failedWrites;

    /// <summary>How deep in <see cref="ChangeAsync{T}"/> the current call is: only the outermost one checks and settles.</summary>
    private int _changeDepth;

    /// <summary>Reloads the state from storage if a failed change left memory ahead of it. Throws while storage cannot be read.</summary>
    private async Task EnsureCurrentAsync()
    {
        if (!_aheadOfStorage)
        {
            return;
        }

        await state.ReadStateAsync();
        _aheadOfStorage = false;
        LogReloaded(MemberId);
    }

    /// <summary>
    /// Runs one change of the member (event, redemption, consent, tick, campaign delivery, effects). On any exception,
    /// or when one of its writes failed (even one the campaign side logged and swallowed), the in-memory state is
    /// marked as ahead of storage, so the next call reloads it before anything reads it.
    /// </summary>
    private async Task<T> ChangeAsync<T>(Func<Task<T>> change)
    {
        if (_changeDepth > 0)
        {
            return await change();
        }

        await EnsureCurrentAsync();
        var failedWritesBefore = _failedWrites;
        _aheadOfStorage = true;
        _changeDepth++;
        try
        {
            var result = await change();
            if (_failedWrites == failedWritesBefore)
            {
                _aheadOfStorage = false;
            }

            return result;
        }
        catch (Exception ex)
        {
            LogChangeDiscarded(ex, MemberId);
            throw;
        }
        finally
        {
            _changeDepth--;
        }
    }

    private async Task ChangeAsync(Func<Task> change) => await ChangeAsync(async () =>
    {
        await change();
        return true;
    });

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory is ahead of storage now: the next call starts over from what storage holds (see ChangeAsync).
            _failedWrites++;
            _aheadOfStorage = true;
            throw;
        }
    }

    /// <summary>Archives pending ledger rows and publishes sent touches not yet in the outbox.</summary>
    private async Task EmitPendingEffectsAsync(bool persistIfChanged)
    {
        var changed = false;
        if (state.State.PendingArchive.Count > 0)
        {
            try
            {
                await archive.AppendAsync(MemberId, state.State.PendingArchive.Select(MemberViews.ToView).ToList());
                state.State.PendingArchive.Clear();
                changed = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Kept in state; the next write or activation tries again.
                LogArchiveFailed(ex, MemberId, state.State.PendingArchive.Count);
            }
        }

        if (state.State.PendingJournal.Count > 0)
        {
            try
            {
                await journal.AppendAsync(MemberId, state.State.PendingJournal.ToList());
                state.State.PendingJournal.Clear();
                changed = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogJournalFailed(ex, MemberId, state.State.PendingJournal.Count);
            }
        }

        var unpublished = TouchGovernor.PendingPublish(Member);
        if (unpublished.Count > 0)
        {
            await outbox.SendAsync(unpublished.Select(t => MemberViews.ToMessage(MemberId, t)).ToList());
            TouchGovernor.MarkPublished(Member, unpublished.Select(t => t.TouchId).ToList());

            // The mark must be durable, or a reactivation would publish the same touch again
            // (harmless to connectors, which drop repeats by touchId, but noisy).
            persistIfChanged = true;
            changed = true;
        }

        if (changed && persistIfChanged)
        {
            await PersistAsync();
        }
    }

    /// <summary>
    /// Registers the lifecycle reminder once per member (and again only if the configured period changes): never per event.
    /// Called before the state write that records it, so stored state never claims a reminder that is not there; a
    /// failure here fails the change (see <see cref="ChangeAsync{T}"/>) and the retry registers again.
    /// </summary>
    private async Task EnsureLifecycleReminderAsync(DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (state.State.ReminderPeriod == period)
        {
            return;
        }

        await this.RegisterOrUpdateReminder(LifecycleReminder, period, period);
        state.State.ReminderPeriod = period;
        state.State.NextReminderAt = now + ToEngine(period);
        MemberMetrics.ReminderRegistered();
    }

    // Reminders run on real time; the rules on the engine clock, which only a test speeds up.
    private TimeSpan ToEngine(TimeSpan real) => time is AcceleratedTimeProvider fast ? real * fast.Speed : real;

    private TimeSpan ToReal(TimeSpan engine) => time is AcceleratedTimeProvider fast ? engine / fast.Speed : engine;

    /// <summary>Moves the reminder earlier when something falls due before its next tick. Returns true when it did.</summary>
    private async Task<bool> WakeAtAsync(DateTimeOffset? due, DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (due is not { } at || state.State.NextReminderAt is not { } next || at >= next - WakeTolerance || period <= TimeSpan.Zero)
        {
            return false;
        }

        var dueTime = at - now < WakeTolerance ? WakeTolerance : at - now;
        await this.RegisterOrUpdateReminder(LifecycleReminder, ToReal(dueTime), period);
        state.State.NextReminderAt = now + dueTime;
        MemberMetrics.ReminderRegistered();
        LogWake(MemberId, now + dueTime);
        return true;
    }

    private void AdvanceReminderSchedule(DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (state.State.NextReminderAt is not { } next || period <= TimeSpan.Zero)
        {
            return;
        }

        while (next <= now)
        {
            next += ToEngine(period);
        }

        state.State.NextReminderAt = next;
    }

    /// <summary>Win-back steps the domain recorded at this instant go to the journal (via state, so none is lost).</summary>
    private void CollectJournal(DateTimeOffset now)
    {
        foreach (var t in Member.Lifecycle.Transitions)
        {
            if (t.RecordedAt == now && LifecycleJournalEntry.Kinds.Contains(t.Kind))
            {
                state.State.PendingJournal.Add(new LifecycleJournalEntry(t.At, t.Kind, t.Level, t.EpisodeStartedAt));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: a change failed before it was stored; it is dropped and the state reloaded from storage before the next call")]
    private partial void LogChangeDiscarded(Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: state reloaded from storage after a failed change")]
    private partial void LogReloaded(string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: archiving {Count} ledger entries failed; will retry")]
    private partial void LogArchiveFailed(Exception ex, string memberId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: journaling {Count} win-back steps failed; will retry")]
    private partial void LogJournalFailed(Exception ex, string memberId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} wakes early at {WakeAt} for something due")]
    private partial void LogWake(string memberId, DateTimeOffset wakeAt);
}
