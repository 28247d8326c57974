using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// <see cref="CampaignOptions.MaxAttributedOrders"/> and <see cref="CampaignOptions.MaxMembershipsKept"/>: 200 and 100 by
/// default, refused outside 1–2,000 and at least 1, and refused where a member at both as configured and every other cap at
/// its default would not fit its table row (Domain.Members.MemberStateSizes.EveryCapAtOnce), naming the largest value that
/// fits, or, when the other cap alone fills the row, that the other must come down first.
/// </summary>
public sealed class MaxAttributedOrdersOptionTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2_001, false)]
    public void TheCapIsValidatedAtStart(int max, bool valid)
    {
        Assert.Equal(200, new CampaignOptions().MaxAttributedOrders);
        Assert.Equal(100, new CampaignOptions().MaxMembershipsKept);
        var errors = new CampaignOptions { MaxAttributedOrders = max }.Validate();
        Assert.Equal(valid ? [] : ["MaxAttributedOrders must be between 1 and 2000."], errors);
    }

    [Fact]
    public void TheDefaultCapsFit() => Assert.Empty(new CampaignOptions().Validate());

    [Theory]
    [InlineData(741, true)]
    [InlineData(742, false)]
    [InlineData(2_000, false)]
    public void AnAttributedOrderCapTheRowCannotHoldIsRefusedNamingTheLargestThatFits(int max, bool valid)
    {
        // 440,576 stored characters at the defaults (kept ids at their worst), 94 more per attributed order: 741 fit the 491,520 of the row.
        var errors = new CampaignOptions { MaxAttributedOrders = max }.Validate();

        Assert.Equal(
            valid ? [] : [$"MaxAttributedOrders {max:D} does not fit a member's table row (491,520 stored characters) with MaxMembershipsKept 100, every other per-member cap at its default and the ids it keeps as keys at their worst: the largest that fits is 741."],
            errors);
    }

    [Theory]
    [InlineData(197, true)]
    [InlineData(198, false)]
    [InlineData(1_000_000, false)]
    public void AMembershipCapTheRowCannotHoldIsRefusedNamingTheLargestThatFits(int max, bool valid)
    {
        // 520 stored characters per membership beyond the default 100: 197 fit with 200 attributed orders.
        var errors = new CampaignOptions { MaxMembershipsKept = max }.Validate();

        Assert.Equal(
            valid ? [] : [$"MaxMembershipsKept {max:D} does not fit a member's table row (491,520 stored characters) with MaxAttributedOrders 200, every other per-member cap at its default and the ids it keeps as keys at their worst: the largest that fits is 197."],
            errors);
    }

    [Fact]
    public void BothCapsRaisedTogetherAreJudgedTogether()
    {
        // 450 orders and 150 memberships fit (490,076 of 491,520); 600 orders and 150 memberships do not, though each alone
        // would: each refusal names the largest that fits beside the other as configured.
        Assert.Empty(new CampaignOptions { MaxAttributedOrders = 450, MaxMembershipsKept = 150 }.Validate());

        var errors = new CampaignOptions { MaxAttributedOrders = 600, MaxMembershipsKept = 150 }.Validate();

        Assert.Equal(
        [
            "MaxAttributedOrders 600 does not fit a member's table row (491,520 stored characters) with MaxMembershipsKept 150, every other per-member cap at its default and the ids it keeps as keys at their worst: the largest that fits is 465.",
            "MaxMembershipsKept 150 does not fit a member's table row (491,520 stored characters) with MaxAttributedOrders 600, every other per-member cap at its default and the ids it keeps as keys at their worst: the largest that fits is 125.",
        ], errors);
    }

    [Fact]
    public void WhenTheOtherCapAloneFillsTheRowTheRefusalSaysToLowerItNotThatZeroFits()
    {
        // 300 memberships take 440,576 + 200 × 520 = 544,576 with the default 200 orders: past the row, so no order cap
        // fits beside them (the minimum is 1, never "0"); the memberships' refusal names what fits beside 300 orders.
        var errors = new CampaignOptions { MaxAttributedOrders = 300, MaxMembershipsKept = 300 }.Validate();

        Assert.Equal(
        [
            "MaxAttributedOrders 300 does not fit a member's table row (491,520 stored characters) with MaxMembershipsKept 300, every other per-member cap at its default and the ids it keeps as keys at their worst: none fits with MaxMembershipsKept 300; lower that first.",
            "MaxMembershipsKept 300 does not fit a member's table row (491,520 stored characters) with MaxAttributedOrders 300, every other per-member cap at its default and the ids it keeps as keys at their worst: the largest that fits is 179.",
        ], errors);
    }
}
