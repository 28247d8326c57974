using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Orders;

/// <summary>CONTRACT.md §1 money rules, defended by the domain whatever the caller validated.</summary>
public class MoneyTests
{
    private static EventDecision Purchase(TestMember member, string orderId, decimal amount, string? currency) =>
        member.Apply(new MemberEvent(member.NextEventId(), MemberEventTypes.Purchase, member.Now) { OrderId = orderId, Amount = amount, Currency = currency });

    private static EventDecision Refund(TestMember member, string orderId, decimal amount, string? currency) =>
        member.Apply(new MemberEvent(member.NextEventId(), MemberEventTypes.Refund, member.Now) { OrderId = orderId, Amount = amount, Currency = currency });

    private static TestMember WithUsd(decimal rate)
    {
        var member = new TestMember();
        member.Options.Currencies["USD"] = new CurrencyRule { Rate = rate };
        return member;
    }

    [Fact]
    public void AmountWithMoreDecimalsThanFenIsRefusedNotFloored()
    {
        var member = new TestMember();

        var decision = member.Purchase("O-1", 28.999999999999996m);

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.StartsWith("amount: 28.999999999999996 has more than 2 decimals", decision.Reason, StringComparison.Ordinal);
        Assert.False(decision.StateChanged);
        Assert.Empty(member.State.Orders);
    }

    [Fact]
    public void UnconfiguredCurrencyIsRefusedNamingCurrency()
    {
        var member = new TestMember();

        var decision = Purchase(member, "O-1", 100m, "USD");

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.StartsWith("currency: 'USD' is not accepted; the programme currency is CNY", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(0, member.Balance);
    }

    [Theory]
    [InlineData("13800138000")] // a phone number typed into the wrong field
    [InlineData("ABCD-EFGH-JKLM-NPQR")] // a coupon code
    [InlineData("usd")]
    public void AnUnconfiguredCurrencyThatIsNoIsoCodeIsRefusedWithoutEchoingIt(string currency)
    {
        // An Orleans producer's event reaches the rules without the wire validator (which masks what it quotes): the
        // reason goes to the poison queue and the logs, so it names the field and the value's length, never the value.
        var member = new TestMember();

        var decision = Purchase(member, "O-1", 100m, currency);

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.StartsWith(
            $"currency: a value of {currency.Length} characters that is no 3-letter ISO 4217 code (not shown) is not accepted; the programme currency is CNY",
            decision.Reason,
            StringComparison.Ordinal);
        Assert.DoesNotContain(currency, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfiguredCurrencyIsConvertedAtItsRateAndTheLedgerShowsTheOriginal()
    {
        var member = WithUsd(7.1m);

        var decision = Purchase(member, "O-1", 100.00m, "USD");

        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Equal(1_420, member.Balance);
        Assert.Equal(710, member.Growth);
        var earn = decision.NewEntries.First(e => e.Kind == LedgerKinds.Points);
        Assert.Contains("purchase O-1 of 100.00 USD at 7.1 = 710.00 CNY", earn.Reason, StringComparison.Ordinal);
        Assert.Equal(710.00m, member.State.Orders[0].Amount);
    }

    [Fact]
    public void AnAmountSentWithTrailingZerosIsStoredAtTheFenAndItsRetryIsTheSameEvent()
    {
        var member = new TestMember();
        var purchase = new MemberEvent("e-zeros", MemberEventTypes.Purchase, member.Now) { OrderId = "O-1", Amount = 12.50000m };

        var first = member.Apply(purchase);
        var retry = member.Apply(purchase with { Amount = 12.5m });

        Assert.Equal(EventStatus.Applied, first.Status);
        Assert.Equal(EventStatus.Duplicate, retry.Status);
        Assert.Equal("12.50", Assert.Single(member.State.Orders).Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(12, member.Growth);
    }

    [Fact]
    public void AForeignAmountSentWithTrailingZerosIsStoredAndShownAtItsMinorUnit()
    {
        var member = WithUsd(7.1m);

        var decision = Purchase(member, "O-1", 100.5000m, "USD");
        var refundHeld = Refund(member, "O-2", 3.000m, null);

        Assert.Equal(EventStatus.Applied, decision.Status);
        var earn = decision.NewEntries.First(e => e.Kind == LedgerKinds.Points);
        Assert.Contains("purchase O-1 of 100.50 USD at 7.1 = 713.55 CNY", earn.Reason, StringComparison.Ordinal);
        var order = Assert.Single(member.State.Orders);
        Assert.Equal("100.50", order.Foreign!.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("713.55", order.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(EventStatus.Held, refundHeld.Status);
        Assert.Equal("3.00", Assert.Single(member.State.HeldRefunds).Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("12.5", 2, "12.50")]
    [InlineData("12.50000", 2, "12.50")]
    [InlineData("12", 2, "12.00")]
    [InlineData("12500.000", 0, "12500")]
    [InlineData("0.005", 2, "0.01")]
    public void AtMinorUnitWritesExactlyThatManyDecimals(string amount, int decimals, string shown) =>
        Assert.Equal(shown, Money.AtMinorUnit(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), decimals)
            .ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(10.01, 7.125, 71.32)]
    [InlineData(1.00, 0.125, 0.13)]
    [InlineData(1.00, 0.135, 0.14)]
    [InlineData(3.33, 6.9876, 23.27)]
    public void ConversionRoundsHalfAwayFromZeroToTheFen(double amount, double rate, double expected) =>
        Assert.Equal((decimal)expected, Money.Convert((decimal)amount, (decimal)rate, new ProgramOptions()));

    [Fact]
    public void RefundsInTheOrdersCurrencyUseItsRateAndPartsAddUpToTheWhole()
    {
        var member = WithUsd(7.125m);
        Purchase(member, "O-1", 0.03m, "USD");
        Assert.Equal(0.21m, member.State.Orders[0].Amount);

        member.Options.Currencies["USD"].Rate = 9m;
        Assert.Equal(EventStatus.Applied, Refund(member, "O-1", 0.01m, "USD").Status);
        Assert.Equal(EventStatus.Applied, Refund(member, "O-1", 0.01m, "USD").Status);
        var last = Refund(member, "O-1", 0.01m, "USD");

        Assert.Equal(EventStatus.Applied, last.Status);
        var order = member.State.Orders[0];
        Assert.Equal((0.21m, 0.03m), (order.Refunded, order.Foreign!.Refunded));
        Assert.True(order.FullyRefunded);
        Assert.Equal(EventStatus.Rejected, Refund(member, "O-1", 0.01m, "USD").Status);
    }

    [Fact]
    public void RefundInAnotherCurrencyThanTheOrdersIsRefusedNamingCurrency()
    {
        var member = WithUsd(7m);
        Purchase(member, "O-1", 100m, "USD");

        var decision = Refund(member, "O-1", 700m, null);

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.StartsWith("currency: refund in CNY of order O-1, which was paid in USD", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertedPurchaseAboveTheLimitIsRefused()
    {
        var member = WithUsd(7m);

        var decision = Purchase(member, "O-1", 2_000_000m, "USD");

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.StartsWith("amount:", decision.Reason, StringComparison.Ordinal);
        Assert.Empty(member.State.Orders);
    }

    [Fact]
    public void ForeignOrderRoundTripsThroughStateJson()
    {
        var member = WithUsd(7.1m);
        Purchase(member, "O-1", 100.00m, "USD");
        Refund(member, "O-1", 10.00m, "USD");
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var json = JsonSerializer.Serialize(member.State, web);
        var back = JsonSerializer.Deserialize<MemberState>(json, web)!;

        var foreign = back.Orders[0].Foreign!;
        Assert.Equal(("USD", 100.00m, 7.1m, 10.00m), (foreign.Currency, foreign.Amount, foreign.Rate, foreign.Refunded));
        Assert.Equal(json, JsonSerializer.Serialize(back, web));
    }

    [Theory]
    [InlineData("USD", 0)]
    [InlineData("USD", -1)]
    [InlineData("USD", 100_001)]
    [InlineData("usd", 7)]
    [InlineData("CNY", 1)]
    public void CurrencyRatesAreValidatedAtStart(string code, double rate)
    {
        var options = new ProgramOptions();
        options.Currencies[code] = new CurrencyRule { Rate = (decimal)rate };

        Assert.Contains(options.Validate(), e => e.StartsWith($"Currencies:{code}", StringComparison.Ordinal));
    }
}
