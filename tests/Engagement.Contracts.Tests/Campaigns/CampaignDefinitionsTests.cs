using Engagement.Contracts.Campaigns;

namespace Engagement.Contracts.Tests.Campaigns;

public sealed class CampaignDefinitionsTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 23, 0, 0, 0, TimeSpan.FromHours(8));

    private static CampaignDefinition Valid() => new()
    {
        Id = "winter-2026",
        Name = "Winter skincare",
        Kind = CampaignKinds.Broadcast,
        Channel = "sms",
        Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "WINTER20", UnitCost = 20m },
        ValidFrom = From,
        ValidUntil = From.AddDays(7),
    };

    [Fact]
    public void NormalizeFillsOneMainArmTenPercentControlAndASevenDayWindow()
    {
        var normalized = CampaignDefinitions.Normalize(Valid());

        Assert.Empty(CampaignDefinitions.Validate(normalized));
        var arm = Assert.Single(normalized.Arms);
        Assert.Equal("main", arm.Name);
        Assert.Equal(0.10, normalized.ControlShare);
        Assert.Equal(7, normalized.AttributionWindowDays);
    }

    [Theory]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("...", true)]
    [InlineData("a.b", true)]
    [InlineData(".winter", true)]
    public void DotAndDotDotAreNoCampaignIds(string id, bool valid)
    {
        Assert.Equal(valid, CampaignDefinitions.IsValidId(id));
        Assert.Equal(valid, !CampaignDefinitions.Validate(Valid() with { Id = id }).Any(e => e.Field == "id"));
    }

    [Fact]
    public void EachInvalidFieldIsNamedTheWayTheBodySpellsIt()
    {
        var definition = Valid() with
        {
            Id = "bad id!",
            Kind = "blast",
            Channel = "fax",
            ValidUntil = From.AddDays(-1),
            ControlShare = 0.6,
            AttributionWindowDays = 0,
            Budget = new CampaignBudget { MaxGrants = -1 },
            Audience = new CampaignAudience { Stages = ["sleeping"], ValueClasses = ["Z"] },
            Arms = [new CampaignArm { Name = "a", Weight = 1 }, new CampaignArm { Name = "b", Weight = 0 }, new CampaignArm { Name = "a", Weight = 1, Offer = new CampaignOffer { Kind = "points", Code = "P" } }],
        };

        var fields = CampaignDefinitions.Validate(definition).Select(e => e.Field).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "id", "kind", "channel", "validUntil", "controlShare", "attributionWindowDays", "budget.maxGrants", "audience.stages[0]", "audience.valueClasses[0]", "arms[1].weight", "arms[2].name", "arms[2].offer.points" },
            fields);
    }

    [Fact]
    public void ATriggeredCampaignNeedsAKnownEventTypeAndABroadcastHasNoTrigger()
    {
        var triggered = Valid() with { Kind = CampaignKinds.Triggered };
        Assert.Contains(CampaignDefinitions.Validate(triggered), e => e.Field == "trigger");

        var badType = triggered with { Trigger = new CampaignTrigger { EventType = "shout", MinAmount = -1 } };
        var fields = CampaignDefinitions.Validate(badType).Select(e => e.Field).ToList();
        Assert.Contains("trigger.eventType", fields);
        Assert.Contains("trigger.minAmount", fields);

        Assert.Empty(CampaignDefinitions.Validate(triggered with { Trigger = new CampaignTrigger { EventType = "purchase", ItemCategory = "skincare", MinAmount = 200m } }));
        Assert.Contains(CampaignDefinitions.Validate(Valid() with { Trigger = new CampaignTrigger { EventType = "purchase" } }), e => e.Field == "trigger");
    }

    [Fact]
    public void AnOfferIsRequiredOnTheCampaignOrOnEveryArm()
    {
        var noOffer = Valid() with { Offer = null };
        Assert.Contains(CampaignDefinitions.Validate(noOffer), e => e.Field == "offer");

        var armOffers = noOffer with
        {
            Arms = [
                new CampaignArm { Name = "a", Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "A10", UnitCost = 10m } },
                new CampaignArm { Name = "b", Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "P500", UnitCost = 5m, Points = 500 } },
            ],
        };
        Assert.Empty(CampaignDefinitions.Validate(armOffers));
    }

    [Fact]
    public void MoneyPointsAndWeightsOutOfBoundsAreNamedNotAcceptedIntoAFanOutTheyWouldBreak()
    {
        // decimal.MaxValue as a unit cost: two sent grants overflow the campaign's cost and its fan-out throws on every page.
        var huge = Valid() with
        {
            Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "BIG", UnitCost = decimal.MaxValue },
            Budget = new CampaignBudget { MaxCost = 100.001m },
            Arms = [
                new CampaignArm { Name = "a", Weight = double.MaxValue },
                new CampaignArm { Name = "b", Weight = double.MaxValue, Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "P", UnitCost = 0.005m, Points = long.MaxValue } },
            ],
        };

        var errors = CampaignDefinitions.Validate(huge);

        Assert.Equal(
            ["arms[0].weight", "arms[1].offer.points", "arms[1].offer.unitCost", "arms[1].weight", "budget.maxCost", "offer.unitCost"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Empty(CampaignDefinitions.Validate(Valid() with
        {
            Offer = new CampaignOffer { Kind = OfferKinds.Points, Code = "P", UnitCost = 100_000m, Points = 1_000_000 },
            Budget = new CampaignBudget { MaxCost = 1_000_000.50m },
            Arms = [new CampaignArm { Name = "a", Weight = 1_000_000 }],
        }));
    }
}
