using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>
/// The control group a campaign will have, judged from its audience estimate before it is created: empty (so every
/// arm's uplift null, <see cref="CampaignMath.Compare"/>) below one expected member or when the split assigns nobody.
/// </summary>
public sealed class ControlGroupOutlookTests
{
    [Theory]
    [InlineData(0L, 0.1, null, true)]
    [InlineData(9L, 0.1, null, true)] // 0.9 expected
    [InlineData(16L, 0.1, 0L, true)] // the demo: 1.6 expected, but the split holds nobody out
    [InlineData(10L, 0.1, null, false)] // exactly one expected
    [InlineData(16L, 0.1, 2L, false)]
    [InlineData(300L, 0.0, null, true)] // no control share at all
    [InlineData(3L, 0.5, 1L, false)]
    public void TheControlGroupIsEmptyBelowOneExpectedMemberOrWhenTheSplitAssignsNobody(long members, double share, long? assigned, bool empty)
    {
        var outlook = ControlGroupOutlook.Of(members, share, assigned);

        Assert.Equal(empty, outlook.Empty);
        Assert.Equal(members * share, outlook.Expected, 9);
    }

    [Fact]
    public void OneMemberOnEachSideAlreadyHasAnInterval()
    {
        // The domain has no minimum size beyond one: Compare gives an uplift with its interval at one control member.
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 9, Converted = 1 }, new GroupTally { Audience = 1 });

        Assert.NotNull(uplift);
        Assert.False(ControlGroupOutlook.Of(10, 0.1, 1).Empty);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(-1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlGroupOutlook.Of(10, 0.1, -1));
    }
}
