using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A refund replayed in order is judged against the tier held when it occurred (CONTRACT.md §1.1), also when the drop that
/// entered the tier held now was itself replayed: that entry is written after live moves dated later than it, and the tier
/// it left was held from the last move dated before it, not from the one written before it.
/// </summary>
public class TierReplayedDropHeldThenTests
{
    [Fact]
    public void ASecondLateRefundBeforeAReplayedKeptDropTakesTheTierWhereItOccurred()
    {
        // Default programme. O-0 1,500 (1 Feb), O-1 4,000 (1 Mar: 5,500, V3). 1,000 of O-1 refunded live on 10 Mar (V3 → V2).
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-0", 1500m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Purchase("O-1", 4000m, eventId: "e-1");
        member.Now = TestMember.Shanghai(2026, 3, 10);
        member.Refund("O-1", 1000m, eventId: "e-r1");
        // 600 of O-0 dated 5 Mar arrives on 12 Mar: in order 5,500 → 4,900 took V3 on 5 Mar ("V2 kept (in order V3 → V2)").
        member.Now = TestMember.Shanghai(2026, 3, 12);
        member.Refund("O-0", 600m, at: TestMember.Shanghai(2026, 3, 5), eventId: "e-late1");
        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 5)), (member.Tier, member.State.TierSince));

        // 700 of O-0 dated 3 Mar arrives on 13 Mar: in order 5,500 → 4,800 took V3 on 3 Mar, before the 5 Mar drop.
        member.Now = TestMember.Shanghai(2026, 3, 13);
        var late = member.Refund("O-0", 700m, at: TestMember.Shanghai(2026, 3, 3), eventId: "e-late2");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 3)), (member.Tier, member.State.TierSince));
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 3), "V3")],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt, e.TierLeft)));
    }
}
