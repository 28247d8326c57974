using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late refund that took the tier on its own day drops it as of that day (CONTRACT.md §1.1: events apply as of their
/// occurredAt; §2: a refund recomputes the tier at once): to what the growth left then or supports now, the higher, held
/// since the refund, with that tier's grace where growth has aged out since, not to what growth supports on arrival.
/// </summary>
public class TierLateRefundDropDayTests
{
    [Fact]
    public void ALateRefundDropsToTheTierItLeftThenWithThatTiersGraceAfterAgeing()
    {
        // Default programme. O-old 200 (5 Mar 2025, ages out 5 Mar 2026), O-base 900 (1 Feb), O-1 4,500 (1 Mar 10:00: V3).
        var member = new TestMember(TestMember.Shanghai(2025, 3, 5));
        member.Purchase("O-old", 200m, eventId: "e-old");
        member.Now = TestMember.Shanghai(2026, 2, 1);
        member.Purchase("O-base", 900m, eventId: "e-base");
        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        member.Purchase("O-1", 4500m, eventId: "e-1");
        Assert.Equal("V3", member.Tier);

        // O-1 refunded in full on 2 Mar, arriving 10 Mar. In order: 2 Mar V3 → V2 (1,100); 5 Mar O-old ages out (900 < 1,000),
        // V2's grace from 5 Mar, still V2 on 10 Mar. Judged on arrival alone (900) it would be V1.
        member.Now = TestMember.Shanghai(2026, 3, 10);
        var refund = member.Refund("O-1", 4500m, at: TestMember.Shanghai(2026, 3, 2), eventId: "e-r1");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 2)), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 3, 5, 0), member.State.TierGraceStartedAt);
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 2), -1L)],
            refund.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt, e.Delta)));
    }
}
