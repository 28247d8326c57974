using System.Text.Json.Serialization;

namespace Engagement.Domain.Campaigns;

/// <summary>One audience member a broadcast's fan-out could not reach because its outbox was backed up, waiting to be asked again.</summary>
public sealed class BackedUpMember
{
    /// <summary>The member.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>Times it refused so far (its page's refusal included).</summary>
    public int Refusals { get; set; }

    /// <summary>Not asked again before this instant (UTC, engine clock).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>
    /// When a resume made it due early (<see cref="BackedUpMembers.Resumed"/>): the instant (UTC) its pace had set; null
    /// otherwise (and not stored then, so rows written before it existed load and are written back unchanged). A refusal
    /// of that early retry goes back to it instead of counting (<see cref="BackedUpMembers.RefusedAgain"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? PacedAt { get; set; }
}

/// <summary>
/// The retry rule for members that refused a broadcast's delivery because their outbox was backed up (a receiver such
/// as the ledger archive down: docs/rules.md "The outbox is bounded by count and by bytes"). Such a member decided nothing,
/// so it is not counted in any group; it waits here and is asked again after <see cref="Delays"/> (1 min, 5 min, 15 min,
/// 1 h, then every 4 h) until it answers, it has refused <see cref="MaxRefusals"/> times, or the campaign's window ends.
/// Bounded: at most <see cref="MaxWaiting"/> members wait; one refused while that many wait is given up at once.
/// Every member the fan-out met backed up is counted once in <see cref="Skipped"/>, and ends in exactly one of
/// <see cref="ReachedLater"/> (it answered a retry: counted in its group, or ineligible, or budget-skipped, as a page
/// counts), <see cref="GivenUp"/>, or still <see cref="Waiting"/>. A pause asks nobody; a resume makes every waiting
/// member due at once (<see cref="Resumed"/>); the window's end, running or paused, gives them up (<see cref="GiveUpAll"/>,
/// <see cref="CampaignPauseRule.EndsWhilePaused"/>). Persisted in the campaign's state; a retry whose grant
/// was reserved ahead (<see cref="InFlight"/>) is stored before the member is called, so a crash cannot free spent budget.
/// </summary>
public sealed class BackedUpMembers
{
    /// <summary>Members waiting at most: 500 (a member id is at most 64 characters, about 140 bytes of JSON an entry: ~70 KB of the campaign's row).</summary>
    public const int MaxWaiting = 500;

    /// <summary>Refusals after which a member is given up: 10 (with <see cref="Delays"/>, about 21 hours of retries).</summary>
    public const int MaxRefusals = 10;

    /// <summary>The wait after a member's n-th refusal (n = 1 the page's): 1 min, 5 min, 15 min, 1 h, then 4 h each time.</summary>
    public static readonly IReadOnlyList<TimeSpan> Delays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(4)];

    /// <summary>The members waiting for a retry, in the order they were first refused.</summary>
    public List<BackedUpMember> Waiting { get; set; } = [];

    /// <summary>Members the fan-out found backed up (each once, however often it refused).</summary>
    public long Skipped { get; set; }

    /// <summary>Of <see cref="Skipped"/>, members that answered a later retry.</summary>
    public long ReachedLater { get; set; }

    /// <summary>Of <see cref="Skipped"/>, members never reached: refused <see cref="MaxRefusals"/> times, the list full, or the window ended first.</summary>
    public long GivenUp { get; set; }

    /// <summary>The member asked now with a grant reserved ahead for it; null when none is in flight.</summary>
    public string? InFlight { get; set; }

    /// <summary>Grants reserved for <see cref="InFlight"/> (0 or 1).</summary>
    public long InFlightGrants { get; set; }

    /// <summary>The cost of <see cref="InFlightGrants"/>, CNY.</summary>
    public decimal InFlightCost { get; set; }

    /// <summary>True when no member waits and none is in flight: the fan-out may complete.</summary>
    [JsonIgnore]
    public bool Settled => Waiting.Count == 0 && InFlight is null;

    /// <summary>The wait after a member's <paramref name="refusals"/>-th refusal (<see cref="Delays"/>; the last repeats).</summary>
    public static TimeSpan DelayAfter(int refusals) => Delays[Math.Clamp(refusals - 1, 0, Delays.Count - 1)];

    /// <summary>
    /// A fan-out page found <paramref name="memberId"/> backed up at <paramref name="now"/> (UTC): it is counted in
    /// <see cref="Skipped"/> and waits for a retry <see cref="DelayAfter"/> its first refusal from now, or is given up at
    /// once when <see cref="MaxWaiting"/> members wait. A member already waiting is not counted again. Returns true when it waits.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is null or empty.</exception>
    public bool Refused(string memberId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        if (Find(memberId) is not null)
        {
            return true;
        }

        Skipped++;
        if (Waiting.Count >= MaxWaiting)
        {
            GivenUp++;
            return false;
        }

        Waiting.Add(new BackedUpMember { MemberId = memberId, Refusals = 1, NextAttemptAt = now + DelayAfter(1) });
        return true;
    }

    /// <summary>
    /// A retry of <paramref name="memberId"/> was refused again at <paramref name="now"/>: it waits
    /// <see cref="DelayAfter"/> its refusals, or is given up after <see cref="MaxRefusals"/>. A retry a resume brought
    /// forward (<see cref="BackedUpMember.PacedAt"/>) is not counted: the member goes back to the instant its pace had set
    /// with its refusals as they were, so quick pause and resume cycles cannot use up its <see cref="MaxRefusals"/> early.
    /// Returns true when it still waits. Unknown ids change nothing (false).
    /// </summary>
    public bool RefusedAgain(string memberId, DateTimeOffset now)
    {
        if (Find(memberId) is not { } member)
        {
            return false;
        }

        if (member.PacedAt is { } paced)
        {
            (member.NextAttemptAt, member.PacedAt) = (paced, null);
            return true;
        }

        member.Refusals++;
        if (member.Refusals >= MaxRefusals)
        {
            Waiting.Remove(member);
            GivenUp++;
            return false;
        }

        member.NextAttemptAt = now + DelayAfter(member.Refusals);
        return true;
    }

    /// <summary>A retry of <paramref name="memberId"/> was answered (counted by the caller): it leaves the list, counted in <see cref="ReachedLater"/>. Unknown ids change nothing.</summary>
    public void Reached(string memberId)
    {
        if (Find(memberId) is { } member)
        {
            Waiting.Remove(member);
            ReachedLater++;
        }
    }

    /// <summary>The members due a retry at <paramref name="now"/> (UTC), first refused first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<string> Due(DateTimeOffset now, int max) =>
        [.. Waiting.Where(m => m.NextAttemptAt <= now).Take(Math.Max(max, 0)).Select(m => m.MemberId)];

    /// <summary>The earliest retry still to come (UTC), or null when none waits.</summary>
    [JsonIgnore]
    public DateTimeOffset? NextAttemptAt => Waiting.Count == 0 ? null : Waiting.Min(m => m.NextAttemptAt);

    /// <summary>
    /// The campaign was resumed at <paramref name="now"/> (UTC): every member still waiting is due at once, so the
    /// operator's resume asks them again straight away (a pause is no refusal: <see cref="BackedUpMember.Refusals"/>
    /// stays as it was). One brought forward keeps the instant its pace had set (<see cref="BackedUpMember.PacedAt"/>), so
    /// a refusal of that early retry is not counted (<see cref="RefusedAgain"/>). While paused nobody is asked; a retry
    /// due during the pause waits for this. Returns how many wait.
    /// </summary>
    public int Resumed(DateTimeOffset now)
    {
        foreach (var member in Waiting.Where(m => m.NextAttemptAt > now))
        {
            (member.PacedAt, member.NextAttemptAt) = (member.PacedAt ?? member.NextAttemptAt, now);
        }

        return Waiting.Count;
    }

    /// <summary>
    /// The campaign delivers no more (its window ended, while running or paused): every member still waiting is given
    /// up, each counted once in <see cref="GivenUp"/> (a second call finds none). The retry in flight must be settled
    /// first (its member asked what it has, its grant counted or released), since only the member knows whether it
    /// took the grant held for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A retry is still in flight (<see cref="InFlight"/>).</exception>
    public void GiveUpAll()
    {
        if (InFlight is not null)
        {
            throw new InvalidOperationException($"the retry of '{InFlight}' is in flight: settle it before giving up the others");
        }

        GivenUp += Waiting.Count;
        Waiting.Clear();
    }

    /// <summary>Records (or clears, with null) the member asked now with <paramref name="reserved"/> held ahead for it.</summary>
    public void SetInFlight(string? memberId, BudgetHeld reserved = default) =>
        (InFlight, InFlightGrants, InFlightCost) = memberId is null ? (null, 0, 0m) : (memberId, reserved.Grants, reserved.Cost);

    private BackedUpMember? Find(string memberId) => Waiting.Find(m => string.Equals(m.MemberId, memberId, StringComparison.Ordinal));
}
