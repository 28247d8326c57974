using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary><see cref="CampaignOptions.MaxAttributedOrders"/>: 200 by default (1,000 before; the every-cap member must fit the row), refused outside 1–2,000.</summary>
public sealed class MaxAttributedOrdersOptionTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2_000, true)]
    [InlineData(2_001, false)]
    public void TheCapIsValidatedAtStart(int max, bool valid)
    {
        Assert.Equal(200, new CampaignOptions().MaxAttributedOrders);
        var errors = new CampaignOptions { MaxAttributedOrders = max }.Validate();
        Assert.Equal(valid ? [] : ["MaxAttributedOrders must be between 1 and 2000."], errors);
    }
}
