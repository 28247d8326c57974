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
