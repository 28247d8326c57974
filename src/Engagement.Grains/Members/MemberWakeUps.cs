using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;

namespace Engagement.Grains.Members;

/// <summary>
/// The member's one lifecycle reminder (<see cref="MemberGrain.LifecycleReminder"/>): registered once per member, moved
/// earlier when something falls due before the next tick (a deferred touch at 09:00 local, a coupon expiry), and its
/// next instant kept in the stored state (UTC, engine clock) so the decision to move it needs no reminder-table read.
/// One per activation; not thread-safe.
/// </summary>
/// <param name="member">The activation whose reminder this is; the period is <c>Program:Lifecycle:ReminderPeriod</c> of its rules.</param>
/// <param name="grain">The member grain, whose reminder this registers (Orleans' reminder service; throws when the reminder table fails).</param>
internal sealed class MemberWakeUps(MemberActivation member, IGrainBase grain)
{
    /// <summary>Maps reminder periods (real time) to the engine clock.</summary>
    private ReminderClock Clock => member.Services.ReminderClock;

    /// <summary>Orleans' smallest reminder period; also how close "due" must be before the reminder is moved.</summary>
    private static readonly TimeSpan WakeTolerance = TimeSpan.FromMinutes(1);

    private TimeSpan Period => member.Options.Lifecycle.ReminderPeriod;

    /// <summary>
    /// Registers the lifecycle reminder once per member (and again only if the configured period changes): never per event.
    /// Called before the state write that records it, so stored state never claims a reminder that is not there; a
    /// failure throws and fails the change (see <see cref="MemberWriteGate.ChangeAsync{T}"/>), and the retry registers again.
    /// </summary>
    public async Task EnsureRegisteredAsync(DateTimeOffset now)
    {
        var period = Period;
        var stored = member.State.State;
        if (stored.ReminderPeriod == period)
        {
            return;
        }

        await Register(period, period);
        stored.ReminderPeriod = period;
        stored.NextReminderAt = now + Clock.ToEngine(period);
        MemberMetrics.ReminderRegistered();
    }

    /// <summary>
    /// Moves the reminder earlier when <paramref name="due"/> (UTC) falls before its next tick. Returns true when it did
    /// (the stored schedule changed: the caller writes). Throws when the reminder table fails.
    /// </summary>
    public async Task<bool> WakeAtAsync(DateTimeOffset? due, DateTimeOffset now)
    {
        var period = Period;
        var stored = member.State.State;
        if (due is not { } at || stored.NextReminderAt is not { } next || at >= next - WakeTolerance || period <= TimeSpan.Zero)
        {
            return false;
        }

        var dueTime = at - now < WakeTolerance ? WakeTolerance : at - now;
        await Register(Clock.ToReal(dueTime), period);
        stored.NextReminderAt = now + dueTime;
        MemberMetrics.ReminderRegistered();
        member.Logger.LogWake(member.MemberId, now + dueTime);
        return true;
    }

    /// <summary>Registers or updates the reminder: due time and period, both real time.</summary>
    private Task<IGrainReminder> Register(TimeSpan due, TimeSpan period) => grain.RegisterOrUpdateReminder(MemberGrain.LifecycleReminder, due, period);

    /// <summary>On a tick: the next reminder instant moves past <paramref name="now"/> by whole periods (in memory; the tick writes).</summary>
    public void Advance(DateTimeOffset now)
    {
        var period = Period;
        var stored = member.State.State;
        if (stored.NextReminderAt is not { } next || period <= TimeSpan.Zero)
        {
            return;
        }

        while (next <= now)
        {
            next += Clock.ToEngine(period);
        }

        stored.NextReminderAt = next;
    }
}
