using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A refund's tier drop takes effect at the refund's <c>occurredAt</c> (CONTRACT.md §1.1: events apply as of their
/// occurredAt; §2: a refund recomputes the tier at once): tierSince of the tier it leaves the member on is that instant, as
/// the <c>tier.downgrade.refund</c> entry's occurredAt is, not when the refund reached the engine.
/// </summary>
public class TierRefundDropSinceTests
{
    // Default programme. O-0 1,500 (1 Feb, V2), O-1 4,000 on 1 Mar 10:00 (5,500: V3, held since then).
    private static TestMember V3Since1Mar()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-0", 1500m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        member.Purchase("O-1", 4000m, eventId: "e-1");
        Assert.Equal(("V3", TestMember.Shanghai(2026, 3, 1, 10)), (member.Tier, member.State.TierSince));
        return member;
    }

    [Fact]
    public void ALiveRefundThatDropsTheTierDatesTierSinceAtItsOccurredAt()
    {
        // 1,000 of O-1 refunded at 11:00, reaching the engine at 18:00 with nothing after it (4,500: V3 → V2 at once).
        var member = V3Since1Mar();
        member.Now = TestMember.Shanghai(2026, 3, 1, 18);

        var refund = member.Refund("O-1", 1000m, at: TestMember.Shanghai(2026, 3, 1, 11), eventId: "e-r1");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 1, 11)), (member.Tier, member.State.TierSince));
        // Stored as a UTC instant, not with the event's +08:00 offset.
        Assert.Equal(TimeSpan.Zero, member.State.TierSince!.Value.Offset);
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 1, 11))],
            refund.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
    }

    [Fact]
    public void ALateRefundThatDropsTheTierDatesTierSinceAtItsOccurredAt()
    {
        // A login on 5 Mar (5,501), then the refund of 1,000 of O-1 dated 2 Mar arrives on 10 Mar (4,501: V3 → V2). In order
        // the refund took V3 on 2 Mar, the login reached nothing after it.
        var member = V3Since1Mar();
        member.Now = TestMember.Shanghai(2026, 3, 5);
        member.Behave("login", eventId: "e-login");
        member.Now = TestMember.Shanghai(2026, 3, 10);

        var refund = member.Refund("O-1", 1000m, at: TestMember.Shanghai(2026, 3, 2), eventId: "e-r1");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 2)), (member.Tier, member.State.TierSince));
        Assert.Equal(TimeSpan.Zero, member.State.TierSince!.Value.Offset);
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 2))],
            refund.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
    }

    [Fact]
    public void ARefundReplayedInOrderThatLeavesTheTierHeldThenKeepsTierSince()
    {
        // O-2 500 on 5 Mar (6,000: V3 since 1 Mar). The refund of 400 of O-0 dated 3 Mar arrives on 10 Mar: 5,100 that
        // instant and 5,600 now, V3 all along. tierSince is when the member entered the tier it holds (§1.1, event time); in
        // order the refund took nothing, so it stays 1 Mar and no tier entry is written.
        var member = V3Since1Mar();
        member.Now = TestMember.Shanghai(2026, 3, 5);
        member.Purchase("O-2", 500m, eventId: "e-2");
        member.Now = TestMember.Shanghai(2026, 3, 10);

        var refund = member.Refund("O-0", 400m, at: TestMember.Shanghai(2026, 3, 3), eventId: "e-r0");

        Assert.Equal(("V3", TestMember.Shanghai(2026, 3, 1, 10)), (member.Tier, member.State.TierSince));
        Assert.DoesNotContain(refund.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Empty(refund.TierChanges);
    }
}
