using Engagement.Domain.Offers;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

public class CouponCodeTests
{
    [Fact]
    public void ARetriedGrantIssuesTheSameCode()
    {
        var first = new CouponCodes(Secret).CodeFor("M1", "winback:L1:2026-11-23");
        var again = new CouponCodes(Secret).CodeFor("M1", "winback:L1:2026-11-23");

        Assert.Equal(first, again);
        Assert.Equal(CouponCodes.Length, first.Length);
        Assert.All(first, c => Assert.Contains(c, CouponCodes.Alphabet));
    }

    [Fact]
    public void CodesDifferPerMemberPerGrantAndPerSecret()
    {
        var codes = new[]
        {
            Codes.CodeFor("M1", "g1"), Codes.CodeFor("M2", "g1"), Codes.CodeFor("M1", "g2"),
            new CouponCodes(Secret + "-other").CodeFor("M1", "g1"),
            // The separator keeps ("M1", "1g") apart from ("M11", "g").
            Codes.CodeFor("M11", "g1"), Codes.CodeFor("M1", "1g1"),
        };

        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TenThousandGrantsGiveTenThousandDistinctCodesWithoutLookAlikes()
    {
        var codes = Enumerable.Range(0, 10_000).Select(i => Codes.CodeFor("M" + i, "campaign:C1")).ToList();

        Assert.Equal(10_000, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(codes, c => c.IndexOfAny(['0', 'O', '1', 'I']) >= 0);
    }

    [Fact]
    public void ACodeOfMemberAIsNotTheCodeOfMemberB()
    {
        var code = Codes.CodeFor("A", "g1");

        Assert.True(Codes.IsCodeOf(code, "A", "g1"));
        Assert.False(Codes.IsCodeOf(code, "B", "g1"));
    }

    [Theory]
    [InlineData("abcd-efgh-jkmn-pqrs", "ABCDEFGHJKMNPQRS")]
    [InlineData("ABCD EFGH JKMN PQRS", "ABCDEFGHJKMNPQRS")]
    [InlineData("ABCDEFGHJKMNPQR", null)]
    [InlineData("ABCDEFGHJKMNPQRS2", null)]
    [InlineData("ABCDEFGHJKMNPQR0", null)]
    [InlineData("ABCDEFGHJKMNPQRİ", null)]
    [InlineData("", null)]
    public void InputIsNormalisedOrRefusedBeforeAnyLookup(string input, string? expected) =>
        Assert.Equal(expected, CouponCodes.Normalize(input));

    [Theory]
    [InlineData("coupon QEGQZ8UEMQZCKS86: threshold 30", "coupon …KS86: threshold 30")]
    [InlineData("member read out qegq-z8ue-mqzc-ks86 at the till", "member read out …KS86 at the till")]
    [InlineData("code abcd-efgh-jkmn-pqrs refused", "code …PQRS refused")]
    [InlineData("code ABCD EFGH JKMN PQR7 refused", "code …PQR7 refused")]
    [InlineData("code qegq z8ue mqzc ks86 refused", "code …KS86 refused")]
    [InlineData("code QEGQ-Z8UE MQZC-KS86, twice", "code …KS86, twice")]
    [InlineData("code QeGqZ8uEmQzCkS86.", "code …KS86.")]
    [InlineData("会员说qegqz8uemqzcks86无法使用", "会员说…KS86无法使用")]
    [InlineData("old QEGQZ8UEMQZCKS86, new abcd-efgh-jkmn-pq7s", "old …KS86, new …PQ7S")]
    [InlineData("MAKE QEGQ-Z8UE-MQZC-KS86 WORK", "MAKE …KS86 WORK")]
    [InlineData("then qegq z8ue mqzc ks86", "…")] // "then" makes a code with the first three groups: which is the code is unclear
    [InlineData("code qegq z8ue mqzc ks86 then refund", "code … refund")] // not "…THEN": the word's letters are no tail
    [InlineData("card ABCD-EFGH-JKMN-PQRS-TUVW", "card …")]
    [InlineData("QEGQZ8UE MQZCKS86", "…KS86")]
    [InlineData("member read out QEGQZ8UE MQZCKS86 at the till", "member read out …KS86 at the till")]
    [InlineData("code QEGQ\nZ8UE\nMQZC\nKS86", "code …KS86")]
    [InlineData("code\r\nqegq\r\nz8ue\r\nmqzc\r\nks86\r\nthanks", "code\r\n…KS86\r\nthanks")]
    [InlineData("qegq\tz8ue\tmqzc\tks86", "…KS86")]
    [InlineData("会员说QEGQ\u3000Z8UE\u3000MQZC\u3000KS86无法使用", "会员说…KS86无法使用")]
    [InlineData("qegqz8 uemqzcks86 refused", "…KS86 refused")]
    [InlineData("code ABCD EFGH JKMN PQRS refused", "code …PQRS refused")] // no digit: "ABCD" (three consonants in a row) is no word
    [InlineData("code abcdefgh jkmnpqrs refused", "code …PQRS refused")]
    [InlineData("code\nWXYZ\nKTBN\nHECU\nRAPS", "code\n…RAPS")] // "KTBN" is no word, though the other three could be
    public void EveryFormACodeIsTypedInIsMaskedToItsLastFour(string text, string masked) =>
        Assert.Equal(masked, CouponCodes.Mask(text));

    [Theory]
    [InlineData("make sure that they get it back")]
    [InlineData("NEED THEM BACK FAST")]
    [InlineData("PLEASE SEND THEM BACK FAST")]
    [InlineData("send the cards back")] // 16 letters of the alphabet in whole words: each reads as a word
    [InlineData("she wants a new card")]
    [InlineData("thanks, we sent a new card")]
    [InlineData("SEND THEM BACK FAST, PLEASE")]
    [InlineData("catch the bus at the next stop")]
    [InlineData("customer says the voucher was refused twice at store S-12")]
    [InlineData("refund of order ORD-2026-1123-0042 came in late")]
    [InlineData("order PX20261123000042, parcel SF1234567890123")]
    [InlineData("order WEB-4822-7731-9900-2345")]
    [InlineData("goodwill for the late delivery per team lead")]
    [InlineData("ABCDEFGHJKMNPQRS2 is seventeen characters")]
    [InlineData("abcdefghjkmnpqr is fifteen")]
    [InlineData("trace 9f86d081884c7d659a2feaa0c55ad015")]
    [InlineData("Mrs Zhang came back with the receipt")] // groups under 4 letters (Mrs, SMS, QR, KFC) read as words
    [InlineData("SMS never came back")]
    [InlineData("the QR scan was late")]
    [InlineData("KFC card swap at the desk")]
    public void OrdinaryWordsAndOrderIdsAreNotMasked(string text) =>
        Assert.Equal(text, CouponCodes.Mask(text));

    /// <summary>
    /// About 1 in 100 codes has no digit. Typed with spaces or line breaks in the groups a person reads them in, they are
    /// recognised by the code's alphabet and length, not a digit: all but the few (about 1 in 60 typed in fours, 1 in 130
    /// typed in eights) whose every group reads as an English word, the price of leaving phrases like "send the cards
    /// back" as written (CouponCodes.Mask).
    /// </summary>
    [Fact]
    public void GeneratedCodesWithoutADigitTypedWithSpacesAreMaskedToTheirLastFour()
    {
        var digitless = Enumerable.Range(0, 400_000).Select(i => Codes.CodeFor("M" + i, "campaign:C1"))
            .Where(c => !c.Any(char.IsAsciiDigit)).Take(1_000).ToList();

        Assert.Equal(1_000, digitless.Count);
        var inFours = digitless.Count(c => CouponCodes.Mask($"code {c[..4]} {c[4..8]} {c[8..12]} {c[12..]} refused") == $"code …{c[12..]} refused");
        var inFoursLower = digitless.Count(c => CouponCodes.Mask($"code {c[..4]}\n{c[4..8]}\n{c[8..12]}\n{c[12..]}".ToLowerInvariant()) == $"code …{c[12..]}");
        var inEights = digitless.Count(c => CouponCodes.Mask($"{c[..8]} {c[8..]}") == "…" + c[12..]);
        Assert.InRange(inFours, 970, 1_000);
        Assert.InRange(inFoursLower, 970, 1_000);
        Assert.InRange(inEights, 985, 1_000);
    }

    [Fact]
    public void AShortSecretIsRefused() =>
        Assert.Throws<ArgumentException>(() => new CouponCodes("too-short"));

    [Fact]
    public void WithoutASecretIssuingFailsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new OffersOptions().Codes());
        Assert.Contains("Engagement:Offers:CouponSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains(new OffersOptions { CouponSecret = "short" }.Validate(), e => e.Contains("CouponSecret", StringComparison.Ordinal));
    }
}
