namespace Engagement.Domain.Campaigns;

/// <summary>What a triggered campaign may do with a member's grant request, as far as its pending grants go.</summary>
public enum PendingGrantAdmission
{
    /// <summary>The member's grant is pending: its write failed and it asks again; answer the same grant, counted once.</summary>
    Repeat,

    /// <summary>A new grant may be given; it is pending until the member confirms it.</summary>
    Admit,

    /// <summary>The bound is reached: refuse this grant and count nothing (the member's event fires nothing for the campaign).</summary>
    Full,
}

/// <summary>
/// The bound on a triggered campaign's pending grants: grants counted (and an arm's budget held) whose member has not yet
/// confirmed, through its outbox, that its own write holds them. The campaign's state must stay bounded, so at most
/// <c>capacity</c> grants are pending at once (<c>Engagement:Campaigns:MaxPendingGrants</c>); past it a new grant is
/// refused and nothing is counted, so audience, budget and results stay exact. A member's confirmation normally arrives
/// within its own call, so the bound is met only when that many members' confirmations are held up at once (a campaign
/// grain that cannot write, members whose writes fail): the campaign grants again as they arrive.
/// </summary>
public static class PendingGrantRule
{
    /// <summary>Whether <paramref name="memberId"/> repeats a pending grant, may be granted, or is refused for the bound.</summary>
    /// <param name="pending">The member ids whose grants are pending.</param>
    /// <param name="memberId">The member asking.</param>
    /// <param name="capacity">Pending grants allowed at once (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public static PendingGrantAdmission Admit(IReadOnlyCollection<string> pending, string memberId, int capacity)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (pending.Contains(memberId, StringComparer.Ordinal))
        {
            return PendingGrantAdmission.Repeat;
        }

        return pending.Count >= capacity ? PendingGrantAdmission.Full : PendingGrantAdmission.Admit;
    }
}
