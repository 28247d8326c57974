using System.Text.Json;
using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

/// <summary>CONTRACT.md §1 money rules: amount decimals by the currency's minor unit; only configured currencies.</summary>
public sealed class MoneyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static readonly EventCurrencies WithUsdAndJpy = new("CNY", 2, new Dictionary<string, int> { ["USD"] = 2, ["JPY"] = 0 });

    private static EngagementEvent Purchase(decimal amount, string currency = "CNY") => new()
    {
        EventId = "e-1",
        Type = EventTypes.Purchase,
        MemberId = "M1",
        OccurredAt = Now.AddMinutes(-1),
        OrderId = "O-1",
        Amount = amount,
        Currency = currency,
    };

    private static string Json(string amount, string? currency = null) =>
        $$"""{"eventId":"e-1","type":"purchase","memberId":"M1","occurredAt":"2026-11-22T23:59:00Z","orderId":"O-1","amount":{{amount}}{{(currency is null ? "" : $",\"currency\":\"{currency}\"")}}}""";

    [Theory]
    [InlineData("28.999999999999996")]
    [InlineData("28.999")]
    [InlineData("0.001")]
    public void AmountWithMoreDecimalsThanFenIsRefusedNamingAmountOnTheQueueAndHttpPaths(string amount)
    {
        var fromText = EventParser.Parse(Json(amount), Now);
        using var document = JsonDocument.Parse(Json(amount));
        var fromElement = EventParser.Parse(document.RootElement, Now);

        foreach (var result in new[] { fromText, fromElement })
        {
            Assert.False(result.IsValid);
            var error = Assert.Single(result.Errors);
            Assert.Equal("amount", error.Field);
            Assert.Contains("more decimals than CNY allows (at most 2 decimals)", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("28.99")]
    [InlineData("28.990")]
    [InlineData("28")]
    [InlineData("\"268.50\"")]
    [InlineData("2.6850e2")]
    [InlineData("268.500000000000000000000000000000")]
    public void AmountWithinTheMinorUnitIsAccepted(string amount) => Assert.True(EventParser.Parse(Json(amount), Now).IsValid);

    [Theory]
    [InlineData("28.99999999999999999999999999999", "28.99999999999999999999999999999")]
    [InlineData("100.0000000000000000000000000001", "100.0000000000000000000000000001")]
    [InlineData("\"28.99999999999999999999999999999\"", "28.99999999999999999999999999999")]
    public void AmountWithMoreDigitsThanADecimalHoldsIsRefusedNotRounded(string amount, string echoed)
    {
        // .NET reads the first as 29 and the second as 100: both would pass the minor-unit check once rounded.
        var fromText = EventParser.Parse(Json(amount), Now);
        using var document = JsonDocument.Parse(Json(amount));
        var fromElement = EventParser.Parse(document.RootElement, Now);

        foreach (var result in new[] { fromText, fromElement })
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal("amount", error.Field);
            Assert.StartsWith(echoed + " has more digits than can be held exactly", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("100000000000000000000000000000000")]
    public void AmountTooLargeForADecimalIsNamedAsTooLargeNotAsNotANumber(string amount)
    {
        // A POS developer who sent a number was told "must be a number": the poison queue's reason must say what is wrong.
        var error = Assert.Single(EventParser.Parse(Json(amount), Now).Errors);

        Assert.Equal(("amount", amount + " is too large a number to hold; send the exact amount"), (error.Field, error.Message));
    }

    [Fact]
    public void RefundAmountFollowsTheSameRule()
    {
        var refund = Purchase(0.005m) with { Type = EventTypes.Refund };

        Assert.Equal("amount", Assert.Single(EventValidator.Validate(refund, Now)).Field);
    }

    [Fact]
    public void CurrencyOtherThanTheProgrammesIsRefusedNamingCurrencyByDefault()
    {
        var error = Assert.Single(EventValidator.Validate(Purchase(100m, "USD"), Now));

        Assert.Equal(("currency", "'USD' is not accepted: use CNY (ISO 4217, upper case)"), (error.Field, error.Message));
        Assert.Equal("currency", Assert.Single(EventParser.Parse(Json("100", "USD"), Now).Errors).Field);
    }

    [Theory]
    [InlineData("13800138000", "'###########' is not accepted")] // a phone number typed into the wrong field
    [InlineData("CNY\" ,\"amount\":1", "'CNY? ,?amount?:#' is not accepted")] // quotes and backslashes never reach a reason
    [InlineData("ABCD-EFGH-JKLM-NPQR", "'XXXX-XXXX-XXXX-XXXX' is not accepted")] // a coupon code, by its shape
    public void AnUnacceptedCurrencyIsEchoedMaskedAsAPoisonReasonShowsRefusedText(string currency, string echoed)
    {
        var error = Assert.Single(EventValidator.Validate(Purchase(100m, currency), Now));

        Assert.Equal("currency", error.Field);
        Assert.StartsWith(echoed, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnacceptedCurrencyOfAnyLengthIsEchoedAtMost24Characters()
    {
        var error = Assert.Single(EventValidator.Validate(Purchase(100m, new string('Q', 5_000)), Now));

        Assert.StartsWith("'" + new string('X', 24) + "…' is not accepted", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 120, error.Message);
    }

    [Fact]
    public void ConfiguredCurrencyIsAcceptedAndAnUnconfiguredOneStillRefused()
    {
        Assert.Empty(EventValidator.Validate(Purchase(100.25m, "USD"), Now, WithUsdAndJpy));
        Assert.True(EventParser.Parse(Json("100.25", "USD"), Now, WithUsdAndJpy).IsValid);

        var eur = Assert.Single(EventValidator.Validate(Purchase(100m, "EUR"), Now, WithUsdAndJpy));
        Assert.Equal(("currency", "'EUR' is not accepted: use CNY or JPY or USD (ISO 4217, upper case)"), (eur.Field, eur.Message));
        Assert.Equal("currency", Assert.Single(EventValidator.Validate(Purchase(100m, "usd"), Now, WithUsdAndJpy)).Field);
    }

    [Fact]
    public void DecimalsFollowTheEventsOwnCurrency()
    {
        var yen = Assert.Single(EventValidator.Validate(Purchase(1500.5m, "JPY"), Now, WithUsdAndJpy));

        Assert.Equal("amount", yen.Field);
        Assert.Contains("no decimals", yen.Message, StringComparison.Ordinal);
        Assert.Empty(EventValidator.Validate(Purchase(1500m, "JPY"), Now, WithUsdAndJpy));
    }

    [Theory]
    [InlineData("12.50000", "CNY", "12.50")]
    [InlineData("12.5", "CNY", "12.50")]
    [InlineData("\"12.500\"", "CNY", "12.50")]
    [InlineData("1.25e1", "CNY", "12.50")]
    [InlineData("12", "CNY", "12.00")]
    [InlineData("12500.000", "JPY", "12500")]
    [InlineData("99.9000", "USD", "99.90")]
    public void AnAmountIsReadAtItsCurrencysMinorUnitHoweverItsTextWasWritten(string amount, string currency, string read)
    {
        var fromText = EventParser.Parse(Json(amount, currency), Now, WithUsdAndJpy);
        using var document = JsonDocument.Parse(Json(amount, currency));
        var fromElement = EventParser.Parse(document.RootElement, Now, WithUsdAndJpy);

        foreach (var result in new[] { fromText, fromElement })
        {
            Assert.True(result.IsValid, result.ErrorMessage);
            Assert.Equal(read, result.Event!.Amount!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void TheSameAmountWrittenTwoWaysIsOneValueBitForBit()
    {
        var first = EventParser.Parse(Json("12.50000"), Now).Event!.Amount!.Value;
        var retry = EventParser.Parse(Json("12.5"), Now).Event!.Amount!.Value;

        Assert.Equal(decimal.GetBits(first), decimal.GetBits(retry));
    }

    [Theory]
    [InlineData("12.505")]
    [InlineData("12.50001")]
    [InlineData("12.5050")]
    public void AnAmountPastTheMinorUnitIsStillRefusedNotRoundedToIt(string amount)
    {
        var result = EventParser.Parse(Json(amount), Now);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("amount", error.Field);
        Assert.Contains(amount, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptedListsTheProgrammeCurrencyFirst() =>
        Assert.Equal(["CNY", "JPY", "USD"], WithUsdAndJpy.Accepted);
}
