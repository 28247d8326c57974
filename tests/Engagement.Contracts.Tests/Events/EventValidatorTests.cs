using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

public sealed class EventValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static EngagementEvent Valid(string type = EventTypes.Login) => new()
    {
        EventId = "e-1",
        Type = type,
        MemberId = "M1",
        OccurredAt = Now.AddMinutes(-1),
        OrderId = type is EventTypes.Purchase or EventTypes.Refund ? "O-1" : null,
        Amount = type is EventTypes.Purchase or EventTypes.Refund ? 10m : null,
    };

    private static IReadOnlyList<EventValidationError> Errors(EngagementEvent e) => EventValidator.Validate(e, Now);

    private static void AssertOnly(EngagementEvent e, string field, string message)
    {
        var error = Assert.Single(Errors(e));
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(EventTypes.Register)]
    [InlineData(EventTypes.Purchase)]
    [InlineData(EventTypes.Refund)]
    [InlineData(EventTypes.Login)]
    [InlineData(EventTypes.Browse)]
    [InlineData(EventTypes.AddToCart)]
    [InlineData(EventTypes.Share)]
    [InlineData(EventTypes.Review)]
    [InlineData(EventTypes.Complaint)]
    [InlineData(EventTypes.ProfileUpdate)]
    public void EveryContractTypeIsValid(string type) => Assert.Empty(Errors(Valid(type)));

    [Theory]
    [InlineData(EventTypes.Login)]
    [InlineData(EventTypes.Register)]
    [InlineData(EventTypes.AddToCart)]
    [InlineData(EventTypes.Browse)]
    public void CouponsOnAnythingButAPurchaseOrRefundAreRefusedNamingCoupons(string type)
    {
        AssertOnly(Valid(type) with { Coupons = ["A"] }, "coupons",
            $"purchase only (CONTRACT.md §1): a coupon is redeemed by the purchase of its order, a {type} redeems none; send the codes on the purchase, or leave coupons out");
        Assert.Empty(Errors(Valid(type) with { Coupons = [] }));
        Assert.Empty(Errors(Valid(EventTypes.Purchase) with { Coupons = ["A"] }));
    }

    [Fact]
    public void ARefundCarryingItsOrdersCouponCodesIsAcceptedSoItsPointsAreReversed()
    {
        // The codes are ignored on a refund (the order's coupons are restored by the order); refusing the refund would
        // dead-letter a money event.
        Assert.Empty(Errors(Valid(EventTypes.Refund) with { Coupons = ["A", "B"] }));
    }

    [Fact]
    public void UnknownTypeListsTheAcceptedOnes()
    {
        var error = Assert.Single(Errors(Valid() with { Type = "foo" }));
        Assert.Equal("type", error.Field);
        Assert.Equal(
            "'foo' is not one of register, purchase, refund, login, browse, add_to_cart, share, review, complaint, profile_update",
            error.Message);
    }

    [Theory]
    [InlineData(EventTypes.Purchase, "offer|G1", "offer|")]
    [InlineData(EventTypes.Purchase, "adjustment|A1", "adjustment|")]
    [InlineData(EventTypes.Refund, "offer|G1", "offer|")]
    [InlineData(EventTypes.Refund, "adjustment|A1", "adjustment|")]
    public void AnOrderIdInTheEnginesOwnLotIdsIsRefusedNamingOrderId(string type, string orderId, string prefix) =>
        AssertOnly(Valid(type) with { OrderId = orderId }, "orderId", $"must not start with '{prefix}' (reserved for the engine's own points lots)");

    [Theory]
    [InlineData("offer-G1")]
    [InlineData("O-offer|G1")]
    [InlineData("Adjustment|A1")]
    public void AnOrderIdThatOnlyLooksLikeALotIdIsValid(string orderId) =>
        Assert.Empty(Errors(Valid(EventTypes.Purchase) with { OrderId = orderId }));

    [Fact]
    public void TypeIsCaseSensitive() => Assert.Single(Errors(Valid() with { Type = "Purchase" }));

    [Fact]
    public void EventIdIsRequired() => AssertOnly(Valid() with { EventId = "" }, "eventId", "required");

    [Fact]
    public void EventIdOf128CharsIsTheLimit()
    {
        Assert.Empty(Errors(Valid() with { EventId = new string('e', 128) }));
        AssertOnly(Valid() with { EventId = new string('e', 129) }, "eventId", "must be 1–128 characters");
    }

    [Fact]
    public void MemberIdIsRequired() => AssertOnly(Valid() with { MemberId = "" }, "memberId", "required");

    [Fact]
    public void MemberIdOf64CharsIsTheLimit()
    {
        Assert.Empty(Errors(Valid() with { MemberId = new string('m', 64) }));
        AssertOnly(Valid() with { MemberId = new string('m', 65) }, "memberId", EventValidator.MemberIdRule);
    }

    [Theory]
    [InlineData("Az09_-.:")]
    [InlineData("wx:o6_abc.DEF-1")]
    public void MemberIdAllowsItsAlphabet(string memberId) => Assert.Empty(Errors(Valid() with { MemberId = memberId }));

    [Theory]
    [InlineData("M 1")]
    [InlineData("M/1")]
    [InlineData("会员1")]
    [InlineData("M1\n")]
    public void MemberIdRefusesOtherCharacters(string memberId) =>
        Assert.Equal("memberId", Assert.Single(Errors(Valid() with { MemberId = memberId })).Field);

    [Fact]
    public void OccurredAtIsRequired() => AssertOnly(Valid() with { OccurredAt = default }, "occurredAt", "required");

    [Fact]
    public void OccurredAtFiveMinutesAheadIsTheLimit()
    {
        Assert.Empty(Errors(Valid() with { OccurredAt = Now.AddMinutes(5) }));
        AssertOnly(Valid() with { OccurredAt = Now.AddMinutes(5).AddTicks(1) }, "occurredAt", "more than 5 minutes in the future");
    }

    [Fact]
    public void FutureCheckComparesInstantsNotLocalClockFaces()
    {
        // 07:59 at +08:00 is 23:59 UTC the day before: in the past.
        Assert.Empty(Errors(Valid() with { OccurredAt = new DateTimeOffset(2026, 11, 23, 7, 59, 0, TimeSpan.FromHours(8)) }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10000000.01")]
    public void PurchaseAmountOutOfRangeIsRefused(string amount) =>
        AssertOnly(Valid(EventTypes.Purchase) with { Amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) }, "amount", "must be > 0 and ≤ 10,000,000 for a purchase");

    [Theory]
    [InlineData("0.01")]
    [InlineData("10000000")]
    public void PurchaseAmountEdgesAreAccepted(string amount) =>
        Assert.Empty(Errors(Valid(EventTypes.Purchase) with { Amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) }));

    [Fact]
    public void PurchaseWithoutAmountIsRefused() =>
        AssertOnly(Valid(EventTypes.Purchase) with { Amount = null }, "amount", "must be > 0 and ≤ 10,000,000 for a purchase");

    [Fact]
    public void PurchaseNeedsOrderId() =>
        AssertOnly(Valid(EventTypes.Purchase) with { OrderId = " " }, "orderId", "required for a purchase");

    [Fact]
    public void RefundAmountMustBePositive()
    {
        AssertOnly(Valid(EventTypes.Refund) with { Amount = 0m }, "amount", "must be > 0 for a refund");
        AssertOnly(Valid(EventTypes.Refund) with { Amount = null }, "amount", "must be > 0 for a refund");
    }

    [Fact]
    public void RefundAboveThePurchaseCapIsTheMembersCallNotTheValidators() =>
        Assert.Empty(Errors(Valid(EventTypes.Refund) with { Amount = 20_000_000m }));

    [Fact]
    public void RefundNeedsOrderId() =>
        AssertOnly(Valid(EventTypes.Refund) with { OrderId = null }, "orderId", "required for a refund (the purchase's orderId)");

    [Fact]
    public void AmountIsNotRequiredForOtherTypes() => Assert.Empty(Errors(Valid(EventTypes.Browse) with { Amount = null, OrderId = null }));

    [Fact]
    public void CurrencyDefaultsToCny() => Assert.Equal("CNY", Valid().Currency);

    private static EngagementEvent Profile(params (string Key, string Value)[] properties) =>
        Valid(EventTypes.ProfileUpdate) with { Properties = properties.ToDictionary(p => p.Key, p => p.Value) };

    [Fact]
    public void ProfileWithEveryKnownPropertyIsValid() =>
        Assert.Empty(Errors(Profile(
            ("birthday", "1990-02-28"), ("timeZone", "Asia/Shanghai"), ("phone", "+8613800000000"),
            ("consent.sms", "false"), ("consent.push", "true"), ("consent.call", "False"), ("consent.wechat", "TRUE"))));

    [Theory]
    [InlineData("1990-2-28")]
    [InlineData("1990/02/28")]
    [InlineData("1990-02-30")]
    [InlineData("28-02-1990")]
    public void BirthdayMustBeYyyyMmDd(string birthday) =>
        AssertOnly(Profile(("birthday", birthday)), "properties.birthday", "must be a date YYYY-MM-DD");

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("China Standard Time")]
    [InlineData("")]
    public void TimeZoneMustBeAKnownIanaId(string timeZone) =>
        Assert.Equal("properties.timeZone", Assert.Single(Errors(Profile(("timeZone", timeZone)))).Field);

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("UTC")]
    public void IanaTimeZonesAreAccepted(string timeZone) => Assert.Empty(Errors(Profile(("timeZone", timeZone))));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    public void ConsentMustBeBoolean(string value) =>
        AssertOnly(Profile(("consent.sms", value)), "properties.consent.sms", "must be true or false");

    [Theory]
    [InlineData("consent.email", "consent.email")]
    [InlineData("consent.c0001xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "consent.x####xxxxxxxxxxx…")] // masked and cut as a poison reason shows refused text
    public void ConsentNamesOnlyTheContractsChannels(string key, string named) =>
        AssertOnly(Profile((key, "true")), "properties." + named, "not a consent channel; one of sms, push, call, wechat");

    [Fact]
    public void ProfileRulesApplyOnlyToProfileUpdates() =>
        Assert.Empty(Errors(Valid() with { Properties = new Dictionary<string, string> { ["birthday"] = "soon" } }));

    [Fact]
    public void ErrorsPrintAsFieldColonMessage() =>
        Assert.Equal("memberId: required", new EventValidationError("memberId", "required").ToString());
}
