using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

/// <summary>Every string and list of the envelope has a bound (EventBounds; the field table of docs/publishing-events.md), counted in code points.</summary>
public sealed class EventBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static EngagementEvent Purchase() => new()
    {
        EventId = "e-1",
        Type = EventTypes.Purchase,
        MemberId = "M1",
        OccurredAt = Now.AddMinutes(-1),
        OrderId = "O-1",
        Amount = 10m,
    };

    private static IReadOnlyList<EventValidationError> Errors(EngagementEvent e) => EventValidator.Validate(e, Now);

    private static void AssertOnly(EngagementEvent e, string field, string message)
    {
        var error = Assert.Single(Errors(e));
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
    }

    private static string Han(int count) => string.Concat(Enumerable.Repeat("会", count));

    // 😀 is two UTF-16 units and one code point.
    private static string Emoji(int count) => string.Concat(Enumerable.Repeat("😀", count));

    [Fact]
    public void OrderIdOfSixtyThousandCharactersIsRefusedNamingIt() =>
        AssertOnly(Purchase() with { OrderId = new string('o', 60_001) }, "orderId", "must be 1–128 characters");

    [Fact]
    public void OrderIdOf128CodePointsIsTheLimitEvenWhenEachIsTwoUtf16Units()
    {
        Assert.Empty(Errors(Purchase() with { OrderId = Emoji(128) }));
        AssertOnly(Purchase() with { OrderId = Emoji(129) }, "orderId", "must be 1–128 characters");
    }

    [Fact]
    public void EventIdCountsCodePointsNotUtf16Units()
    {
        Assert.Empty(Errors(Purchase() with { EventId = Emoji(128) }));
        AssertOnly(Purchase() with { EventId = Emoji(129) }, "eventId", "must be 1–128 characters");
    }

    [Theory]
    [InlineData("storeId", 64)]
    [InlineData("regionId", 64)]
    [InlineData("channel", 32)]
    public void OptionalIdsHaveTheirLimit(string field, int max)
    {
        EngagementEvent With(string value) => field switch
        {
            "storeId" => Purchase() with { StoreId = value },
            "regionId" => Purchase() with { RegionId = value },
            _ => Purchase() with { Channel = value },
        };

        Assert.Empty(Errors(With(Han(max))));
        Assert.Empty(Errors(With(string.Empty)));
        AssertOnly(With(Han(max + 1)), field, $"at most {max} characters");
    }

    [Fact]
    public void ItemsAreBoundedInCountAndEveryField()
    {
        var line = new EventItem { Sku = "SKU-1", Category = "skincare", Quantity = 2, UnitPrice = 134.25m };
        Assert.Empty(Errors(Purchase() with { Items = Enumerable.Repeat(line, 100).ToList() }));
        AssertOnly(Purchase() with { Items = Enumerable.Repeat(line, 101).ToList() }, "items", "at most 100 lines");

        AssertOnly(Purchase() with { Items = [line with { Sku = Han(65) }] }, "items[0].sku", "at most 64 characters");
        AssertOnly(Purchase() with { Items = [line, line with { Category = Han(65) }] }, "items[1].category", "at most 64 characters");
        AssertOnly(Purchase() with { Items = [line with { Quantity = -1 }] }, "items[0].quantity", "must be 0–10,000");
        AssertOnly(Purchase() with { Items = [line with { Quantity = 10_001 }] }, "items[0].quantity", "must be 0–10,000");
        AssertOnly(Purchase() with { Items = [line with { UnitPrice = -0.01m }] }, "items[0].unitPrice", "must be 0–10,000,000");
        AssertOnly(Purchase() with { Items = [line with { UnitPrice = 10_000_000.01m }] }, "items[0].unitPrice", "must be 0–10,000,000");
        Assert.Empty(Errors(Purchase() with { Items = [line with { Quantity = 10_000, UnitPrice = 10_000_000m, Sku = Han(64) }] }));
    }

    [Fact]
    public void PropertiesAreBoundedInCountKeyAndValue()
    {
        static Dictionary<string, string> Many(int n) => Enumerable.Range(0, n).ToDictionary(i => $"k{i}", _ => "v");

        Assert.Empty(Errors(Purchase() with { Properties = Many(32) }));
        AssertOnly(Purchase() with { Properties = Many(33) }, "properties", "at most 32 keys (nested keys counted one by one)");
        Assert.Empty(Errors(Purchase() with { Properties = new Dictionary<string, string> { [Han(64)] = Han(512) } }));
        AssertOnly(
            Purchase() with { Properties = new Dictionary<string, string> { ["campaignCode"] = Han(513) } },
            "properties.campaignCode",
            "at most 512 characters");
        var longKey = Purchase() with { Properties = new Dictionary<string, string> { [new string('k', 5000)] = "v" } };
        var error = Assert.Single(Errors(longKey));
        Assert.Equal("properties", error.Field);
        Assert.True(error.Message.Length < 100, "the message quotes at most 40 characters of the key: " + error.Message);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void MemberIdDotAndDotDotAreRefusedBecauseNoUrlCanReachThem(string memberId) =>
        AssertOnly(Purchase() with { MemberId = memberId }, "memberId", EventValidator.MemberIdRule);

    [Theory]
    [InlineData("...")]
    [InlineData(".a")]
    [InlineData("a..b")]
    public void MemberIdWithDotsThatIsNotDotOrDotDotIsFine(string memberId) =>
        Assert.Empty(Errors(Purchase() with { MemberId = memberId }));

    [Fact]
    public void OccurredAt365DaysAgoIsTheOldestAccepted()
    {
        Assert.Empty(Errors(Purchase() with { OccurredAt = Now.AddDays(-365) }));
        AssertOnly(Purchase() with { OccurredAt = Now.AddDays(-365).AddTicks(-1) }, "occurredAt", "more than 365 days in the past");
    }

    [Fact]
    public void AnUnknownTypeOfAnyLengthIsQuotedAtMost24CharactersMaskedAsACode()
    {
        var error = Assert.Single(Errors(Purchase() with { Type = new string('t', 60_000) }));
        Assert.Equal("type", error.Field);
        Assert.StartsWith("'" + new string('x', 24) + "…' is not one of", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CouponsAreBoundedInCountAndLength()
    {
        var errors = new List<EventValidationError>();
        EventValidator.ValidateCoupons([.. Enumerable.Repeat("C1", 20)], errors);
        Assert.Empty(errors);

        EventValidator.ValidateCoupons([.. Enumerable.Repeat("C1", 21)], errors);
        Assert.Equal(new EventValidationError("coupons", "at most 20 codes"), Assert.Single(errors));

        errors.Clear();
        EventValidator.ValidateCoupons(["ok", Han(65), ""], errors);
        Assert.Equal(["coupons[1]", "coupons[2]"], errors.Select(e => e.Field));
    }

    [Fact]
    public void MemberRefNeedsAKnownTypeAndABoundedValue()
    {
        var errors = new List<EventValidationError>();
        EventValidator.ValidateMemberRef("phone", "+8613800000000", errors);
        Assert.Empty(errors);

        EventValidator.ValidateMemberRef("email", Han(129), errors);
        Assert.Equal(["memberRef.type", "memberRef.value"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 3)]
    [InlineData("会员", 2)]
    [InlineData("😀😀", 2)]
    [InlineData("a😀b", 3)]
    public void CodePointsCountSurrogatePairsOnce(string text, int expected) => Assert.Equal(expected, EventBounds.CodePoints(text));
}
