using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// EventIdWindow.Fingerprint is stored in member state: its value must not drift between versions, and it must see
/// through what a resend may write differently (amount spelling, a currency left out).
/// </summary>
public sealed class EventFingerprintTests
{
    private static readonly ProgramOptions Options = new();

    private static MemberEvent Purchase(decimal amount, string? currency) =>
        new("e-1", MemberEventTypes.Purchase, new DateTimeOffset(2026, 5, 1, 4, 0, 0, TimeSpan.Zero))
        {
            OrderId = "O-1", Amount = amount, Currency = currency, StoreId = "S001",
        };

    [Fact]
    public void APurchaseHasItsStoredValue()
    {
        // FNV-1a 32 over "purchase\u001fO-1\u001f100\u001fCNY\u001fS001" is 1022738202 (0x3CF5BF1A); its halves folded by
        // exclusive or, 0x3CF5 ^ 0xBF1A = 0x83EF (computed independently): a change here forgets every remembered reuse.
        Assert.Equal((ushort)33775, EventIdWindow.Fingerprint(Purchase(100m, "CNY"), Options));
    }

    [Fact]
    public void FiftyIsFiftyHowEverWritten()
    {
        var fifty = EventIdWindow.Fingerprint(Purchase(50m, "CNY"), Options);
        Assert.Equal(fifty, EventIdWindow.Fingerprint(Purchase(50.00m, "CNY"), Options));
        Assert.Equal(fifty, EventIdWindow.Fingerprint(Purchase(decimal.Parse("5E1", System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture), "CNY"), Options));
        Assert.NotEqual(fifty, EventIdWindow.Fingerprint(Purchase(50.01m, "CNY"), Options));
    }

    [Fact]
    public void NoCurrencyIsTheProgrammeCurrency()
    {
        var cny = EventIdWindow.Fingerprint(Purchase(100m, "CNY"), Options);
        Assert.Equal(cny, EventIdWindow.Fingerprint(Purchase(100m, null), Options));
        Assert.Equal(cny, EventIdWindow.Fingerprint(Purchase(100m, " "), Options));
        Assert.NotEqual(cny, EventIdWindow.Fingerprint(Purchase(100m, "HKD"), Options));

        // End to end: a purchase sent without currency, resent as "CNY", is a duplicate, not a reuse.
        var member = new TestMember();
        Assert.Equal(EventStatus.Applied, member.Apply(new MemberEvent("e-1", MemberEventTypes.Purchase, member.Now) { OrderId = "O-1", Amount = 100m }).Status);
        Assert.Equal(EventStatus.Duplicate, member.Apply(new MemberEvent("e-1", MemberEventTypes.Purchase, member.Now) { OrderId = "O-1", Amount = 100m, Currency = "CNY" }).Status);
    }
}
