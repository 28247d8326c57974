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
    public void StreamNamesAreTheContractConstants()
    {
        Assert.Equal("engagement-events", StreamNames.Provider);
        Assert.Equal("member-events", StreamNames.MemberEvents);
    }
}
