using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>
/// The control group a campaign will have, judged from its audience estimate before it is created: empty (so every
/// arm's uplift null, <see cref="CampaignMath.Compare"/>) when an exact split assigns nobody, or, when the split is only
/// sampled, below one expected member. Global-control members never reach the campaign's split.
/// </summary>
public sealed class ControlGroupOutlookTests
{
    [Theory]
    [InlineData(0L, 0L, 0.1, null, false, true)]
    [InlineData(9L, 0L, 0.1, null, false, true)] // 0.9 expected
    [InlineData(16L, 0L, 0.1, 0L, true, true)] // the demo: 1.6 expected, but the split holds nobody out
    [InlineData(10L, 0L, 0.1, null, false, false)] // exactly one expected
    [InlineData(16L, 0L, 0.1, 2L, true, false)]
    [InlineData(300L, 0L, 0.0, null, false, true)] // no control share at all
    [InlineData(3L, 0L, 0.5, 1L, true, false)]
    [InlineData(4L, 0L, 0.1, 1L, true, false)] // 0.4 expected, but the exact split holds one member out: not empty
    [InlineData(4L, 0L, 0.1, 1L, false, true)] // the same from a sample: probably empty
    [InlineData(40L, 0L, 0.1, 0L, false, false)] // a sample that saw nobody in control, four expected: not judged empty
    public void AnExactSplitDecidesAndASampledOneFallsBackToTheExpectation(long members, long global, double share, long? assigned, bool exact, bool empty)
    {
        var outlook = ControlGroupOutlook.Of(members, global, share, assigned, exact);

        Assert.Equal(empty, outlook.Empty);
        Assert.Equal(exact, outlook.Exact);
        Assert.Equal((members - global) * share, outlook.Expected, 9);
    }

    [Fact]
    public void MembersInTheGlobalControlAreNotExpectedInTheCampaignsControl()
    {
        // Twelve members, three in the programme-wide hold-out: nine reach the split, 0.9 expected in its control.
        var outlook = ControlGroupOutlook.Of(12, 3, 0.1);

        Assert.Equal(0.9, outlook.Expected, 9);
        Assert.True(outlook.Empty);
        Assert.False(ControlGroupOutlook.Of(12, 0, 0.1).Empty);
    }

    [Fact]
    public void OneMemberOnEachSideAlreadyHasAnInterval()
    {
        // The domain has no minimum size beyond one: Compare gives an uplift with its interval at one control member.
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 9, Converted = 1 }, new GroupTally { Audience = 1 });

        Assert.NotNull(uplift);
        Assert.False(ControlGroupOutlook.Of(10, 0, 0.1, 1, exact: true).Empty);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(-1, 0, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, -1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 11, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 0, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 0, 0.1, -1));
    }
}
