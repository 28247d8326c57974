using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// One member activation as <see cref="MemberGrain"/>'s collaborators see it (<see cref="MemberWriteGate"/>,
/// <see cref="MemberWakeUps"/>, <see cref="MemberOfferSide"/>): the stored state, the member's id, and the rules the
/// next decision is made with. Created once per activation; not thread-safe (the grain is not reentrant).
/// </summary>
/// <param name="state">The grain's persistent state (Orleans' <c>IPersistentState</c>, table <c>member</c>).</param>
/// <param name="memberId">The grain key: the producer's member id (CONTRACT.md §1).</param>
/// <param name="configured">The silo's <c>Engagement:Program</c> rules; the rules source may refine them per decision.</param>
/// <param name="offers"><c>Engagement:Offers</c>; defaults (no coupon secret: nothing is issued) on a silo without the offer side.</param>
/// <param name="rulesSource">Where the rules in force come from (value classes by rank, programme metrics).</param>
/// <param name="time">The engine clock (UTC).</param>
/// <param name="logger">The grain's logger (category <see cref="MemberGrain"/>), shared by the collaborators.</param>
internal sealed class MemberActivation(
    IPersistentState<MemberGrainState> state,
    string memberId,
    ProgramOptions configured,
    OffersOptions offers,
    IMemberRulesSource rulesSource,
    TimeProvider time,
    ILogger logger)
{
    private readonly ProgramOptions _configured = configured;

    /// <summary>The grain's persistent state: the member and what the grain keeps beside it (reminder schedule, old backlogs).</summary>
    public IPersistentState<MemberGrainState> State { get; } = state;

    /// <summary>The grain's logger, shared by the activation's collaborators (one reference per activation, not one each).</summary>
    public ILogger Logger { get; } = logger;

    /// <summary>The member's id (the grain key), read once per activation.</summary>
    public string MemberId { get; } = memberId;

    /// <summary>The member aggregate the domain changes in place.</summary>
    public MemberState Member => State.State.Member;

    /// <summary>True when storage holds a record of this member (it has been seen).</summary>
    public bool Exists => State.RecordExists;

    /// <summary>The programme rules of the last <see cref="UseCurrentRulesAsync"/>; the configured ones before it.</summary>
    public ProgramOptions Options { get; private set; } = configured;

    /// <summary>The metrics settings the decider records contributions with; null: no programme metrics on this silo (CONTRACT.md §5).</summary>
    public MetricsOptions? Metrics { get; private set; }

    /// <summary><c>Engagement:Offers</c> (CONTRACT.md §2.1).</summary>
    public OffersOptions Offers { get; } = offers;

    /// <summary>The engine clock's current instant (UTC).</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Takes the rules in force for the next decision: value classes by rank (cached per silo) and the metrics settings.
    /// Called at the start of every change that records metrics (event, redemption, adjustment, tick, booking).
    /// </summary>
    public async ValueTask UseCurrentRulesAsync()
    {
        var rules = await rulesSource.RulesAsync(_configured);
        Options = rules.Program;
        Metrics = rules.Metrics;
    }

    /// <summary>The member as the campaign side sees it at <paramref name="now"/>, with the silo's offer and metrics rules.</summary>
    public MemberContext Context(DateTimeOffset now) => new(MemberId, Member, Options, now) { Offers = Offers, Metrics = Metrics };
}
