using System.Text;
using System.Text.Json;
using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

/// <summary>Input that is not well-formed text or JSON comes back as errors naming the field; the parser never throws.</summary>
public sealed partial class EventParserMalformedInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 40, 0, TimeSpan.FromHours(8));

    private const string Login = """{"eventId": "s-1", "type": "login", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00"}""";

    private static string Error(string text)
    {
        var result = EventParser.Parse(text, Now);
        Assert.False(result.IsValid);
        return result.ErrorMessage!;
    }

    // The parser trims the whitespace before a message's '{' and counted lines and bytes from there: "\n\n  {bad" was
    // told line 1. The line and byte are those of the message as sent (an editor's, counted from 1).
    [Theory]
    [InlineData("\n\n  ", """{"eventId" 1}""", 3, 2)]
    [InlineData("\r\n\t", """{"eventId" 1}""", 2, 1)]
    [InlineData(" \n \n", "{\n \"eventId\" 1}", 4, 0)] // the bad line is the JSON's second: its bytes need no shift
    [InlineData("   ", """{"eventId" 1}""", 1, 3)]
    public void MalformedJsonAfterLeadingWhitespaceIsToldAtItsLineAndByteInTheMessageAsSent(string lead, string json, int line, int shift)
    {
        var alone = Error(json);
        var at = Position().Match(alone);
        Assert.True(at.Success, alone);
        var expected = $"body: malformed JSON (line {line}, byte {int.Parse(at.Groups["byte"].Value, System.Globalization.CultureInfo.InvariantCulture) + shift},";

        Assert.StartsWith(expected, Error(lead + json), StringComparison.Ordinal);
        var queued = EventParser.ParseMessage(Encoding.UTF8.GetBytes(lead + json), Now);
        Assert.StartsWith(expected, queued.Error?.ToString(), StringComparison.Ordinal);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^body: malformed JSON \(line \d+, byte (?<byte>\d+),")]
    private static partial System.Text.RegularExpressions.Regex Position();

    [Fact]
    public void LoneSurrogateEscapeInEventIdIsNamedNotThrown() =>
        Assert.Equal(
            @"eventId: is not valid Unicode text (a lone surrogate escape such as \ud800)",
            Error(Login.Replace("\"s-1\"", "\"s-\\ud800\"", StringComparison.Ordinal)));

    [Fact]
    public void LoneLowSurrogateInASkuIsNamedWithItsIndex() =>
        Assert.StartsWith(
            "items[0].sku: is not valid Unicode text",
            Error(Login.Replace("}", ", \"items\": [{\"sku\": \"\\udc00x\"}]}", StringComparison.Ordinal)),
            StringComparison.Ordinal);

    [Fact]
    public void LoneSurrogateInAPropertyKeyOrValueIsNamed()
    {
        Assert.StartsWith(
            "properties.note: is not valid Unicode text",
            Error(Login.Replace("}", ", \"properties\": {\"note\": \"a\\ud83d\"}}", StringComparison.Ordinal)),
            StringComparison.Ordinal);
        Assert.StartsWith(
            "properties: a key is not valid Unicode text",
            Error(Login.Replace("}", ", \"properties\": {\"\\ud83d\": \"x\"}}", StringComparison.Ordinal)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void AStringHoldingALoneSurrogateCharIsRefusedAsBody()
    {
        var text = Login.Replace("s-1", "s-" + '\ud800', StringComparison.Ordinal);
        Assert.StartsWith("body: ", Error(text), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEscapedSurrogatePairIsOneCharacterAndFine()
    {
        var result = EventParser.Parse(Login.Replace("\"s-1\"", "\"s-\\ud83d\\ude00\"", StringComparison.Ordinal), Now);
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal("s-😀", result.Event!.EventId);
    }

    [Fact]
    public void InvalidUtf8BytesAreRefusedWithTheirPosition()
    {
        var bytes = Encoding.UTF8.GetBytes(Login.Replace("s-1", "s-@", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)'@');
        bytes[at] = 0xFF;

        var result = EventParser.Parse(bytes, Now);

        Assert.Equal($"body: not valid UTF-8 text (byte {at + 1}); send UTF-8", result.ErrorMessage);
    }

    [Fact]
    public void Utf8BytesWithAByteOrderMarkAreAccepted()
    {
        var bytes = Encoding.UTF8.Preamble.ToArray().Concat(Encoding.UTF8.GetBytes(Login)).ToArray();
        Assert.True(EventParser.Parse(bytes, Now).IsValid);
    }

    [Fact]
    public void Base64OfGbkTextIsRefusedAsNotUtf8()
    {
        // A POS that encodes its JSON in GBK before base64: 会 is 0xBB 0xE1 in GBK, invalid as UTF-8.
        var gbk = Encoding.ASCII.GetBytes(Login.Replace("s-1", "s-__", StringComparison.Ordinal));
        var at = Array.IndexOf(gbk, (byte)'_');
        gbk[at] = 0xBB;
        gbk[at + 1] = 0xE1;

        Assert.StartsWith("body: base64 of bytes that are not UTF-8 text", Error(Convert.ToBase64String(gbk)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eyJldmVudElkIjo", "xxXxxxXxxXxxXxx")] // a word of 15 letters reads as a code: its shape only
    [InlineData("%%%%", "%%%%")]
    public void BadBase64IsRefusedAsBody(string text, string shown) =>
        Assert.Equal($"body: neither a JSON object nor base64-encoded JSON (the text starts \"{shown}\")", Error(text));

    [Theory]
    [InlineData("hello123", "xxxxx###")] // decodes as base64 to bytes that are not UTF-8
    [InlineData("aGVsbG8=", "xXXxxX#=")] // base64 of "hello"
    [InlineData("积分 \"x\"\\\u0001\u202E 1234567890123456789", "积分 ?x???? ##############…")]
    public void TextThatIsNeitherJsonNorBase64OfJsonIsSaidSoWithABoundedSafePrefix(string text, string shown) =>
        Assert.Equal($"body: neither a JSON object nor base64-encoded JSON (the text starts \"{shown}\")", Error(text));

    [Theory]
    // Before: "phone 13800138000 code K…" and "code K7Q2X9LMP4R8T3WZ te…", the phone and the code in the reason.
    [InlineData("phone 13800138000 code K7Q2X9LMP4R8T3WZ", "phone ########### code X…")]
    [InlineData("code K7Q2X9LMP4R8T3WZ tel 13800138000", "code X#X#X#XXX#X#X#XX te…")]
    [InlineData("coupon ABCDEFGHJKLMNPQR", "coupon XXXXXXXXXXXXXXXX")] // a code of letters only: by its length
    [InlineData("手机 １３８００１３８０００", "手机 ###########")] // full-width digits are digits
    // Before: each 4-letter group passed as a short word, so "code ABCD-EFGH-JKLM-NPQR" showed the whole code.
    [InlineData("code ABCD-EFGH-JKLM-NPQR", "code XXXX-XXXX-XXXX-XXXX")]
    [InlineData("code abcd efgh jkmn pqrs", "code xxxx xxxx xxxx xxxx")]
    [InlineData("order paid ABCD-EFGH-JKLM-NPQR", "order paid XXXX-XXXX-XXX…")] // measured whole past the cut
    public void ARefusedTextsPrefixNeverShowsAPhoneNumberOrACouponCode(string text, string shown)
    {
        var reason = Error(text);

        Assert.Equal($"body: neither a JSON object nor base64-encoded JSON (the text starts \"{shown}\")", reason);
        Assert.DoesNotContain("138", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("K7Q2", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("EFGH", reason, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<byte[], string> WideJson() => new()
    {
        { [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Login)], "UTF-16 (little-endian, with a byte-order mark)" },
        { [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Login)], "UTF-16 (big-endian, with a byte-order mark)" },
        { Encoding.Unicode.GetBytes(Login), "UTF-16 (little-endian)" },
        { [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(Login)], "UTF-32 (little-endian, with a byte-order mark)" },
        // Pretty-printed JSON without a byte-order mark, starting with whitespace (before: "neither a JSON object nor base64").
        { Encoding.Unicode.GetBytes("\r\n  " + Login), "UTF-16 (little-endian)" },
        { Encoding.BigEndianUnicode.GetBytes("\n\t" + Login), "UTF-16 (big-endian)" },
        { Encoding.UTF32.GetBytes(" \n" + Login), "UTF-32 (little-endian)" },
        { new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetBytes("\n[" + Login + "]"), "UTF-32 (big-endian)" },
    };

    [Theory]
    [MemberData(nameof(WideJson))]
    public void Base64OfUtf16OrUtf32JsonIsRefusedNamingTheEncoding(byte[] bytes, string encoding) =>
        // Before: "neither a JSON object nor base64-encoded JSON", or malformed JSON for UTF-16 without a byte-order mark.
        Assert.Equal(
            $"body: base64 of {encoding} text; only UTF-8 is accepted (CONTRACT.md §1): encode the JSON as UTF-8",
            Error(Convert.ToBase64String(bytes)));

    [Fact]
    public void AnEventOver64KbInsideAnHttpArrayIsRefusedByItself()
    {
        var big = Login.Replace("}", ", \"filler\": \"" + new string('x', 65 * 1024) + "\"}", StringComparison.Ordinal);
        using var doc = JsonDocument.Parse("[" + Login + "," + big + "]");
        var results = doc.RootElement.EnumerateArray().Select(e => EventParser.Parse(e, Now)).ToList();

        Assert.True(results[0].IsValid);
        Assert.Equal("body: larger than 64 KB (one event's limit, the queue's own)", results[1].ErrorMessage);
    }

    [Fact]
    public void OrderIdOfSixtyThousandCharactersInJsonIsRefusedNamingIt()
    {
        var json = $$"""{"eventId": "p-1", "type": "purchase", "memberId": "M1", "occurredAt": "2026-11-23T08:39:16+08:00", "orderId": "{{new string('o', 60_001)}}", "amount": 10}""";
        Assert.Equal("orderId: must be 1–128 characters", Error(json));
    }

    [Fact]
    public void CouponsAndMemberRefAreBoundedWhenPresent()
    {
        // Coupons are purchase only (CONTRACT.md §1): the bounds are read on any type, the codes kept on a purchase.
        var purchase = Login.Replace("\"login\"", "\"purchase\", \"orderId\": \"O-1\", \"amount\": 10", StringComparison.Ordinal);
        var ok = purchase.Replace("}", ", \"coupons\": [\"C-1\"], \"memberRef\": {\"type\": \"phone\", \"value\": \"13800000000\"}}", StringComparison.Ordinal);
        Assert.True(EventParser.Parse(ok, Now).IsValid);

        var coupons = string.Join(",", Enumerable.Repeat("\"C\"", 21));
        Assert.Equal("coupons: at most 20 codes", Error(Login.Replace("}", $", \"coupons\": [{coupons}]}}", StringComparison.Ordinal)));
        Assert.Equal("coupons[0]: must be a string", Error(Login.Replace("}", ", \"coupons\": [1]}", StringComparison.Ordinal)));
        Assert.Equal(
            "memberRef.type: must be phone, unionId, openId or card; memberRef.value: must be 1–128 characters",
            Error(Login.Replace("}", ", \"memberRef\": {\"type\": \"email\"}}", StringComparison.Ordinal)));
    }

    [Fact]
    public void ItemsOverTheLimitAreRefusedWithoutReadingThemAll()
    {
        var lines = string.Join(",", Enumerable.Repeat("{\"sku\": \"S\"}", 101));
        Assert.Equal("items: at most 100 lines", Error(Login.Replace("}", $", \"items\": [{lines}]}}", StringComparison.Ordinal)));
    }

    [Fact]
    public void NoMutationOfAValidMessageMakesTheParserThrow()
    {
        // Fixed seed: the same 3,000 mutants every run (flipped bytes, cut text, injected escapes and quotes).
        var random = new Random(20261123);
        var source = Encoding.UTF8.GetBytes(Login.Replace("}", ", \"items\": [{\"sku\": \"会\"}], \"properties\": {\"a\": {\"b\": 1}}}", StringComparison.Ordinal));
        string[] injections = ["\\ud800", "\\udfff", "\"", "\\", "{", "[", "\u0000", "\\u0000", "😀"];
        for (var i = 0; i < 3000; i++)
        {
            var mutant = (byte[])source.Clone();
            switch (i % 3)
            {
                case 0:
                    mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    mutant = mutant[..random.Next(mutant.Length)];
                    break;
                default:
                    var at = random.Next(mutant.Length);
                    mutant = [.. mutant[..at], .. Encoding.UTF8.GetBytes(injections[random.Next(injections.Length)]), .. mutant[at..]];
                    break;
            }

            var result = EventParser.Parse(mutant, Now);
            Assert.True(result.IsValid || result.Errors.Count > 0);
        }
    }
}
