namespace Engagement.Domain.Campaigns;

/// <summary>A campaign's budget: at most this many grants and this much cost (CNY); null = no limit on that side.</summary>
public sealed record BudgetLimit(long? MaxGrants, decimal? MaxCost)
{
    /// <summary>Either side is limited: reservations are written ahead of delivery.</summary>
    public bool Limited => MaxGrants is not null || MaxCost is not null;
}

/// <summary>Grants and their cost (CNY) held or reserved.</summary>
public readonly record struct BudgetHeld(long Grants, decimal Cost);

/// <summary>One audience member of a fan-out page and what the campaign decided for it.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Group">Its group as assigned (arm, control, global control).</param>
/// <param name="Arm">The arm's name when assigned to an arm, else null.</param>
/// <param name="UnitCost">The arm offer's unit cost, CNY (0 outside arms).</param>
public sealed record PlannedDelivery(string MemberId, string Group, string? Arm, decimal UnitCost)
{
    /// <summary>Assigned to an arm: the only members that need a grant.</summary>
    public bool IsArm => Arm is not null;

    /// <summary>A grant is reserved for it (it may send).</summary>
    public bool Reserved { get; set; }

    /// <summary>Not delivered: the budget ran out at or before it.</summary>
    public bool Skip { get; set; }

    /// <summary>
    /// Only asked what it already has, never delivered anew: a member a replayed round covered whose index row no longer
    /// matches the audience (it changed between the crash and the replay), or any member once the window has ended.
    /// </summary>
    public bool RepeatOnly { get; set; }
}

/// <summary>What a page reserved, and whether the reservation must be written before any member is called.</summary>
/// <param name="Reserved">Grants and cost reserved for the page's arm members.</param>
/// <param name="WriteAhead">A new reservation of a limited budget: persist it (per shard) before delivering.</param>
/// <param name="Exhausted">A member did not fit: the rest of the page, and of the campaign, is skipped.</param>
public sealed record PageReservation(BudgetHeld Reserved, bool WriteAhead, bool Exhausted);

/// <summary>What one round of a fan-out page reserved: the members from the round's start up to <paramref name="End"/> go out now.</summary>
/// <param name="Reserved">Grants and cost (CNY) reserved for the round's arm members.</param>
/// <param name="End">The plan position the round stops before: the first arm member that did not fit, or the page's end.</param>
/// <param name="Blocked">The arm member at <paramref name="End"/> did not fit beside what is held.</param>
public sealed record RoundReservation(BudgetHeld Reserved, int End, bool Blocked);

/// <summary>
/// The budget rule: a grant is reserved before a member is told to send, so grants held by members plus grants
/// reserved never exceed <c>maxGrants</c> / <c>maxCost</c>. A suppression releases its grant; a deferred touch keeps it.
/// </summary>
public static class BudgetReservation
{
    /// <summary>Grants committed plus those in flight (reserved by pages not yet checkpointed).</summary>
    public static BudgetHeld Held(BudgetHeld committed, IEnumerable<BudgetHeld> inFlight)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        var (grants, cost) = (committed.Grants, committed.Cost);
        foreach (var page in inFlight)
        {
            grants += page.Grants;
            cost += page.Cost;
        }

        return new BudgetHeld(grants, cost);
    }

    /// <summary>True when <paramref name="grants"/> more grants costing <paramref name="cost"/> fit beside what is held.</summary>
    public static bool Fits(BudgetLimit limit, BudgetHeld held, long grants, decimal cost)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return (limit.MaxGrants is not { } maxGrants || held.Grants + grants <= maxGrants)
            && (limit.MaxCost is not { } maxCost || held.Cost + cost <= maxCost);
    }

    /// <summary>
    /// True when not one more grant fits beside <paramref name="held"/> at any of <paramref name="unitCosts"/> (CNY, the
    /// arms' offers): only then is the budget spent. With arms whose offers cost differently, an arm too dear for what is
    /// left does not stop a cheaper one that still fits, up to the exact bound (<c>maxCost</c> included).
    /// </summary>
    public static bool Spent(BudgetLimit limit, BudgetHeld held, IEnumerable<decimal> unitCosts)
    {
        ArgumentNullException.ThrowIfNull(unitCosts);
        return !unitCosts.Any(cost => Fits(limit, held, 1, cost));
    }

    /// <summary>
    /// Marks which planned members get a grant. Once exhausted: nobody. Unlimited: every arm member. Otherwise members
    /// are taken in page order against what is left beside <paramref name="heldElsewhere"/> (or, for a page replayed after
    /// a crash, exactly what it reserved the first time, <paramref name="replay"/>); from the first arm member that does
    /// not fit, the rest of the page is skipped.
    /// </summary>
    public static PageReservation ReservePage(BudgetLimit limit, bool exhausted, BudgetHeld heldElsewhere, BudgetHeld? replay, IReadOnlyList<PlannedDelivery> plan)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(plan);
        if (exhausted)
        {
            Mark(plan, skip: true);
            return new PageReservation(default, false, true);
        }

        if (!limit.Limited)
        {
            Mark(plan, skip: false);
            return new PageReservation(new BudgetHeld(plan.Count(p => p.IsArm), plan.Where(p => p.IsArm).Sum(p => p.UnitCost)), false, false);
        }

        var allow = replay ?? new BudgetHeld(
            limit.MaxGrants is { } maxGrants ? Math.Max(0, maxGrants - heldElsewhere.Grants) : long.MaxValue,
            limit.MaxCost is { } maxCost ? Math.Max(0, maxCost - heldElsewhere.Cost) : decimal.MaxValue);

        long grants = 0;
        decimal cost = 0;
        var exhaustedHere = false;
        foreach (var p in plan)
        {
            if (exhaustedHere)
            {
                p.Skip = true;
            }
            else if (p.IsArm)
            {
                if (grants + 1 <= allow.Grants && cost + p.UnitCost <= allow.Cost)
                {
                    grants++;
                    cost += p.UnitCost;
                    p.Reserved = true;
                }
                else
                {
                    exhaustedHere = true;
                    p.Skip = true;
                }
            }
        }

        return new PageReservation(new BudgetHeld(grants, cost), replay is null && grants > 0, exhaustedHere);
    }

    /// <summary>
    /// One round of a page: from plan position <paramref name="from"/>, every member up to the first arm member whose
    /// grant does not fit beside <paramref name="held"/> (grants committed, reserved by other pages, and kept by this
    /// page's earlier rounds) goes out now, its arm members reserved. The page runs rounds until its end, so grants that
    /// its own suppressed, ineligible or held-back members did not take are offered to the next members of the page
    /// instead of being left unspent while members are skipped.
    /// </summary>
    /// <param name="limit">The campaign's budget.</param>
    /// <param name="held">Everything held or reserved now, this page's kept grants included.</param>
    /// <param name="plan">The page's members in page order.</param>
    /// <param name="from">The first plan position not delivered yet.</param>
    public static RoundReservation ReserveRound(BudgetLimit limit, BudgetHeld held, IReadOnlyList<PlannedDelivery> plan, int from)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentNullException.ThrowIfNull(plan);
        long grants = 0;
        decimal cost = 0;
        for (var i = from; i < plan.Count; i++)
        {
            var p = plan[i];
            if (!p.IsArm)
            {
                continue;
            }

            if (!Fits(limit, held, grants + 1, cost + p.UnitCost))
            {
                return new RoundReservation(new BudgetHeld(grants, cost), i, true);
            }

            (grants, cost, p.Reserved) = (grants + 1, cost + p.UnitCost, true);
        }

        return new RoundReservation(new BudgetHeld(grants, cost), plan.Count, false);
    }

    /// <summary>
    /// A page blocked at <paramref name="from"/> (nothing fits) waits while other pages still hold reservations their
    /// members have not answered (a suppression there frees budget); with none, the budget is spent: the rest of the
    /// page is skipped.
    /// </summary>
    public static bool WaitForOthers(RoundReservation round, int from, long unansweredElsewhere)
    {
        ArgumentNullException.ThrowIfNull(round);
        return round.Blocked && round.End == from && unansweredElsewhere > 0;
    }

    private static void Mark(IReadOnlyList<PlannedDelivery> plan, bool skip)
    {
        foreach (var p in plan)
        {
            p.Skip = skip;
            p.Reserved = !skip && p.IsArm;
        }
    }
}
