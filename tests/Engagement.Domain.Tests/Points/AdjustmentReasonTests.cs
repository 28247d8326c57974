using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The reason staff type is kept trimmed with every coupon code in it masked (AdjustmentPolicy.KeptReason), so the ledger
/// entry support and the member read holds no whole code.
/// </summary>
public class AdjustmentReasonTests
{
    [Theory]
    [InlineData("  member read out qegq-z8ue-mqzc-ks86 at the till ", "member read out …KS86 at the till")]
    [InlineData("old QEGQZ8UEMQZCKS86, new QEGQ Z8UE MQZC KS87", "old …KS86, new …KS87")]
    [InlineData(" goodwill for the late parcel ", "goodwill for the late parcel")]
    public void AReasonIsKeptTrimmedWithEveryCodeInItMasked(string typed, string kept) =>
        Assert.Equal(kept, AdjustmentPolicy.KeptReason(typed));

    [Fact]
    public void TheLedgerEntryOfAnAdjustmentWithAKeptReasonHoldsNoWholeCode()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        member.Purchase("O-1", 200m);

        var decision = AdjustmentPolicy.Apply(member.State, "a1", "points", 5, AdjustmentPolicy.KeptReason("code QEGQZ8UE MQZCKS86 refused"), member.Options, member.Now);

        Assert.Equal("manual adjustment +5: code …KS86 refused", decision.Detail);
        var entry = Assert.Single(member.State.Ledger, e => e.RuleId == AdjustmentPolicy.PointsRule);
        Assert.Equal("manual adjustment +5: code …KS86 refused", entry.Reason);
    }
}
