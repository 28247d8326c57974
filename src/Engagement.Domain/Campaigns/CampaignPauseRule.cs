namespace Engagement.Domain.Campaigns;

/// <summary>Where a campaign stands, as the pause rule reads it (the wire names are <c>CampaignStatuses</c> in the contracts).</summary>
public enum CampaignPhase
{
    /// <summary>A broadcast defined but not triggered.</summary>
    Draft,

    /// <summary>A broadcast counting its audience.</summary>
    Counting,

    /// <summary>A broadcast delivering to members.</summary>
    Running,

    /// <summary>Paused by marketing.</summary>
    Paused,

    /// <summary>A broadcast that reached every audience member.</summary>
    Completed,

    /// <summary>A triggered campaign within its validity.</summary>
    Active,

    /// <summary>A triggered campaign past its validity.</summary>
    Ended,
}

/// <summary>What a pause or resume request comes to.</summary>
public enum ControlVerdict
{
    /// <summary>The transition happens.</summary>
    Change,

    /// <summary>Nothing to do: it is so already (idempotent).</summary>
    Already,

    /// <summary>Not allowed from here; <see cref="ControlDecision.Reason"/> says why.</summary>
    Refused,
}

/// <summary>A pause or resume decision: the verdict, the phase after it, and the reason in words.</summary>
/// <param name="Verdict">Change, already so, or refused.</param>
/// <param name="Next">The phase after the decision (unchanged unless <see cref="ControlVerdict.Change"/>).</param>
/// <param name="Reason">Why, for people; null on a change.</param>
/// <param name="RefusedAs">
/// On a refusal, the phase that forbids it (<see cref="CampaignPhase.Draft"/>, <see cref="CampaignPhase.Completed"/> or
/// <see cref="CampaignPhase.Ended"/>, also for a paused campaign whose validity ran out): its wire name is the 409's
/// machine-readable <c>reason</c> (CONTRACT.md §4). Null unless refused.
/// </param>
public sealed record ControlDecision(ControlVerdict Verdict, CampaignPhase Next, string? Reason, CampaignPhase? RefusedAs = null);

/// <summary>
/// Pause and resume (CONTRACT.md §4, <c>POST /campaigns/{id}/pause</c>, <c>/resume</c>): a running broadcast (counting or
/// delivering) or an active triggered campaign may be paused; a paused one resumes to where it was. Repeating either is
/// idempotent; a draft, completed or ended campaign is refused with the reason.
/// </summary>
public static class CampaignPauseRule
{
    /// <summary>Decides a pause from <paramref name="phase"/>; <see cref="ControlDecision.Next"/> is <see cref="CampaignPhase.Paused"/> on a change.</summary>
    public static ControlDecision Pause(CampaignPhase phase) => phase switch
    {
        CampaignPhase.Counting or CampaignPhase.Running or CampaignPhase.Active => new(ControlVerdict.Change, CampaignPhase.Paused, null),
        CampaignPhase.Paused => new(ControlVerdict.Already, phase, "the campaign is already paused"),
        _ => new(ControlVerdict.Refused, phase, Why(phase), phase),
    };

    /// <summary>
    /// Decides a resume: a paused campaign returns to <paramref name="resumeTo"/> (where the pause found it). One whose
    /// validity window passed meanwhile is refused, whatever it was doing: a triggered campaign grants nothing and a
    /// broadcast hands out no offer after <c>validUntil</c> (CONTRACT.md §2.1, §4).
    /// </summary>
    public static ControlDecision Resume(CampaignPhase phase, CampaignPhase resumeTo, bool validityOver) => phase switch
    {
        CampaignPhase.Paused when validityOver => new(ControlVerdict.Refused, phase, Why(CampaignPhase.Ended), CampaignPhase.Ended),
        CampaignPhase.Paused => new(ControlVerdict.Change, resumeTo, null),
        CampaignPhase.Counting or CampaignPhase.Running or CampaignPhase.Active => new(ControlVerdict.Already, phase, "the campaign is not paused"),
        _ => new(ControlVerdict.Refused, phase, Why(phase), phase),
    };

    /// <summary>
    /// True once a campaign's validity window is over at <paramref name="now"/>: a broadcast's fan-out stops at its next
    /// page boundary and is ended, the members it had not reached yet get nothing (CONTRACT.md §2.1, §4).
    /// </summary>
    /// <param name="validUntil">The end of the window (exclusive), as defined.</param>
    /// <param name="now">The engine clock's instant.</param>
    public static bool WindowOver(DateTimeOffset validUntil, DateTimeOffset now) => now >= validUntil;

    /// <summary>
    /// True when a paused broadcast's window is over at <paramref name="now"/>: it is ended as a running one would be at its
    /// next page boundary, without delivering anything new: a page or a backed-up member's retry a failure interrupted is
    /// asked only what its members already have (counted, or its held grant released), the backed-up members still
    /// waiting are given up (<see cref="BackedUpMembers.GiveUpAll"/>), and the status becomes ended (CONTRACT.md §2.1, §4).
    /// A paused triggered campaign needs nothing: it grants nothing either way.
    /// </summary>
    /// <param name="phase">The stored phase.</param>
    /// <param name="resumeTo">Where a resume would return (counting or running for a broadcast).</param>
    /// <param name="validUntil">The end of the window (exclusive).</param>
    /// <param name="now">The engine clock's instant.</param>
    public static bool EndsWhilePaused(CampaignPhase phase, CampaignPhase resumeTo, DateTimeOffset validUntil, DateTimeOffset now) =>
        phase == CampaignPhase.Paused && resumeTo is CampaignPhase.Counting or CampaignPhase.Running && WindowOver(validUntil, now);

    /// <summary>
    /// Whether a backed-up member may be asked again now (a new grant, not a replay): only while the broadcast delivers
    /// (<see cref="CampaignPhase.Running"/>) inside its window. Checked right before the call, so a pause (or the window's
    /// end) that arrives while a retry waits for its pace hands out nothing: the grant reserved for it is released and
    /// the member keeps waiting.
    /// </summary>
    /// <param name="phase">The campaign's stored phase at the moment of the call.</param>
    /// <param name="validUntil">The end of the window (exclusive), as defined.</param>
    /// <param name="now">The engine clock's instant.</param>
    public static bool RetryMayDeliver(CampaignPhase phase, DateTimeOffset validUntil, DateTimeOffset now) =>
        phase == CampaignPhase.Running && !WindowOver(validUntil, now);

    private static string Why(CampaignPhase phase) => phase switch
    {
        CampaignPhase.Draft => "the campaign is a draft: trigger it first",
        CampaignPhase.Completed => "the fan-out completed: every audience member was reached",
        CampaignPhase.Ended => "the campaign's validity is over",
        _ => $"the campaign is {phase}",
    };
}
