using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Grains.Tests.Offers;

/// <summary>
/// One region id rule (<see cref="RegionIds"/>, one source with the campaign validator's) for events, campaign audiences,
/// coupon scopes, coupon redemptions and inventory reports: it accepts what the wire validator has always accepted for an
/// event's regionId, a campaign can name every region a member can be in, and its stock keys keep regions apart.
/// </summary>
public sealed class RegionIdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Regions => new()
    {
        "east", "华东", "華東-1", "a b", "a/b", "a_b", "a|b", "Nord:Ost.2", new string('r', 64), new string('r', 65),
        string.Concat(Enumerable.Repeat("\U0001F600", 64)), string.Concat(Enumerable.Repeat("\U0001F600", 65)),
        string.Concat(Enumerable.Repeat("华", 64)), string.Concat(Enumerable.Repeat("华", 65)),
    };

    [Theory]
    [MemberData(nameof(Regions))]
    public void ARegionIsValidExactlyWhenAnEventCarryingItIsValid(string region)
    {
        var purchase = new EngagementEvent
        {
            EventId = "e-1", Type = EventTypes.Purchase, MemberId = "M1", OccurredAt = Now.AddMinutes(-1), OrderId = "O-1", Amount = 10m,
            RegionId = region,
        };

        Assert.Equal(EventValidator.Validate(purchase, Now).Count == 0, RegionIds.IsValid(region));
    }

    /// <summary>
    /// Each case with the answer the rule must give, written out (not derived from the rule under test): code points, not
    /// UTF-16 units, count toward 64, and no alphabet is imposed. Lone surrogates are a fact below (theory data would not
    /// keep them intact).
    /// </summary>
    public static TheoryData<string, bool> Expected => new()
    {
        { "华东", true },
        { "a/b", true },
        { "a_b", true },
        { new string('华', 64), true },
        { new string('华', 65), false },
        { string.Concat(Enumerable.Repeat("\U0001F600", 64)), true }, // 128 UTF-16 units, 64 code points
        { string.Concat(Enumerable.Repeat("\U0001F600", 65)), false },
        { " ", false },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void TheDomainRuleGivesTheExpectedAnswer(string region, bool valid) => Assert.Equal(valid, RegionIds.IsValid(region));

    [Theory]
    [MemberData(nameof(Expected))]
    public void ACampaignAudienceGivesTheExpectedAnswer(string region, bool valid) =>
        Assert.Equal(valid ? [] : ["audience.regions[1]"], CampaignRegionErrors(region));

    [Fact]
    public void ALoneSurrogateIsNoRegionOnTheWireNorAtAnEndpoint()
    {
        var sent = EventParser.Parse(
            """{"eventId":"e-1","type":"login","memberId":"M1","occurredAt":"2026-11-23T03:59:00Z","regionId":"a\ud800"}""", Now);

        Assert.Equal("regionId", Assert.Single(sent.Errors).Field);
        Assert.False(RegionIds.IsValid("a\ud800"));
        Assert.False(RegionIds.IsValid("\udc00b"));
        Assert.Equal(["audience.regions[1]"], CampaignRegionErrors("a\ud800"));
        Assert.Equal(["audience.regions[1]"], CampaignRegionErrors("\udc00b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(null)]
    public void ABlankRegionIsNoRegionForAnEventAndRefusedWhereOneIsGiven(string? region)
    {
        Assert.False(RegionIds.IsValid(region));
        var purchase = new EngagementEvent
        {
            EventId = "e-1", Type = EventTypes.Purchase, MemberId = "M1", OccurredAt = Now.AddMinutes(-1), OrderId = "O-1", Amount = 10m,
            RegionId = region,
        };
        Assert.Empty(EventValidator.Validate(purchase, Now));
    }

    [Fact]
    public void RegionsThatAStorageKeyWouldFoldTogetherKeepTheirOwnStockKeys()
    {
        // Azure table keys cannot hold / \ # ? (the grain-state provider turns each into _) nor control characters.
        var regions = new[] { "a/b", "a\\b", "a#b", "a?b", "a_b", "a~b", "a~002Fb", "a\u0001b", "a|b" };
        var keys = regions.Select(r => OfferIds.RegionStockKey(r, "SKU-1")).ToList();

        Assert.Equal(regions.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, k => Assert.DoesNotContain(k, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)));
        Assert.Equal("east|SKU-1", OfferIds.RegionStockKey("east", "SKU-1")); // a region of the old alphabet keeps its stored key
        Assert.Equal("华东|SKU-1", OfferIds.RegionStockKey("华东", "SKU-1"));
    }

    /// <summary>The fields a broadcast naming <c>east</c> and <paramref name="region"/> in its audience is refused on.</summary>
    private static IEnumerable<string> CampaignRegionErrors(string region) => CampaignDefinitions.Validate(new CampaignDefinition
    {
        Id = "c-regions", Name = "Regions", Kind = CampaignKinds.Broadcast, Channel = "push",
        Audience = new CampaignAudience { Regions = ["east", region] },
        Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "R5", UnitCost = 5m },
        ValidFrom = Now, ValidUntil = Now.AddDays(1),
    }).Select(e => e.Field);
}
