using System.Reflection;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The domain does not reference the wire contracts, so a few names and bounds exist on both sides; these tests pin
/// each pair equal, so one cannot move without the other.
/// </summary>
public sealed class ContractAndDomainConstantsTests
{
    [Fact]
    public void EventTypesAreTheSameOnTheWireAndInTheDomain()
    {
        Assert.Equal(Constants(typeof(EventTypes)), Constants(typeof(MemberEventTypes)));
        Assert.True(EventTypes.All.SetEquals(MemberEventTypes.All));
    }

    [Fact]
    public void LifecycleStagesAreTheSameOnTheWireAndInTheDomain()
    {
        Assert.True(CampaignDefinitions.Stages.SetEquals(Constants(typeof(LifecycleStages)).Values));
    }

    [Fact]
    public void ThePurchaseAmountBoundIsTheSameOnTheWireAndInTheDomain()
    {
        Assert.Equal(EventValidator.MaxPurchaseAmount, PurchasePolicy.MaxPurchaseAmount);
    }

    [Fact]
    public void TheReservedLotPrefixesAreTheSameOnTheWireAndInTheDomain()
    {
        Assert.Equal(EventValidator.AdjustmentLotPrefix, Engagement.Domain.Points.AdjustmentPolicy.EventIdPrefix);
        Assert.Equal(EventValidator.OfferLotPrefix, Engagement.Domain.Offers.OfferFulfilment.PointsLotPrefix);
    }

    private static SortedDictionary<string, string> Constants(Type type) => new(
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!),
        StringComparer.Ordinal);
}
