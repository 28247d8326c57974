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
    public void APurchasesFingerprintAllocatesNothing()
    {
        // Every event the member applies is fingerprinted: hashed part by part from the stack, not as a joined string and
        // its UTF-8 bytes (about 100-200 bytes an event before; the rules bench's 3,281 -> 3,105 bytes per event).
        var purchase = Purchase(268.5m, "CNY");
        var print = EventIdWindow.Fingerprint(purchase, Options);

        var bytes = AllocationProbe.FewestBytes(() => EventIdWindow.Fingerprint(purchase, Options), enough: 0);

        Assert.Equal(0, bytes);
        Assert.Equal(print, EventIdWindow.Fingerprint(Purchase(268.50m, null), Options));
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

    private static MemberEvent Profile(string eventId, DateTimeOffset at, params (string Key, string Value)[] properties) =>
        new(eventId, MemberEventTypes.ProfileUpdate, at)
        {
            Properties = properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };

    [Fact]
    public void AProfileUpdateHasItsStoredValueWithItsPropertiesInOrdinalKeyOrder()
    {
        // FNV-1a 32 over "profile_update\u001f\u001f\u001fCNY\u001f\u001ebirthday\u001f1990-07-15\u001econsent.sms\u001ffalse"
        // is 462315871 (0x1B8E615F); 0x1B8E ^ 0x615F = 0x7AD1 (computed independently), whichever order the keys came in.
        var at = new DateTimeOffset(2026, 5, 1, 4, 0, 0, TimeSpan.Zero);
        Assert.Equal((ushort)31441, EventIdWindow.Fingerprint(Profile("e-1", at, ("birthday", "1990-07-15"), ("consent.sms", "false")), Options));
        Assert.Equal((ushort)31441, EventIdWindow.Fingerprint(Profile("e-1", at, ("consent.sms", "false"), ("birthday", "1990-07-15")), Options));
    }

    [Theory]
    [InlineData(MemberEventTypes.ProfileUpdate)]
    [InlineData(MemberEventTypes.Review)]
    public void AnEventIdReusedOnAProfileUpdateOrReviewWithOtherPropertiesIsRefusedNotDropped(string type)
    {
        // Before properties were part of the fingerprint, the second profile_update (another birthday) under the first's
        // eventId was answered duplicate and its change silently lost.
        var member = new TestMember();
        MemberEvent Event(params (string Key, string Value)[] properties) =>
            new("e-1", type, member.Now) { Properties = properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) };

        Assert.Equal(EventStatus.Applied, member.Apply(Event(("birthday", "1990-07-15"), ("tags", "vip"))).Status);
        Assert.Equal(EventStatus.Duplicate, member.Apply(Event(("tags", "vip"), ("birthday", "1990-07-15"))).Status);

        var reuse = member.Apply(Event(("birthday", "1991-01-01"), ("tags", "vip")));

        Assert.Equal(EventStatus.Rejected, reuse.Status);
        Assert.StartsWith("eventId: reused with a different event: e-1", reuse.Reason, StringComparison.Ordinal);
    }
}
