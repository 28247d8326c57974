using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// One member activation as <see cref="MemberGrain"/>'s collaborators see it (<see cref="MemberWriteGate"/>,
/// <see cref="MemberWakeUps"/>, <see cref="MemberOfferSide"/>): the stored state, the member's id, the silo's shared
/// services, and the rules the next decision is made with. Created once per activation; not thread-safe (the grain is
/// not reentrant).
/// </summary>
/// <param name="state">The grain's persistent state (Orleans' <c>IPersistentState</c>, table <c>member</c>).</param>
/// <param name="memberId">The grain key: the producer's member id (CONTRACT.md §1).</param>
/// <param name="services">What every activation on the silo shares.</param>
internal sealed class MemberActivation(IPersistentState<MemberGrainState> state, string memberId, MemberGrainServices services)
{
    /// <summary>The grain's persistent state: the member and what the grain keeps beside it (reminder schedule, old backlogs).</summary>
    public IPersistentState<MemberGrainState> State { get; } = state;

    /// <summary>The member's id (the grain key), read once per activation.</summary>
    public string MemberId { get; } = memberId;

    /// <summary>What every activation on the silo shares.</summary>
    public MemberGrainServices Services { get; } = services;

    /// <summary>The member aggregate the domain changes in place.</summary>
    public MemberState Member => State.State.Member;

    /// <summary>True when storage holds a record of this member (it has been seen).</summary>
    public bool Exists => State.RecordExists;

    /// <summary>The programme rules of the last <see cref="UseCurrentRulesAsync"/>; the configured ones before it.</summary>
    public ProgramOptions Options { get; private set; } = services.Program;

    /// <summary>The metrics settings the decider records contributions with; null: no programme metrics on this silo (CONTRACT.md §5).</summary>
    public MetricsOptions? Metrics { get; private set; }

    /// <summary><c>Engagement:Offers</c> (CONTRACT.md §2.1).</summary>
    public OffersOptions Offers => Services.Offers;

    /// <summary>The grain's logger, shared by the activation's collaborators.</summary>
    public ILogger Logger => Services.Logger;

    /// <summary>The engine clock's current instant (UTC).</summary>
    public DateTimeOffset Now => Services.Time.GetUtcNow();

    /// <summary>
    /// Takes the rules in force for the next decision: value classes by rank (cached per silo) and the metrics settings.
    /// Called at the start of every call of the grain (<see cref="MemberWriteGate.EnsureCurrentAsync"/>), so that a
    /// campaign delivery or a coupon command that activates the member records its metrics and checks audiences with
    /// the value classes in force, as an event does.
    /// </summary>
    public async ValueTask UseCurrentRulesAsync()
    {
        var rules = await Services.Rules.RulesAsync(Services.Program);
        Options = rules.Program;
        Metrics = rules.Metrics;
    }

    /// <summary>The member as the campaign side sees it at <paramref name="now"/>, with the silo's offer and metrics rules.</summary>
    public MemberContext Context(DateTimeOffset now) => new(MemberId, Member, Options, now) { Offers = Offers, Metrics = Metrics };
}
