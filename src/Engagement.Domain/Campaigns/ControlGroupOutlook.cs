namespace Engagement.Domain.Campaigns;

/// <summary>
/// What a campaign's control group will hold, judged before it is created from an audience estimate: an arm's uplift
/// compares it with the control (<see cref="CampaignMath.Compare"/>), which is null when the control group is empty. The
/// 95% interval itself holds at any size from one member up (Newcombe's hybrid score interval), so an empty control is
/// the only size that leaves no uplift and no interval.
/// </summary>
/// <param name="Expected">(Audience members − members in the global control) × control share: the control group's
/// expected size, members (not rounded). Members in the global control are taken out before the campaign's split
/// (<see cref="CampaignAssignment.IsGlobalControl"/>), so they never reach its control group.</param>
/// <param name="Assigned">Members the split assigns to the control for this campaign id (the estimate's <c>control</c>
/// group, scaled like the audience when estimated from a share of the index); null when not known.</param>
/// <param name="Exact">True when <paramref name="Assigned"/> was counted over every member (the whole index read), so it
/// is the control group the campaign will have, not a scaled sample.</param>
public sealed record ControlGroupOutlook(double Expected, long? Assigned, bool Exact)
{
    /// <summary>
    /// True when the control group will (or, unless <see cref="Exact"/>, probably will) be empty, so every arm's uplift
    /// will be null. An exact split decides it: empty when it assigns nobody, whatever the expectation. Otherwise the
    /// expectation does: fewer than one member expected.
    /// </summary>
    public bool Empty => Exact && Assigned is { } assigned ? assigned == 0 : Expected < 1;

    /// <summary>
    /// The outlook of an audience of <paramref name="audienceMembers"/> members, <paramref name="globalControl"/> of them
    /// in the programme-wide global control, at <paramref name="controlShare"/> (a fraction, 0–1; the API allows up to
    /// 0.5), with the <paramref name="assignedControl"/> members the split gives the control when known;
    /// <paramref name="exact"/> when that count is over every member rather than a scaled sample.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, more global-control members than members, or a
    /// share that is not a number from 0 to 1.</exception>
    public static ControlGroupOutlook Of(long audienceMembers, long globalControl, double controlShare, long? assignedControl = null, bool exact = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(audienceMembers);
        ArgumentOutOfRangeException.ThrowIfNegative(globalControl);
        if (globalControl > audienceMembers)
        {
            throw new ArgumentOutOfRangeException(nameof(globalControl), globalControl, "the global control is part of the audience, never more than it");
        }

        if (double.IsNaN(controlShare) || controlShare < 0 || controlShare > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(controlShare), controlShare, "a control share is a fraction from 0 to 1");
        }

        if (assignedControl is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(assignedControl), assignedControl, "a member count is never negative");
        }

        return new ControlGroupOutlook((audienceMembers - globalControl) * controlShare, assignedControl, exact);
    }
}
