namespace Engagement.Domain.Campaigns;

/// <summary>
/// What a campaign's control group will hold, judged before it is created from an audience estimate: an arm's uplift
/// compares it with the control (<see cref="CampaignMath.Compare"/>), which is null when the control group is empty. The
/// 95% interval itself holds at any size from one member up (Newcombe's hybrid score interval), so an empty control is
/// the only size that leaves no uplift and no interval.
/// </summary>
/// <param name="Expected">Audience members × control share: the control group's expected size, members (not rounded).</param>
/// <param name="Assigned">Members the split assigns to the control for this campaign id (the estimate's <c>control</c>
/// group, scaled like the audience when estimated from a share of the index); null when not known.</param>
public sealed record ControlGroupOutlook(double Expected, long? Assigned)
{
    /// <summary>
    /// True when the control group will (probably) be empty, so every arm's uplift will be null: fewer than one member
    /// expected, or a split that assigns nobody to it.
    /// </summary>
    public bool Empty => Expected < 1 || Assigned == 0;

    /// <summary>
    /// The outlook of an audience of <paramref name="audienceMembers"/> members at <paramref name="controlShare"/>
    /// (a fraction, 0–0.5), with the <paramref name="assignedControl"/> members the split gives the control when known.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, or a share that is not a number from 0 to 1.</exception>
    public static ControlGroupOutlook Of(long audienceMembers, double controlShare, long? assignedControl = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(audienceMembers);
        if (double.IsNaN(controlShare) || controlShare < 0 || controlShare > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(controlShare), controlShare, "a control share is a fraction from 0 to 1");
        }

        if (assignedControl is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(assignedControl), assignedControl, "a member count is never negative");
        }

        return new ControlGroupOutlook(audienceMembers * controlShare, assignedControl);
    }
}
