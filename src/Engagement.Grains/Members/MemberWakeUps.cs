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
/// <param name="register">Registers or updates the reminder: due time and period, both real time (throws when the reminder table fails).</param>
internal sealed class MemberWakeUps(MemberActivation member, Func<TimeSpan, TimeSpan, Task> register)
{
    /// <summary>The wake-ups of <paramref name="grain"/>'s lifecycle reminder, registered with Orleans' reminder service.</summary>
    /// <param name="member">The activation whose reminder this is.</param>
    /// <param name="grain">The member grain, whose reminder this registers (throws when the reminder table fails).</param>
    public MemberWakeUps(MemberActivation member, IGrainBase grain)
        : this(member, (due, period) => grain.RegisterOrUpdateReminder(MemberGrain.LifecycleReminder, due, period))
    {
    }

    /// <summary>Maps reminder periods (real time) to the engine clock.</summary>
    private ReminderClock Clock => member.Services.ReminderClock;

    /// <summary>Orleans' smallest reminder period; also how close "due" must be before the reminder is moved.</summary>
    private static readonly TimeSpan WakeTolerance = TimeSpan.FromMinutes(1);

    private TimeSpan Period => member.Options.Lifecycle.ReminderPeriod;

    /// <summary>
    /// Registers the lifecycle reminder once per member (and again only if the configured period changes): never per event.
    /// Called before the state write that records it, so stored state never claims a reminder that is not there; a
    /// failure throws and fails the change (see <see cref="MemberWriteGate.ChangeAsync{T}"/>), and the retry registers again.
    /// Registered again for a new period, it first fires at the stored next wake when that comes sooner than a period
    /// from now (a deferred touch due at 09:00 that <see cref="WakeAtAsync"/> had moved the reminder to), not a period late.
    /// </summary>
    public async Task EnsureRegisteredAsync(DateTimeOffset now)
    {
        var period = Period;
        var stored = member.State.State;
        if (stored.ReminderPeriod == period)
        {
            return;
        }

        var enginePeriod = Clock.ToEngine(period);
        var sooner = WakeIn(NextTick(stored.NextReminderAt, now, Clock.ToEngine(stored.ReminderPeriod ?? period)), now + enginePeriod, now);
        await Register(sooner is { } due ? Clock.ToReal(due) : period, period);
        stored.ReminderPeriod = period;
        stored.NextReminderAt = now + (sooner ?? enginePeriod);
        MemberMetrics.ReminderRegistered();
    }

    /// <summary>
    /// Moves the reminder earlier when <paramref name="due"/> (UTC) falls before its next tick (<see cref="NextTick"/>
    /// with the period the reminder runs with; it is registered again with the configured one). Returns true when it
    /// did (the stored schedule changed: the caller writes). Nothing moves before <see cref="EnsureRegisteredAsync"/>
    /// has registered the reminder. Throws when the reminder table fails.
    /// </summary>
    public async Task<bool> WakeAtAsync(DateTimeOffset? due, DateTimeOffset now)
    {
        var period = Period;
        var stored = member.State.State;
        if (period <= TimeSpan.Zero || WakeIn(due, NextTick(stored.NextReminderAt, now, Clock.ToEngine(stored.ReminderPeriod ?? period)), now) is not { } dueTime)
        {
            return false;
        }

        await Register(Clock.ToReal(dueTime), period);
        stored.ReminderPeriod = period;
        stored.NextReminderAt = now + dueTime;
        MemberMetrics.ReminderRegistered();
        member.Logger.LogWake(member.MemberId, now + dueTime);
        return true;
    }

    /// <summary>
    /// The reminder's next tick after <paramref name="now"/> (UTC, engine clock): <paramref name="stored"/> moved on by
    /// whole periods (<paramref name="enginePeriod"/>, engine time) while it is not after <paramref name="now"/>. The
    /// stored instant lags whenever ticks that changed nothing went unwritten (storage keeps the tick before them) or
    /// the silo was down; the reminder itself kept its period. Null when no reminder is registered.
    /// </summary>
    internal static DateTimeOffset? NextTick(DateTimeOffset? stored, DateTimeOffset now, TimeSpan enginePeriod)
    {
        if (stored is not { } next || enginePeriod <= TimeSpan.Zero || next > now)
        {
            return stored;
        }

        return next + TimeSpan.FromTicks(enginePeriod.Ticks * (((now - next).Ticks / enginePeriod.Ticks) + 1));
    }

    /// <summary>
    /// How long from <paramref name="now"/> the reminder must fire to meet <paramref name="due"/> (engine time, at least
    /// Orleans' one minute), or null when its <paramref name="next"/> tick (<see cref="NextTick"/>) comes soon enough
    /// (within that minute of it) or nothing is due or registered.
    /// </summary>
    internal static TimeSpan? WakeIn(DateTimeOffset? due, DateTimeOffset? next, DateTimeOffset now)
    {
        if (due is not { } at || next is not { } tick || at >= tick - WakeTolerance)
        {
            return null;
        }

        return at - now < WakeTolerance ? WakeTolerance : at - now;
    }

    /// <summary>Registers or updates the reminder: due time and period, both real time.</summary>
    private Task Register(TimeSpan due, TimeSpan period) => register(due, period);

    /// <summary>
    /// On a tick: the next reminder instant moves past <paramref name="now"/> by whole periods of the period the reminder
    /// runs with (in memory). When the stored instant is later than <paramref name="now"/> (beyond Orleans' minute), the
    /// reminder fired at a moment storage does not know: it was moved earlier and the write that recorded the move failed
    /// (a deactivation's, say). Its real next tick is then a period from now (the configured period, which every move
    /// registers), so the stored instant and period are re-synced to that,
    /// and true is returned: the tick must write, or a later <see cref="WakeAtAsync"/> would trust a tick that never comes.
    /// </summary>
    public bool Advance(DateTimeOffset now)
    {
        var stored = member.State.State;
        var enginePeriod = Clock.ToEngine(stored.ReminderPeriod ?? Period);
        if (stored.NextReminderAt is { } next && next > now + WakeTolerance && stored.ReminderPeriod is not null && Period > TimeSpan.Zero)
        {
            // The move whose write failed registered the reminder with the configured period, which the stored one
            // (of an earlier registration) may not be.
            stored.ReminderPeriod = Period;
            stored.NextReminderAt = now + Clock.ToEngine(Period);
            return stored.NextReminderAt != next;
        }

        stored.NextReminderAt = NextTick(stored.NextReminderAt, now, enginePeriod);
        return false;
    }
}
