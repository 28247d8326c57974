namespace Engagement.Domain.Campaigns;

/// <summary>What a member's campaign delivery came to, as the campaign counts it.</summary>
public enum DeliveryOutcome
{
    /// <summary>The touch went out; the member holds a grant.</summary>
    Sent,

    /// <summary>The touch waits (quiet hours, a cap until tomorrow); the member holds a grant until it is sent or suppressed.</summary>
    Deferred,

    /// <summary>Caps, opt-out or an ended offer stopped the touch; no grant is held.</summary>
    Suppressed,

    /// <summary>Control or global control: recorded, not touched.</summary>
    Held,

    /// <summary>The member's live state no longer matched the audience; counted apart, in no group.</summary>
    Ineligible,

    /// <summary>
    /// The member already holds the most campaign memberships it cannot forget yet (<see cref="MembershipCap"/>): refused,
    /// nothing recorded; counted apart, in no group, so arm and control figures (and uplift) are not skewed by it.
    /// </summary>
    MembershipCapRefused,

    /// <summary>An arm member not offered a goods-tied coupon: its store has none of the goods (CONTRACT.md §2.1); no grant is held.</summary>
    HeldBackForStock,
}

/// <summary>
/// Counters of one campaign group (an arm, the control, the global control) and the rules that move them: a first
/// outcome, a later move of a deferred touch, a purchase. Persisted inside the campaign's state (JSON).
/// </summary>
public sealed class GroupCounters
{
    /// <summary>Members assigned to the group (intention to treat).</summary>
    public long Audience { get; set; }

    public long Sent { get; set; }

    public long Deferred { get; set; }

    public long Suppressed { get; set; }

    /// <summary>Arm members held back because their store has none of the offer's goods (no grant held).</summary>
    public long HeldBackForStock { get; set; }

    /// <summary>Members with a purchase within the attribution window.</summary>
    public long Converted { get; set; }

    /// <summary>Their purchases within the window, CNY, net of refunds of those purchases.</summary>
    public decimal Revenue { get; set; }

    /// <summary>
    /// Unit cost × grants the members hold, CNY: touches sent, deferred (the offer is the member's when the touch is
    /// deferred), and deferred then suppressed (the offer stays the member's). The same grants the budget counts.
    /// </summary>
    public decimal Cost { get; set; }

    /// <summary>A member's first outcome: one more in the audience, and in the outcome's counter (a sent or deferred touch costs its unit cost).</summary>
    public void Record(DeliveryOutcome outcome, decimal unitCost)
    {
        Audience++;
        Enter(outcome, unitCost);
    }

    /// <summary>
    /// A touch counted as <paramref name="from"/> (null: counted nowhere yet, as a triggered grant) moved on to
    /// <paramref name="to"/>. Returns true when the move releases the member's grant: it ended suppressed or held back
    /// before anything was granted. A deferred touch's offer was fulfilled when it was deferred (the coupon issued, the
    /// points credited) and stays the member's if the touch is later suppressed, so that grant stays counted, and its
    /// cost with it: releasing it would let the budget hand the same grant to someone else. A deferred touch that goes
    /// out costs nothing more: its grant was costed when it was deferred.
    /// </summary>
    public bool Move(DeliveryOutcome? from, DeliveryOutcome to, decimal unitCost)
    {
        var costedBefore = from is DeliveryOutcome.Sent or DeliveryOutcome.Deferred;
        switch (from)
        {
            case DeliveryOutcome.Deferred:
                Deferred--;
                break;
            case DeliveryOutcome.Sent:
                Sent--;
                break;
        }

        Enter(to, 0m);
        var costedAfter = HoldsGrant(to) || from == DeliveryOutcome.Deferred;
        Cost += (costedAfter ? unitCost : 0m) - (costedBefore ? unitCost : 0m);
        return from != DeliveryOutcome.Deferred && (to is DeliveryOutcome.Suppressed or DeliveryOutcome.HeldBackForStock);
    }

    /// <summary>
    /// A campaign stored before deferred grants were costed (<paramref name="unitCost"/> CNY each): adds the cost of the
    /// touches still deferred, the grants its members already hold. Call once per stored state.
    /// </summary>
    public void CostDeferredGrants(decimal unitCost) => Cost += Deferred * unitCost;

    /// <summary>A purchase within the window: the member's first one converts it; every one adds its amount (CNY; a refund of one adds its negative).</summary>
    public void Purchase(decimal amount, bool conversion)
    {
        Converted += conversion ? 1 : 0;
        Revenue += amount;
    }

    /// <summary>Adds another group's counters (a page's tally at its checkpoint, all arms together).</summary>
    public void Add(GroupCounters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Audience += other.Audience;
        Sent += other.Sent;
        Deferred += other.Deferred;
        Suppressed += other.Suppressed;
        HeldBackForStock += other.HeldBackForStock;
        Converted += other.Converted;
        Revenue += other.Revenue;
        Cost += other.Cost;
    }

    /// <summary>The figures <see cref="CampaignMath"/> reads.</summary>
    public GroupTally ToTally() => new() { Audience = Audience, Converted = Converted, Revenue = Revenue, Cost = Cost };

    private void Enter(DeliveryOutcome outcome, decimal unitCost)
    {
        Cost += HoldsGrant(outcome) ? unitCost : 0m;
        switch (outcome)
        {
            case DeliveryOutcome.Sent:
                Sent++;
                break;
            case DeliveryOutcome.Deferred:
                Deferred++;
                break;
            case DeliveryOutcome.Suppressed:
                Suppressed++;
                break;
            case DeliveryOutcome.HeldBackForStock:
                HeldBackForStock++;
                break;
        }
    }

    private static bool HoldsGrant(DeliveryOutcome outcome) => outcome is DeliveryOutcome.Sent or DeliveryOutcome.Deferred;
}
