using Engagement.Contracts.Offers;

namespace Engagement.Contracts.Tests.Offers;

/// <summary>The id rule of the offer side (rewardId, storeId, sku): every id becomes a grain key and a table key.</summary>
public sealed class OfferIdsTests
{
    [Theory]
    [InlineData("S001")]
    [InlineData("R-MUG_2026.v1:a")]
    public void IdsOfTheRuleAreValid(string id) => Assert.True(OfferIds.IsValid(id));

    [Theory]
    [InlineData("S001\n")]
    [InlineData("S001\r\n")]
    [InlineData("S 001")]
    [InlineData("S001|x")]
    [InlineData("")]
    public void ControlCharactersSpacesAndTheKeySeparatorAreNot(string id) => Assert.False(OfferIds.IsValid(id));

    [Theory]
    [InlineData("C1\n")]
    [InlineData("C1\r\n")]
    public void ACampaignIdEndsAtTheEndOfTheTextToo(string id) =>
        Assert.False(Engagement.Contracts.Campaigns.CampaignDefinitions.IsValidId(id));
}
