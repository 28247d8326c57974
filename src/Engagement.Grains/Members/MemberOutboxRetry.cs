namespace Engagement.Grains.Members;

/// <summary>
/// The member's own retry of effects an emit left pending (a receiver failed or timed out, a touch waits for its
/// coupon code's registration): without it they went out only with the member's next call, idle deactivation or the
/// next daily reminder, so a touch could reach the touches queue a day late. While such effects stay pending the
/// activation keeps one timer on the engine clock (<see cref="MemberGrainServices.Time"/>, so tests move it) that
/// calls the grain back (<see cref="IMemberOutboxGrain.RetryOutboxAsync"/>), <see cref="FirstDelay"/> after the first
/// failed emit, doubling up to <see cref="MaxDelay"/>; on deactivation the member's reminder is moved to the next
/// retry instead. Effects that wait for a ledger batch, and those confirmed in the background (metric contributions,
/// whose lane on the silo sends them), do not arm it. One per activation, used on the grain's turns only.
/// </summary>
/// <param name="member">The activation whose outbox this retries.</param>
/// <param name="wakeUps">Its reminder, moved to the next retry when it deactivates with effects pending.</param>
/// <param name="retry">Calls the grain back (through its reference, so the retry is a turn of its own); may throw.</param>
internal sealed class MemberOutboxRetry(MemberActivation member, MemberWakeUps wakeUps, Func<Task> retry) : IDisposable
{
    /// <summary>The wait before the first retry (engine time): 30 seconds.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between retries (engine time): 10 minutes.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    private ITimer? _timer;
    private DateTimeOffset _due;
    private TimeSpan _delay = FirstDelay;

    /// <summary>
    /// After every emit: arms the timer when retryable effects stay pending and none is armed (or the armed one has
    /// fired), with the current delay, and doubles the delay for the next time; disarms it and starts over at
    /// <see cref="FirstDelay"/> once nothing retryable is pending. Never throws.
    /// </summary>
    public void AfterEmit()
    {
        if (!member.Services.Emitter.HasRetryable(member.Member.Outbox))
        {
            Dispose();
            _delay = FirstDelay;
            return;
        }

        var now = member.Now;
        if (_timer is not null && now < _due)
        {
            return;
        }

        _timer?.Dispose();
        _due = now + _delay;
        _timer = member.Services.Time.CreateTimer(static s => _ = ((MemberOutboxRetry)s!).FireAsync(), this, _delay, Timeout.InfiniteTimeSpan);
        _delay = _delay * 2 < MaxDelay ? _delay * 2 : MaxDelay;
    }

    /// <summary>
    /// On deactivation, after the last emit: when retryable effects are still pending, moves the member's reminder to the
    /// next retry (<see cref="MemberWakeUps.WakeAtAsync"/>: at least a minute away). Returns true when the stored schedule
    /// changed (the caller writes). Throws when the reminder table fails.
    /// </summary>
    public async Task<bool> WakeForRetryAsync()
    {
        Dispose();
        if (!member.Services.Emitter.HasRetryable(member.Member.Outbox))
        {
            return false;
        }

        var now = member.Now;
        return await wakeUps.WakeAtAsync(now + _delay, now);
    }

    /// <summary>Disarms the timer (deactivation, or nothing left to retry).</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task FireAsync()
    {
        try
        {
            await retry();
        }
        catch (Exception ex)
        {
            // The member's next call, deactivation or reminder emits them still.
            member.Logger.LogOutboxRetryFailed(ex, member.MemberId);
        }
    }
}
