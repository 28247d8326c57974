using System.Text;
using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

/// <summary>A queue message holds one event or a batch of up to 100 (CONTRACT.md §1); each event of a batch stands alone.</summary>
public sealed class EventMessageParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 40, 0, TimeSpan.FromHours(8));

    private static string Login(string eventId) =>
        $$"""{"eventId": "{{eventId}}", "type": "login", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00"}""";

    private static MessageParseResult Parse(string text) => EventParser.ParseMessage(Encoding.UTF8.GetBytes(text), Now);

    [Fact]
    public void OneObjectIsOneEventNotABatch()
    {
        var result = Parse(Login("e1"));

        Assert.Null(result.Error);
        Assert.False(result.IsBatch);
        Assert.Equal("e1", Assert.Single(result.Events).Result.Event!.EventId);
    }

    [Fact]
    public void EachEventOfABatchIsValidatedOnItsOwnWithItsIndexAndText()
    {
        var bad = """{"eventId": "e2", "type": "login", "occurredAt": "2026-11-23T08:39:16+08:00"}""";
        var result = Parse($"[{Login("e1")}, {bad}, {Login("e3")}]");

        Assert.Null(result.Error);
        Assert.True(result.IsBatch);
        Assert.Equal([0, 1, 2], result.Events.Select(e => e.Index));
        Assert.Equal(["e1", null, "e3"], result.Events.Select(e => e.Result.Event?.EventId));
        Assert.Equal("memberId: required", result.Events[1].Result.ErrorMessage);
        Assert.Equal(bad, result.Events[1].Text);
    }

    // {"amount":1,"amount":5000} was applied as 5,000 CNY (the last value won, silently): a key given twice is refused
    // naming it, at any depth and however it is escaped, and only that event goes to the poison queue.
    [Fact]
    public void AKeyGivenTwiceRefusesItsEventAloneNamingTheField()
    {
        const string Head = """{"eventId": "h-8", "type": "purchase", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00", "orderId": "O-8", """;
        var result = Parse($$"""[{{Login("e1")}}, {{Head}}"amount": 1, "amount": 5000}, {{Head}}"amount": 1, "items": [{"quantity": 1, "quantity": 2}]}, {{Head}}"amount": 1, "amou\u006et": 2}]""");

        Assert.Null(result.Error);
        Assert.Equal(["e1", null, null, null], result.Events.Select(e => e.Result.Event?.EventId));
        Assert.Equal("amount: " + EventParser.GivenTwice, result.Events[1].Result.ErrorMessage);
        Assert.Equal("items[0].quantity: " + EventParser.GivenTwice, result.Events[2].Result.ErrorMessage);
        Assert.Equal("amount: " + EventParser.GivenTwice, result.Events[3].Result.ErrorMessage);
        Assert.StartsWith("amount: given twice", EventParser.Parse(Head + "\"amount\": 1, \"amount\": 5000}", Now).ErrorMessage, StringComparison.Ordinal);
    }

    // The repeated key is the producer's text: its name is cut and masked in the reason as an echoed value is, so a
    // 10,000-character key (or one holding a phone number) never travels whole into the poison reason and the logs.
    [Fact]
    public void ARepeatedKeyOfAnyLengthIsNamedMaskedAndCut()
    {
        const string Head = """{"eventId": "h-9", "type": "purchase", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00", "orderId": "O-9", "amount": 1, """;
        var key = "tel13800138000" + new string('k', 10_000);

        var error = EventParser.Parse($$$"""{{{Head}}}"properties": {"{{{key}}}": "a", "{{{key}}}": "b"}}""", Now).ErrorMessage;

        Assert.Equal("properties." + "xxx###########xxxxxxxxxx…: " + EventParser.GivenTwice, error);
    }

    // A key that is an identifier (preferredLanguage, 17 letters) is named as sent, not masked to x's; two different keys
    // each given twice are two errors, also when both are masked (the same masked text once collapsed them into one).
    [Fact]
    public void ARepeatedIdentifierKeyIsNamedAsSentAndTwoRepeatedKeysAreTwoErrors()
    {
        const string Head = """{"eventId": "h-10", "type": "purchase", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00", "orderId": "O-10", "amount": 1, """;
        var first = "tel13800138000" + new string('a', 60); // 74 characters: over 64, masked
        var second = "tel13800138000" + new string('b', 60);

        var identifier = EventParser.Parse(Head + "\"properties\": {\"preferredLanguage\": \"zh\", \"preferredLanguage\": \"en\"}}", Now).ErrorMessage;
        var masked = EventParser.Parse($$$"""{{{Head}}}"properties": {"{{{first}}}": 1, "{{{second}}}": 2, "{{{first}}}": 3, "{{{second}}}": 4}}""", Now).ErrorMessage;

        Assert.Equal("properties.preferredLanguage: " + EventParser.GivenTwice, identifier);
        Assert.Equal(2, masked!.Split("properties.xxx###########xxxxxxxxxx…: " + EventParser.GivenTwice).Length - 1);
    }

    // An identifier key that holds a phone number (tel13800138000, 14 characters) is still masked; a year in a key is not.
    [Fact]
    public void ARepeatedKeyHoldingALongDigitRunIsMaskedAndAYearIsNot()
    {
        const string Head = """{"eventId": "h-11", "type": "purchase", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00", "orderId": "O-11", "amount": 1, """;

        var phone = EventParser.Parse(Head + "\"properties\": {\"tel13800138000\": 1, \"tel13800138000\": 2}}", Now).ErrorMessage;
        var year = EventParser.Parse(Head + "\"properties\": {\"promo2026\": 1, \"promo2026\": 2}}", Now).ErrorMessage;

        Assert.DoesNotContain("13800138000", phone, StringComparison.Ordinal);
        Assert.EndsWith(": " + EventParser.GivenTwice, phone, StringComparison.Ordinal);
        Assert.Equal("properties.promo2026: " + EventParser.GivenTwice, year);
    }

    [Fact]
    public void ABatchMayBeBase64Too()
    {
        var text = Convert.ToBase64String(Encoding.UTF8.GetBytes($"[{Login("e1")}, {Login("e2")}]"));
        Assert.Equal(["e1", "e2"], Parse(text).Events.Select(e => e.Result.Event!.EventId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void AnArrayOfNoneOrOverAHundredEventsIsRefusedWhole(int count)
    {
        var result = Parse("[" + string.Join(",", Enumerable.Range(0, count).Select(i => Login($"e{i}"))) + "]");

        Assert.Equal(new EventValidationError("body", $"an array holds 1 to 100 events, not {count}"), result.Error);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void AHundredEventsAreTheLimit() =>
        Assert.Equal(100, Parse("[" + string.Join(",", Enumerable.Range(0, 100).Select(i => Login($"e{i}"))) + "]").Events.Count(e => e.Result.IsValid));

    [Fact]
    public void AnElementThatIsNotAnObjectIsRefusedAlone()
    {
        var result = Parse($"[{Login("e1")}, 42, \"x\"]");

        Assert.True(result.Events[0].Result.IsValid);
        Assert.Equal("body: must be a JSON object", result.Events[1].Result.ErrorMessage);
        Assert.Equal("42", result.Events[1].Text);
    }

    [Fact]
    public void AMessageThatCannotBeReadIsRefusedWhole()
    {
        Assert.Equal("body", Parse("[{\"eventId\": ").Error?.Field);
        Assert.StartsWith("not valid UTF-8", EventParser.ParseMessage([(byte)'[', 0xFF, (byte)']'], Now).Error?.Message, StringComparison.Ordinal);
    }
}
