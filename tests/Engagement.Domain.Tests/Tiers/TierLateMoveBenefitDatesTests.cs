using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// The benefits a tier move a late event brought grants (CONTRACT.md §2: granted on entering a tier) are dated at the
/// instant the move took effect in order (§1.1), as its tier entry and tierSince are, not at the late event's arrival: the
/// upgrade of a late purchase whose growth has aged out since (judged in order), and a replayed refund's entry that moves
/// the member up from the tier held now (in order down, from a higher tier, to one above the tier held now).
/// </summary>
public class TierLateMoveBenefitDatesTests
{
    // A 60-day window. P0 (600 CNY, 1 Jan) ages out on 2 Mar (local midnight).
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset Late = TestMember.Shanghai(2026, 2, 15);

    [Fact]
    public void ALatePurchaseThatMovesTheMemberUpGrantsTheTiersBenefitsAtItsOccurredAt()
    {
        // A purchase of 1,000 made on 1 Mar arrives on 3 Mar: V2 since 1 Mar, and the birthday coupon came with V2 then.
        var at = TestMember.Shanghai(2026, 3, 1);
        var member = new TestMember(TestMember.Shanghai(2026, 3, 3));

        var late = member.Purchase("O-late", 1000m, at: at);

        Assert.Equal(("V2", at), (member.Tier, member.State.TierSince));
        Assert.Equal([("birthday-coupon", at)], member.State.Benefits.Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal([("birthday-coupon", at)], late.BenefitsGranted.Select(b => (b.Code, b.GrantedAt)));

        // Stored in UTC like tierSince, not with the event's +08:00.
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero], member.State.Benefits.Concat(late.BenefitsGranted).Select(b => b.GrantedAt.Offset));
    }

    [Fact]
    public void ALateJumpOverTwoTiersDatesEachTiersBenefitsWhereItsOwnTierWasReached()
    {
        // O-1 800 (2 Mar: V1). A purchase of 4,500 made on 1 Mar arrives on 3 Mar: in order it took V1 to V2 on 1 Mar (the
        // birthday coupon came then) and O-1 took V2 to V3 on 2 Mar (priority booking). Applied late, one move V1 → V3
        // dated 2 Mar: the coupon is dated 1 Mar, where V2 was reached, not 2 Mar.
        var v2 = TestMember.Shanghai(2026, 3, 1);
        var v3 = TestMember.Shanghai(2026, 3, 2);
        var inOrder = TierSteps.After(null, Step.Buy(v2, "O-0", 4500m), Step.Buy(v3, "O-1", 800m));
        var member = TierSteps.After(null, Step.Buy(v3, "O-1", 800m));
        member.Now = TestMember.Shanghai(2026, 3, 3);

        var late = member.Purchase("O-0", 4500m, at: v2);

        (string, DateTimeOffset)[] expected = [("birthday-coupon", v2), ("priority-booking", v3)];
        Assert.Equal(("V3", v3), (member.Tier, member.State.TierSince));
        Assert.Equal(expected, inOrder.State.Benefits.Select(b => (b.Code, b.GrantedAt)).Order());
        Assert.Equal(expected, member.State.Benefits.Select(b => (b.Code, b.GrantedAt)).Order());
        Assert.Equal(expected, late.BenefitsGranted.Select(b => (b.Code, b.GrantedAt)).Order());
    }

    [Fact]
    public void ALatePurchaseAgedOutSinceGrantsTheTiersBenefitsWhereItReachedTheTier()
    {
        // O-0 600 (1 Jan), O-2 600 (20 Mar: V1, O-0 aged out on 2 Mar). The late 400 of 15 Feb arrives on 25 Apr, after it
        // aged out (16 Apr): in order V2 since 15 Feb without a break (the 600 of 20 Mar ended the dip within the grace), on
        // V2's grace since 16 Apr (UpgradeAsOf). The birthday coupon came with V2 on 15 Feb, not on 25 Apr.
        var member = TierSteps.After(60, Step.Buy(P0, "O-0", 600m), Step.Buy(TestMember.Shanghai(2026, 3, 20), "O-2", 600m));
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 4, 25);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", Late), (member.Tier, member.State.TierSince));
        Assert.Equal((RuleIds.TierUpgrade, Late), late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)).Single());
        Assert.Equal([("birthday-coupon", Late)], member.State.Benefits.Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal([("birthday-coupon", Late)], late.BenefitsGranted.Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal(TimeSpan.Zero, member.State.Benefits.Single().GrantedAt.Offset);
    }

    [Fact]
    public void AReplayedRefundThatMovesTheMemberUpFromTheTierHeldNowGrantsAtTheRefund()
    {
        // 60-day window. O-0 20,000 on 20 Feb (V4); it ages out on 21 Apr: V4's grace, V4 → V3 on 21 May, V3's grace, O-2
        // 1,500 on 1 Jun, V3 → V2 on 20 Jun (1,500 keeps V2). The late refund of 10,000 of O-0 dated 1 Mar arrives on 25 Jun
        // (1,500 now: V2 kept). In order: 1 Mar 10,000 takes V4 (the run's tier) down to V3 at once, an entry from V2 up to
        // V3 that grants priority booking (V3); 21 Apr 0: V3's grace, V3 → V2 on 21 May; O-2 keeps V2. Priority booking
        // came with V3 on 1 Mar, not on 25 Jun.
        var member = new TestMember(TestMember.Shanghai(2026, 2, 20));
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 20_000m, eventId: "e-0");
        Assert.Equal("V4", member.Tier);
        member.Now = TestMember.Shanghai(2026, 6, 1);
        member.Purchase("O-2", 1500m, eventId: "e-2");
        member.Now = TestMember.Shanghai(2026, 6, 25);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V2", TestMember.Shanghai(2026, 6, 20, 0, 0)), (member.Tier, member.State.TierSince));

        var refundAt = TestMember.Shanghai(2026, 3, 1);
        var late = member.Refund("O-0", 10_000m, at: refundAt, eventId: "e-late-refund");

        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, 1L, refundAt),
                (RuleIds.TierDowngradeGrace, -1L, TestMember.Shanghai(2026, 5, 21, 0, 0)),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));
        Assert.Equal(("V2", TestMember.Shanghai(2026, 5, 21, 0, 0)), (member.Tier, member.State.TierSince));
        Assert.Equal([("priority-booking", refundAt)], late.BenefitsGranted.Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal(["birthday-coupon"], member.State.Benefits.Select(b => b.Code));
    }
}
