using System.Text;
using System.Text.Json;
using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

public sealed class EventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 40, 0, TimeSpan.FromHours(8));

    private const string Purchase = """
        {
          "eventId": "pos-S001-20261123-000123",
          "type": "purchase",
          "memberId": "M000123",
          "occurredAt": "2026-11-23T08:39:16+08:00",
          "storeId": "S001",
          "regionId": "east",
          "channel": "pos",
          "orderId": "O-20261123-77",
          "amount": 268.50,
          "currency": "CNY",
          "items": [{"sku": "SKU-1", "category": "skincare", "quantity": 2, "unitPrice": 134.25}],
          "properties": {"campaignCode": "WINTER"}
        }
        """;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Error(string json)
    {
        Assert.False(EventParser.TryParse(json, Now, out var evt, out var error));
        Assert.Null(evt);
        return error!;
    }

    [Theory]
    [InlineData("\"currency\": \"CNY\"", "\"Currency\": \"USD\"", "Currency", "currency")]
    [InlineData("\"currency\": \"CNY\"", "\"cUrReNcY\": \"USD\"", "cUrReNcY", "currency")]
    [InlineData("\"storeId\": \"S001\"", "\"storeID\": \"S001\"", "storeID", "storeId")]
    [InlineData("\"unitPrice\": 134.25", "\"UnitPrice\": 134.25", "UnitPrice", "items[0].unitPrice")]
    public void AFieldNamingAContractFieldInOtherLetterCaseIsRefusedNamingIt(string field, string miscased, string sent, string named)
    {
        // "Currency":"USD" with amount 12 was read as an unknown field and applied as 12 CNY; "storeID" was dropped.
        var error = Error(Purchase.Replace(field, miscased, StringComparison.Ordinal));

        // The error's field is the contract spelling (the sent one would be the poison counter's reason tag, one series
        // per spelling); the message keeps the sent spelling.
        Assert.Contains($"{named}: `{sent}`: field names are case-sensitive; did you mean `{named.Split('.')[^1]}`?", error, StringComparison.Ordinal);
        Assert.Equal(named.Split('[')[0], IngestionMetrics.ReasonCategory(error));
    }

    [Fact]
    public void PropertiesKeysInAnyLetterCaseAreAccepted()
    {
        // Only the contract's own fields are case-sensitive: properties keys are the sender's, "Currency"/"StoreId" included.
        var json = Purchase.Replace("{\"campaignCode\": \"WINTER\"}", "{\"Currency\": \"USD\", \"StoreId\": \"S9\"}", StringComparison.Ordinal);

        Assert.True(EventParser.TryParse(json, Now, out var evt, out var error), error);
        Assert.Equal(("USD", "S9"), (evt!.Properties["Currency"], evt.Properties["StoreId"]));
        Assert.Equal(("CNY", "S001"), (evt.Currency, evt.StoreId));
    }

    [Fact]
    public void OtherUnknownFieldsStayIgnored()
    {
        var json = Purchase.Replace("\"channel\": \"pos\",", "\"channel\": \"pos\", \"terminal\": \"T-9\", \"loyaltyTier\": 3,", StringComparison.Ordinal);

        Assert.True(EventParser.TryParse(json, Now, out var evt, out var error), error);
        Assert.Equal("S001", evt!.StoreId);
    }

    [Fact]
    public void ContractExampleParsesIntoEveryField()
    {
        Assert.True(EventParser.TryParse(Purchase, Now, out var evt, out var error), error);
        Assert.NotNull(evt);
        Assert.Equal("pos-S001-20261123-000123", evt.EventId);
        Assert.Equal(EventTypes.Purchase, evt.Type);
        Assert.Equal("M000123", evt.MemberId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 39, 16, TimeSpan.FromHours(8)), evt.OccurredAt);
        Assert.Equal(TimeSpan.FromHours(8), evt.OccurredAt.Offset);
        Assert.Equal("S001", evt.StoreId);
        Assert.Equal("east", evt.RegionId);
        Assert.Equal("pos", evt.Channel);
        Assert.Equal("O-20261123-77", evt.OrderId);
        Assert.Equal(268.50m, evt.Amount);
        Assert.Equal("CNY", evt.Currency);
        var item = Assert.Single(evt.Items);
        Assert.Equal(new EventItem { Sku = "SKU-1", Category = "skincare", Quantity = 2, UnitPrice = 134.25m }, item);
        Assert.Equal("WINTER", evt.Properties["campaignCode"]);
    }

    [Fact]
    public void APurchasesCouponCodesReachTheEnvelopeAsSent()
    {
        var json = Purchase.Replace("\"currency\"", "\"coupons\": [\"7kq2-m9xd-4htr-wb3n\", \"ABCD\"], \"currency\"", StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out var evt, out var error), error);
        Assert.Equal(["7kq2-m9xd-4htr-wb3n", "ABCD"], evt!.Coupons);
        Assert.True(EventParser.TryParse(Purchase, Now, out var plain, out _));
        Assert.Empty(plain!.Coupons);
    }

    [Fact]
    public void Base64EncodedJsonIsAccepted()
    {
        Assert.True(EventParser.TryParse(Base64(Purchase), Now, out var evt, out var error), error);
        Assert.Equal("M000123", evt!.MemberId);
    }

    [Fact]
    public void Base64WithSurroundingWhitespaceIsAccepted()
    {
        Assert.True(EventParser.TryParse("  " + Base64(Purchase) + "\n", Now, out var evt, out _));
        Assert.Equal(268.50m, evt!.Amount);
    }

    [Fact]
    public void TextThatIsNeitherJsonNorBase64IsRefusedAsBody() =>
        Assert.StartsWith("body:", Error("hello there"), StringComparison.Ordinal);

    [Fact]
    public void Base64OfSomethingElseThanJsonIsRefused() =>
        Assert.StartsWith("body:", Error(Base64("just words")), StringComparison.Ordinal);

    [Fact]
    public void MalformedJsonIsRefusedWithItsPosition()
    {
        var error = Error("""{"eventId": "e1", """);
        Assert.StartsWith("body: malformed JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBodyIsRefused() => Assert.Equal("body: empty", Error("   "));

    [Fact]
    public void ArrayIsNotOneEvent() =>
        Assert.Equal("body: must be one JSON object, not an array", Error("[" + Purchase + "]"));

    [Fact]
    public void MessageOver64KbIsRefused()
    {
        var big = Purchase.Replace("\"WINTER\"", "\"" + new string('x', 65 * 1024) + "\"", StringComparison.Ordinal);
        Assert.Equal("body: larger than 64 KB", Error(big));
    }

    [Fact]
    public void MissingMemberIdIsNamed()
    {
        var json = Purchase.Replace("\"memberId\":   \"M000123\",", string.Empty, StringComparison.Ordinal)
            .Replace("\"memberId\": \"M000123\",", string.Empty, StringComparison.Ordinal);
        Assert.Contains("memberId: required", Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void WrongJsonTypeIsNamedOnceNotTwice()
    {
        var json = Purchase.Replace("\"memberId\": \"M000123\"", "\"memberId\": 123", StringComparison.Ordinal);
        var error = Error(json);
        Assert.Equal("memberId: must be a string", error);
    }

    [Fact]
    public void EveryBrokenRuleIsListed()
    {
        var error = Error("""{"type": "foo", "occurredAt": "2026-11-23T08:39:16"}""");
        Assert.Contains("eventId: required", error, StringComparison.Ordinal);
        Assert.Contains("type: 'foo' is not one of register, purchase, refund", error, StringComparison.Ordinal);
        Assert.Contains("memberId: required", error, StringComparison.Ordinal);
        Assert.Contains("occurredAt: must be an ISO-8601 date-time with offset", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-23T08:39:16")]
    [InlineData("2026-11-23 08:39:16+08:00")]
    [InlineData("23/11/2026 08:39:16 +08:00")]
    [InlineData("2026-11-23")]
    public void OccurredAtWithoutOffsetOrNotIsoIsRefused(string occurredAt)
    {
        var json = Purchase.Replace("2026-11-23T08:39:16+08:00", occurredAt, StringComparison.Ordinal);
        Assert.StartsWith("occurredAt: must be an ISO-8601", Error(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-23T00:39:16Z")]
    [InlineData("2026-11-23T00:39:16.123Z")]
    [InlineData("2026-11-22T19:39:16-05:00")]
    [InlineData("2026-11-23T08:39+08:00")]
    public void OccurredAtIsoForms(string occurredAt)
    {
        var json = Purchase.Replace("2026-11-23T08:39:16+08:00", occurredAt, StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out _, out var error), error);
    }

    [Theory]
    [InlineData("2026-11-23T08:39:16.123456789+08:00", 1234568)]
    [InlineData("2026-11-23T08:39:16.12345678+08:00", 1234568)]
    [InlineData("2026-11-23T08:39:16.1234567+08:00", 1234567)]
    public void OccurredAtWithNanosecondsAsGoWritesItIsReadToTheTick(string occurredAt, long ticksIntoTheSecond)
    {
        // Go's time.RFC3339Nano, what json.Marshal writes for a time.Time: nine fractional digits.
        var json = Purchase.Replace("2026-11-23T08:39:16+08:00", occurredAt, StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out var evt, out var error), error);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 39, 16, TimeSpan.Zero).AddTicks(ticksIntoTheSecond), evt!.OccurredAt);
    }

    [Fact]
    public void OccurredAtWithTenFractionalDigitsIsRefused()
    {
        var json = Purchase.Replace("2026-11-23T08:39:16+08:00", "2026-11-23T08:39:16.1234567891+08:00", StringComparison.Ordinal);
        Assert.StartsWith("occurredAt: must be an ISO-8601", Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCurrencyDefaultsToCny()
    {
        var json = Purchase.Replace("\"currency\": \"CNY\",", string.Empty, StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out var evt, out _));
        Assert.Equal("CNY", evt!.Currency);
    }

    [Fact]
    public void QuotedAmountIsReadExactly()
    {
        var json = Purchase.Replace("268.50", "\"268.50\"", StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out var evt, out _));
        Assert.Equal(268.50m, evt!.Amount);
    }

    // "268,50" and " 268.50" were told only "must be a number", though quoted digits are accepted: say what is.
    [Theory]
    [InlineData("\"lots\"")]
    [InlineData("\"268,50\"")]
    [InlineData("\" 268.50\"")]
    public void NonNumericAmountIsNamedWithWhatIsAccepted(string amount)
    {
        var json = Purchase.Replace("268.50", amount, StringComparison.Ordinal);
        Assert.Equal("amount: must be a JSON number (268.50) or the same digits quoted (\"268.50\"): digits, one point for decimals, an optional leading minus; no spaces, thousands separators or decimal comma", Error(json));
    }

    [Fact]
    public void BadItemFieldIsNamedWithItsIndex()
    {
        var json = Purchase.Replace("\"quantity\": 2", "\"quantity\": 2.5", StringComparison.Ordinal);
        Assert.Equal("items[0].quantity: must be an integer", Error(json));
    }

    [Theory]
    [InlineData("20000")]
    [InlineData("3000000000")]
    [InlineData("99999999999999")]
    [InlineData("99999999999999999999999999999999")]
    [InlineData("-3000000000")]
    [InlineData("1e12")]
    [InlineData("1e29")]
    [InlineData("-1e29")]
    [InlineData("1e400")]
    public void AnIntegerQuantityPastTheBoundIsToldTheBoundWhateverItsSize(string quantity)
    {
        var json = Purchase.Replace("\"quantity\": 2", "\"quantity\": " + quantity, StringComparison.Ordinal);
        Assert.Equal("items[0].quantity: must be 0–10,000", Error(json));
    }

    [Fact]
    public void NestedPropertiesAreFlattenedWithDottedKeysAndScalarStrings()
    {
        const string json = """
            {"eventId": "e1", "type": "profile_update", "memberId": "M1", "occurredAt": "2026-11-23T08:00:00+08:00",
             "properties": {"consent": {"sms": false, "push": true}, "birthday": "1990-05-17", "level": 3,
                            "ratio": 1.50, "deep": {"a": {"b": "c"}}, "tags": ["x", "y"], "gone": null}}
            """;
        Assert.True(EventParser.TryParse(json, Now, out var evt, out var error), error);
        var p = evt!.Properties;
        Assert.Equal("false", p["consent.sms"]);
        Assert.Equal("true", p["consent.push"]);
        Assert.Equal("1990-05-17", p["birthday"]);
        Assert.Equal("3", p["level"]);
        Assert.Equal("1.50", p["ratio"]);
        Assert.Equal("c", p["deep.a.b"]);
        Assert.Equal("""["x", "y"]""", p["tags"]);
        Assert.False(p.ContainsKey("gone"));
        Assert.False(p.ContainsKey("consent"));
    }

    [Fact]
    public void PropertiesThatAreNotAnObjectAreNamed()
    {
        var json = Purchase.Replace("{\"campaignCode\": \"WINTER\"}", "\"WINTER\"", StringComparison.Ordinal);
        Assert.Equal("properties: must be an object", Error(json));
    }

    [Fact]
    public void UnknownFieldsAreIgnoredBecauseAdditionsAreAllowed()
    {
        var json = Purchase.Replace("\"storeId\"", "\"futureField\": {\"x\": 1}, \"storeId\"", StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out _, out var error), error);
    }

    [Fact]
    public void SerializerOutputParsesBackToTheSameEvent()
    {
        Assert.True(EventParser.TryParse(Purchase, Now, out var evt, out _));
        var json = EventSerializer.ToJson(evt!);
        Assert.Contains("\"memberId\":\"M000123\"", json, StringComparison.Ordinal);
        Assert.True(EventParser.TryParse(json, Now, out var again, out var error), error);
        Assert.Equal(evt!.EventId, again!.EventId);
        Assert.Equal(evt.OccurredAt, again.OccurredAt);
        Assert.Equal(evt.Amount, again.Amount);
        Assert.Equal(evt.Items, again.Items);
        Assert.Equal(evt.Properties, again.Properties);
    }

    [Fact]
    public void JsonElementOverloadServesArraysOfTheHttpApi()
    {
        using var doc = JsonDocument.Parse("[" + Purchase + ", {\"type\": \"login\"}]");
        var results = doc.RootElement.EnumerateArray().Select(e => EventParser.Parse(e, Now)).ToList();
        Assert.True(results[0].IsValid);
        Assert.False(results[1].IsValid);
        Assert.Contains(results[1].Errors, e => e.Field == "memberId" && e.Message == "required");
    }
}
