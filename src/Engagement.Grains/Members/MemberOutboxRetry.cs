using Engagement.Domain.Members.Effects;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// Sends a member's pending effects again on its own when an emit could not (ARCHITECTURE.md, "The member hot path"): a
/// quiet member, the one a win-back touch is for, may see no next event for weeks, so effects a receiver refused (the
/// touch queue, the ledger archive, the journal, the aggregators briefly unreachable) must not wait for one.
/// </summary>
/// <remarks>
/// While the member is active, a one-shot grain timer retries after <see cref="MemberOutboxOptions.RetryDelays"/> (by
/// default 5 s, 15 s, 1 min, then every 5 min, real time); each retry is a change of the member's <see cref="MemberWriteGate"/> (the timer does not
/// interleave, so it never races an event) that emits everything pending, ledger rows waiting for a batch too. It stops
/// when the outbox is empty or such an emit left nothing, and it does not keep the activation alive. When the
/// activation is collected with effects still pending, <see cref="WakeLaterAsync"/> moves the member's lifecycle
/// reminder (durable) to <see cref="WakeDelay"/> from now, through <see cref="MemberWakeUps"/>, so its schedule stays
/// what storage says; the activation it wakes finds them in its stored outbox (<see cref="Owe"/>) and retries them.
/// That delay grows with each such deactivation in a row (<see cref="MemberGrainState.OutboxWakes"/>: 5 min, 15 min,
/// 1 h, 4 h, then the normal period), so a long outage or an effect a receiver always refuses does not wake the member
/// every few minutes forever; it starts over once the outbox drains.
/// Metric contributions confirm in the background: a failed send of theirs while the member is active is not seen here
/// (their lane logs it), but any emit restarts it, a retry waits for it, and deactivation waits for it too, so one still
/// failing then wakes the member like any other effect. At most one per activation, made by its gate only when first
/// needed (a resident member whose effects all went out holds none); not thread-safe (the grain is not reentrant).
/// </remarks>
/// <param name="member">The activation whose outbox this retries.</param>
/// <param name="grain">
/// The member grain whose Orleans grain timers run the retries (not interleaving, not keeping it alive); null only when
/// <see cref="MemberGrainServices.RetryTimers"/> starts them instead (tests).
/// </param>
/// <param name="wakeUps">The member's lifecycle reminder, moved to wake a member that deactivated with effects pending.</param>
/// <param name="gate">The member's write gate, through which each retry runs.</param>
internal sealed class MemberOutboxRetry(MemberActivation member, IGrainBase? grain, MemberWakeUps wakeUps, MemberWriteGate gate)
{
    /// <summary>
    /// How long after a deactivation that left effects pending the lifecycle reminder wakes the member, by such
    /// deactivations in a row before it (<see cref="MemberGrainState.OutboxWakes"/>): 5 min, 15 min, 1 h, 4 h; after
    /// those it is not moved (the normal period). Each is lengthened by <see cref="WakeDelay"/>'s per-member jitter.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> WakeDelays = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(4)];

    private ILogger Logger => member.Logger;

    /// <summary>The armed timer; null when no retry is due.</summary>
    private IDisposable? _timer;

    /// <summary>Retries that ran since the last emit that left nothing (picks the next delay; the count logged).</summary>
    private int _retries;

    /// <summary>Effects the last emit left pending that only another emit sends.</summary>
    private int _left;

    /// <summary>A retry is owed: something failed, or the activation found effects a previous one left.</summary>
    private bool _owed;

    /// <summary>The activation is deactivating: nothing is armed any more.</summary>
    private bool _stopped;

    /// <summary>A lifecycle tick the backed-up outbox refused (<see cref="OweTick"/>); null when none is owed. At most one.</summary>
    private Func<Task>? _owedTick;

    /// <summary>The armed run of <see cref="_owedTick"/>; null when none is armed.</summary>
    private IDisposable? _tickTimer;

    /// <summary>True while a lifecycle tick refused for the backlog has not run again yet.</summary>
    public bool TickOwed => _owedTick is not null;

    /// <summary>
    /// The wake after <paramref name="wakes"/> deactivations in a row that left effects pending (0: the first):
    /// <see cref="WakeDelays"/> plus up to a fifth of it, fixed per member (a stable hash of <paramref name="memberId"/>),
    /// so members collected together during an outage do not all wake together; null once <see cref="WakeDelays"/> is
    /// used up (the reminder keeps its normal period).
    /// </summary>
    public static TimeSpan? WakeDelay(string memberId, int wakes)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        if (wakes >= WakeDelays.Count)
        {
            return null;
        }

        var hash = 2166136261u;
        foreach (var c in memberId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        var delay = WakeDelays[Math.Max(wakes, 0)];
        return delay + TimeSpan.FromTicks(delay.Ticks / 5 * (hash % 1000) / 1000);
    }

    /// <summary>The delay in <paramref name="delays"/> before the retry that follows <paramref name="failedRetries"/> failed retries (0: the first; the last repeats).</summary>
    public static TimeSpan DelayAfter(IReadOnlyList<TimeSpan> delays, int failedRetries)
    {
        ArgumentNullException.ThrowIfNull(delays);
        return delays[Math.Clamp(failedRetries, 0, delays.Count - 1)];
    }

    /// <summary>The retry whose failure is logged at Warning: the one after which the next delay is the last of <paramref name="delays"/> (the cap).</summary>
    public static int WarnsAt(IReadOnlyList<TimeSpan> delays)
    {
        ArgumentNullException.ThrowIfNull(delays);
        return Math.Max(delays.Count - 1, 1);
    }

    /// <summary>The delay before the next retry of this activation (<see cref="MemberEffectEmitter.RetryDelays"/>).</summary>
    private TimeSpan NextDelay => DelayAfter(member.Services.Emitter.RetryDelays, _retries);

    /// <summary>
    /// After every emit of the gate (once this retry exists): settles when the outbox is empty or an emit of
    /// <paramref name="everything"/> left nothing; otherwise, when <paramref name="left"/> effects failed (or a retry
    /// is owed), arms the next retry unless one is armed. Never throws but for the timer's own registration.
    /// </summary>
    public void Emitted(int left, bool everything)
    {
        _left = left;
        RunOwedTickWhenUnderBound();
        if (member.Member.Outbox.Count == 0 || (everything && left == 0))
        {
            Settle();
            return;
        }

        if (left > 0 || _owed)
        {
            Owe();
        }
    }

    /// <summary>
    /// A retry is due even though no emit of this activation failed: it found effects in its stored outbox that a
    /// previous one left (woken by <see cref="WakeLaterAsync"/>, or after a crash). Arms the retry unless one is armed.
    /// </summary>
    public void Owe()
    {
        _owed = true;
        if (_timer is null && !_stopped)
        {
            var due = NextDelay;
            _timer = member.Services.RetryTimers is { } timers
                ? timers(RetryAsync, due)
                : grain!.RegisterGrainTimer(static (retry, _) => retry.RetryAsync(), this, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan));
        }
    }

    /// <summary>The activation deactivates: the armed retry (and an owed tick's run) is cancelled and none is armed from now on.</summary>
    public void Stop()
    {
        _stopped = true;
        _timer?.Dispose();
        _timer = null;
        _tickTimer?.Dispose();
        _tickTimer = null;
    }

    /// <summary>
    /// The backed-up outbox refused the lifecycle tick <paramref name="tick"/> (docs/rules.md "The outbox is bounded by count and
    /// by bytes"): it runs again as soon as an emit leaves the outbox under its byte bound (<see cref="Emitted"/>),
    /// not at the reminder's next tick a day later. The retry that sends the backlog is already armed by the emit that
    /// left it. One tick at most is owed: a later refusal replaces it (the same tick, which decides by the clock when it runs).
    /// If the activation is collected first, its deactivation wakes the member soon (<see cref="MemberWriteGate.DeactivateAsync"/>).
    /// </summary>
    public void OweTick(Func<Task> tick)
    {
        ArgumentNullException.ThrowIfNull(tick);
        _owedTick = tick;
    }

    /// <summary>A lifecycle tick ran (<see cref="MemberWriteGate.TickAsync"/>): the owed tick, if any, is cleared and its armed run cancelled.</summary>
    public void TickRan()
    {
        _owedTick = null;
        _tickTimer?.Dispose();
        _tickTimer = null;
    }

    /// <summary>After an emit: with a tick owed and the outbox under its byte bound, arms the tick's run (a grain timer due now, after the current call).</summary>
    private void RunOwedTickWhenUnderBound()
    {
        if (_owedTick is null || _tickTimer is not null || _stopped || OutboxBytes.PastBound(member.Member))
        {
            return;
        }

        _tickTimer = member.Services.RetryTimers is { } timers
            ? timers(RunOwedTickAsync, TimeSpan.Zero)
            : grain!.RegisterGrainTimer(static (retry, _) => retry.RunOwedTickAsync(), this, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    /// <summary>
    /// The owed tick's timer fired: the tick runs as a change of the gate (<see cref="MemberWriteGate.TickAsync"/>, which
    /// owes it again if the outbox is past its bound once more). Never throws: a failed tick was logged by the gate,
    /// and the reminder's next tick runs it.
    /// </summary>
    private async Task RunOwedTickAsync()
    {
        _tickTimer?.Dispose();
        _tickTimer = null;
        if (_stopped || _owedTick is not { } tick)
        {
            return;
        }

        _owedTick = null;
        Logger.LogOwedTickRuns(member.MemberId);
        try
        {
            await gate.TickAsync(tick);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Logged by the gate (LogChangeFailed); memory is not ahead of storage, and the next reminder tick runs the tick.
        }
    }

    /// <summary>
    /// On deactivation with <paramref name="pending"/> effects still in the outbox after its emit: moves the lifecycle
    /// reminder to <see cref="WakeDelay"/> from now (engine clock, UTC, through the reminder clock; not once the
    /// delays are used up), registering it first if the member has none, and counts the effects
    /// (<see cref="MemberMetrics.OutboxLeftPending"/>). The deactivation is counted in
    /// <see cref="MemberGrainState.OutboxWakes"/> and that count stored (<paramref name="store"/>) before the move: a move
    /// whose count storage lacks would wake the member at the same step again, and while state writes fail (the reminder
    /// table working) every few minutes for as long; so a failure of that write is thrown and nothing moves. When the
    /// reminder table then fails (its timeout too: logged at Warning, never thrown) the count goes back (stored by the
    /// caller's closing write; unless that write fails too, when storage keeps it one too high), as a wake that
    /// was never scheduled does not lengthen the next one, and the effects wait for the member's next event or tick.
    /// Returns true when the schedule or count differs from what <paramref name="store"/> stored (the caller writes the state).
    /// Once <paramref name="cancellationToken"/> is cancelled, the <see cref="OperationCanceledException"/> is thrown
    /// before the count write and before the move: nothing moves (at worst the stored count is one too high).
    /// </summary>
    /// <param name="pending">Effects still pending.</param>
    /// <param name="store">Writes the state (throws when it fails).</param>
    /// <param name="cancellationToken">Orleans' deactivation timeout.</param>
    public async Task<bool> WakeLaterAsync(int pending, Func<Task> store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        MemberMetrics.OutboxLeftPending(pending);
        var stored = member.State.State;
        var wakes = stored.OutboxWakes;
        var delay = WakeDelay(member.MemberId, wakes);
        if (delay is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stored.OutboxWakes = wakes + 1;
            await store();
        }

        // Past Orleans' timeout a new activation may run: a move now could override the reminder it set.
        cancellationToken.ThrowIfCancellationRequested();

        var written = (stored.ReminderPeriod, stored.NextReminderAt, stored.OutboxWakes);
        var now = member.Now;
        try
        {
            await wakeUps.EnsureRegisteredAsync(now);
            if (delay is { } wakeIn)
            {
                await wakeUps.WakeAtAsync(now + member.Services.ReminderClock.ToEngine(wakeIn), now);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A timeout of the reminder table (the Azure SDK's TaskCanceledException) too: deactivation never throws for it.
            Logger.LogOutboxWakeFailed(ex, member.MemberId, pending);
            stored.OutboxWakes = wakes;
            return (stored.ReminderPeriod, stored.NextReminderAt, stored.OutboxWakes) != written;
        }

        Logger.LogOutboxLeftPending(member.MemberId, pending, stored.NextReminderAt ?? now);
        return (stored.ReminderPeriod, stored.NextReminderAt, stored.OutboxWakes) != written;
    }

    /// <summary>
    /// The timer fired: one retry through the gate; when it leaves effects pending, or fails in any way (storage
    /// unreadable, a timeout), a log line with the count and the next retry, which is armed. Never throws. The emit's
    /// first failure was already logged at Warning (by the emitter), so a retry logs at Debug (its handlers' failures
    /// too), except the one after which the delay reaches its cap (<see cref="WarnsAt"/>): Warning, once per run of failures.
    /// </summary>
    private async Task RetryAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (_stopped)
        {
            return;
        }

        var attempt = ++_retries;
        var level = attempt == WarnsAt(member.Services.Emitter.RetryDelays) ? LogLevel.Warning : LogLevel.Debug;
        try
        {
            await gate.RetryEmitAsync(level);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The gate logged the failed change (storage could not be read, a timeout's TaskCanceledException too: no
            // caller cancels a retry, and deactivation stops it through _stopped); the effects stay as storage holds them.
            _left = Math.Max(_left, 1);
        }

        if (_owed && !_stopped)
        {
            MemberMetrics.OutboxPendingAfterRetry(_left);
            Logger.LogOutboxRetryFailed(level, member.MemberId, attempt, _left, NextDelay);
            Owe();
        }
    }

    private void Settle()
    {
        _owed = false;
        _retries = 0;
        _timer?.Dispose();
        _timer = null;
    }
}
