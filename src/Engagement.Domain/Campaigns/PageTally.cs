namespace Engagement.Domain.Campaigns;

/// <summary>
/// Counters of one fan-out page, merged into the campaign's counters only at the page's checkpoint (with the cursor
/// past it), so a page replayed after a crash is counted once.
/// </summary>
public sealed class PageTally
{
    /// <summary>Counters by group key (arm name, <c>control</c>, <c>global_control</c>).</summary>
    public Dictionary<string, GroupCounters> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Members whose live state no longer matched the audience.</summary>
    public long Ineligible { get; private set; }

    /// <summary>Members refused at their membership cap (<see cref="MembershipCap"/>); in no group.</summary>
    public long MembershipCapRefused { get; private set; }

    /// <summary>Members not delivered because the budget ran out.</summary>
    public long BudgetSkipped { get; private set; }

    /// <summary>Grants held by the page's sent and deferred touches, and their cost (CNY).</summary>
    public BudgetHeld Kept { get; private set; }

    /// <summary>Members that refused the page's delivery because their outbox was backed up: not counted, retried later (<see cref="BackedUpMembers"/>).</summary>
    public List<string> BackedUp { get; } = [];

    /// <summary>A planned member skipped for want of budget.</summary>
    public void Skipped() => BudgetSkipped++;

    /// <summary>
    /// Counts a member's answer under the group it reports (a repeat reports the group recorded the first time);
    /// an ineligible or membership-cap-refused member is counted apart, in no group.
    /// A sent or deferred arm touch keeps a grant: the one reserved for it on this page, or its unit cost.
    /// </summary>
    /// <param name="planned">What the page planned for the member.</param>
    /// <param name="groupKey">The group the member reports (arm name for an arm).</param>
    /// <param name="outcome">The outcome it reports.</param>
    /// <param name="unitCost">Unit cost (CNY) of the arm it reports; 0 outside arms.</param>
    public void Count(PlannedDelivery planned, string groupKey, DeliveryOutcome outcome, decimal unitCost)
    {
        ArgumentNullException.ThrowIfNull(planned);
        if (outcome == DeliveryOutcome.Ineligible)
        {
            Ineligible++;
            return;
        }

        if (outcome == DeliveryOutcome.MembershipCapRefused)
        {
            MembershipCapRefused++;
            return;
        }

        if (!Groups.TryGetValue(groupKey, out var counters))
        {
            Groups[groupKey] = counters = new GroupCounters();
        }

        counters.Record(outcome, unitCost);
        if (outcome is DeliveryOutcome.Sent or DeliveryOutcome.Deferred)
        {
            // A limited budget always reserved for an arm member; an unlimited one holds what the member's arm costs.
            Kept = new BudgetHeld(Kept.Grants + 1, Kept.Cost + (planned.Reserved ? planned.UnitCost : unitCost));
        }
    }
}
