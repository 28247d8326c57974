using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary><see cref="CampaignOptions.MaxAttributedOrders"/>: 1,000 by default, refused outside 1–2,000.</summary>
public sealed class MaxAttributedOrdersOptionTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2_000, true)]
    [InlineData(2_001, false)]
    public void TheCapIsValidatedAtStart(int max, bool valid)
    {
        Assert.Equal(1_000, new CampaignOptions().MaxAttributedOrders);
        var errors = new CampaignOptions { MaxAttributedOrders = max }.Validate();
        Assert.Equal(valid ? [] : ["MaxAttributedOrders must be between 1 and 2000."], errors);
    }
}
