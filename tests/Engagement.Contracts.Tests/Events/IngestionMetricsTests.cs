using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

public sealed class IngestionMetricsTests
{
    [Fact]
    public void TotalsCountEveryCall()
    {
        var accepted = IngestionMetrics.AcceptedTotal;
        var duplicate = IngestionMetrics.DuplicateTotal;
        var poisoned = IngestionMetrics.PoisonedTotal;

        IngestionMetrics.Accepted();
        IngestionMetrics.Duplicate();
        IngestionMetrics.Poisoned("memberId: required");

        Assert.True(IngestionMetrics.AcceptedTotal >= accepted + 1);
        Assert.True(IngestionMetrics.DuplicateTotal >= duplicate + 1);
        Assert.True(IngestionMetrics.PoisonedTotal >= poisoned + 1);
    }

    [Theory]
    [InlineData("memberId: required", "memberId")]
    [InlineData("delivery failed 10 times", "delivery")]
    [InlineData("body: malformed JSON (line 1, byte 3)", "body")]
    [InlineData("", "unknown")]
    [InlineData("properties.promo-7f3a: at most 512 characters", "properties")] // a producer's own key must not become a metric series
    [InlineData("items[42].sku: at most 64 characters", "items")]
    [InlineData("coupons[3]: 1–64 characters", "coupons")]
    public void PoisonReasonsAreTaggedByTheirField(string reason, string category) =>
        Assert.Equal(category, IngestionMetrics.ReasonCategory(reason));

    [Fact]
    public void ALongReasonIsCutAtACodePointBoundaryNeverInsideASurrogatePair()
    {
        // 39 ASCII units then 😀 (two units, the 40th and 41st): the pair straddles the bound and is left out whole.
        var straddling = new string('a', 39) + "\U0001F600" + "tail";
        // 38 units then 😀 ends exactly at 40: kept whole.
        var fitting = new string('a', 38) + "\U0001F600" + "tail";
        // Only pairs: 20 of them are 40 units.
        var pairs = string.Concat(Enumerable.Repeat("\U0001F600", 25));
        var chinese = new string('华', 45) + ": too long";

        Assert.Equal(new string('a', 39), IngestionMetrics.ReasonCategory(straddling));
        Assert.Equal(new string('a', 38) + "\U0001F600", IngestionMetrics.ReasonCategory(fitting));
        Assert.Equal(string.Concat(Enumerable.Repeat("\U0001F600", 20)), IngestionMetrics.ReasonCategory(pairs));
        Assert.Equal(new string('华', IngestionMetrics.MaxReasonCategoryLength), IngestionMetrics.ReasonCategory(chinese));
        Assert.All(new[] { straddling, fitting, pairs, chinese }, r => Assert.True(IngestionMetrics.ReasonCategory(r).EnumerateRunes().All(x => x != System.Text.Rune.ReplacementChar)
            && !char.IsHighSurrogate(IngestionMetrics.ReasonCategory(r)[^1])));
    }

    [Fact]
    public void StreamNamesAreTheContractConstants()
    {
        Assert.Equal("engagement-events", StreamNames.Provider);
        Assert.Equal("member-events", StreamNames.MemberEvents);
    }
}
