using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Members;

/// <summary>
/// What every member activation on a silo shares, resolved once per silo (a singleton registered by
/// <c>AddEngagementGrains</c>): the configured rules, the offer settings, the rules source, the engine clock, the
/// reminder clock, the outbox emitter and the grain's logger. One reference per activation instead of seven keeps a
/// resident member small (the million-member footprint, issue 10).
/// </summary>
/// <param name="program"><c>Engagement:Program</c> (CONTRACT.md §3); the rules source may refine them per decision.</param>
/// <param name="offers"><c>Engagement:Offers</c> (CONTRACT.md §2.1); defaults (no coupon secret: nothing is issued) on a silo without the offer side.</param>
/// <param name="rules">Where each decision takes its rules (value classes by rank, programme metrics).</param>
/// <param name="time">The engine clock (UTC); a faster one in tests.</param>
/// <param name="reminderClock">Maps reminder periods (real time) to the engine clock.</param>
/// <param name="emitter">Drains a member's outbox after its write.</param>
/// <param name="logger">The member grain's logger.</param>
public sealed class MemberGrainServices(
    IOptions<ProgramOptions> program,
    IOptions<OffersOptions> offers,
    IMemberRulesSource rules,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ReminderClock reminderClock,
    MemberEffectEmitter emitter,
    ILogger<MemberGrain> logger)
{
    /// <summary>The configured programme rules.</summary>
    public ProgramOptions Program { get; } = program.Value;

    /// <summary>The offer settings.</summary>
    public OffersOptions Offers { get; } = offers.Value;

    /// <summary>The rules source of every decision.</summary>
    public IMemberRulesSource Rules { get; } = rules;

    /// <summary>The engine clock (UTC).</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Reminder periods (real time) against the engine clock.</summary>
    public ReminderClock ReminderClock { get; } = reminderClock;

    /// <summary>The outbox emitter.</summary>
    public MemberEffectEmitter Emitter { get; } = emitter;

    /// <summary>The member grain's logger (category <see cref="MemberGrain"/>).</summary>
    public ILogger Logger { get; } = logger;

    /// <summary>
    /// Tests only: starts the one-shot timer of a member's outbox retry (<see cref="MemberOutboxRetry"/>; the callback and
    /// its due time, real time; disposing the result cancels it) instead of an Orleans grain timer. Null on a silo.
    /// </summary>
    internal Func<Func<Task>, TimeSpan, IDisposable>? RetryTimers { get; init; }
}
