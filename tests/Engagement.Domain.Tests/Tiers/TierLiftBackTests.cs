using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A replayed refund that dropped the tier, then a purchase that reached it again in order (CONTRACT.md §1.1, §2: upgrade
/// at once): the member is lifted back there, and a refund after that is judged against the regained tier.
/// </summary>
public class TierLiftBackTests
{
    // A 60-day window, the default 30-day grace, V2 at 1,000, V3 at 5,000.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);

    // The history three tests share: O-0 4,500 on 20 Feb (V2), O-1 5,000 on 25 Feb (V3), `refundOfO0` of O-0 refunded on
    // 1 Mar and, when asked, O-3 4,200 on 5 Mar; a growth window of `windowDays` (null: the programme's default).
    private static TestMember TwoOrdersThenRefund(int? windowDays, decimal refundOfO0, bool reQualifyOn5Mar)
    {
        var member = TierSteps.After(
            windowDays,
            Step.Buy(TestMember.Shanghai(2026, 2, 20), "O-0", 4500m, "e-0"),
            Step.Buy(TestMember.Shanghai(2026, 2, 25), "O-1", 5000m, "e-1"),
            Step.Refund(TestMember.Shanghai(2026, 3, 1), "O-0", refundOfO0, "e-r0"));
        return reQualifyOn5Mar ? member.Run(Step.Buy(TestMember.Shanghai(2026, 3, 5), "O-3", 4200m, "e-3")) : member;
    }

    // Time passes to 10 Jun: the grace has dropped the member V3 → V2 on 26 May, V2's own grace running from then.
    // Returns that instant.
    private static DateTimeOffset GraceDroppedToV2On26MayBy10Jun(TestMember member)
    {
        member.Now = TestMember.Shanghai(2026, 6, 10);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        var dropped = TestMember.Shanghai(2026, 5, 26, 0, 0);
        Assert.Equal(("V2", dropped, dropped), (member.Tier, member.State.TierSince, member.State.TierGraceStartedAt));
        return dropped;
    }

    [Fact]
    public void ARefundAfterTheLiftBackIsJudgedAgainstTheRegainedTier()
    {
        // O-0 600 (1 Jan), O-1 400 (25 Feb, V2), O-2 100 (26 Feb); O-1 refunded 60 on 1 Mar; O-0 ages out on 2 Mar; O-3 700 on
        // 5 Mar; O-3 refunded 100 on 10 Mar (1,040 live: V2 kept); O-1 ages out on 26 Apr (V2's grace). The late refund of 50
        // dated 28 Feb arrives on 10 May (taking nothing from the window now). In order: 1 Mar 990 (V1), 5 Mar 1,090 (V2 again), 10 Mar 990: the refund took V2, held since 5 Mar, before O-3: V1.
        var member = TierSteps.After(
            60,
            Step.Buy(P0, "O-0", 600m, "e-0"),
            Step.Buy(TestMember.Shanghai(2026, 2, 25), "O-1", 400m, "e-1"),
            Step.Buy(TestMember.Shanghai(2026, 2, 26), "O-2", 100m, "e-2"),
            Step.Refund(TestMember.Shanghai(2026, 3, 1), "O-1", 60m, "e-r1"),
            Step.Buy(TestMember.Shanghai(2026, 3, 5), "O-3", 700m, "e-3"),
            Step.Refund(TestMember.Shanghai(2026, 3, 10), "O-3", 100m, "e-r3"));
        Assert.Equal("V2", member.Tier);
        member.Run(Step.Tick(TestMember.Shanghai(2026, 4, 28)));
        Assert.Equal(("V2", TestMember.Shanghai(2026, 4, 26, 0, 0)), (member.Tier, member.State.TierGraceStartedAt));
        member.Now = TestMember.Shanghai(2026, 5, 10);

        var late = member.Refund("O-1", 50m, at: TestMember.Shanghai(2026, 2, 28), eventId: "e-late-refund");

        Assert.Equal(("V1", TestMember.Shanghai(2026, 3, 10)), (member.Tier, member.State.TierSince));
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 1)),
                (RuleIds.TierUpgrade, TestMember.Shanghai(2026, 3, 5)),
                (RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 3, 10)),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ALateRefundThatKeepsTheTierNowRecordsTheDropAndLiftBackALaterRefundAndPurchaseMadeInOrder()
    {
        // Default programme (365-day window, V2 at 1,000, V3 at 5,000). O-0 4,500 on 20 Feb (V2, first purchase ×2), O-1
        // 5,000 on 25 Feb (at V2 ×1.2, 9,500: V3), 4,400 of O-0 refunded on 1 Mar (5,100: V3 kept), O-3 4,200 on 5 Mar (at
        // V3 ×1.5, 9,300). The late refund of 4,200 of O-1 dated 28 Feb arrives on 10 Mar (5,100 now: V3 kept). In order:
        // 28 Feb 5,300 (V3 kept), 1 Mar 900: V3 → V1 at once (held since 25 Feb, after O-0), 5 Mar O-3 earns at V1 ×1.0 and
        // 5,100 lifts the member to V3 again. The tier now is the same; its history and O-3's price are not.
        var member = TwoOrdersThenRefund(windowDays: null, refundOfO0: 4400m, reQualifyOn5Mar: true);
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 25)), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 10);

        var late = member.Refund("O-1", 4200m, at: TestMember.Shanghai(2026, 2, 28), eventId: "e-late-refund");

        Assert.Equal(("V3", TestMember.Shanghai(2026, 3, 5)), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, -2L, TestMember.Shanghai(2026, 3, 1)),
                (RuleIds.TierUpgrade, 2L, TestMember.Shanghai(2026, 3, 5)),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));

        // Points: O-1 earned at V2 (6,000), 4,200 of it refunded reverses floor(4,200 × 6,000 / 5,000); O-3 re-priced at V1.
        Assert.Equal(
            [(RuleIds.PointsRefund, -5040L), (RuleIds.PointsEarnCorrection, -2100L)],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Points).Select(e => (e.RuleId, e.Delta)));
        Assert.Equal(
            [("O-0", 9000L, 8800L), ("O-1", 6000L, 5040L), ("O-3", 4200L, 0L)],
            member.State.Orders.OrderBy(o => o.OrderId, StringComparer.Ordinal).Select(o => (o.OrderId, o.Points, o.PointsReversed)));
        Assert.Equal(200 + 960 + 4200, member.Balance);
        Assert.Equal(["birthday-coupon", "priority-booking"], member.State.Benefits.Select(b => b.Code).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ARefundReplayedBeforeTheGraceDropThatEnteredTheTierNowIsJudgedAgainstTheTierHeldThen()
    {
        // The same history with a 60-day window, the late refund arriving on 10 Jun: V3 since 25 Feb, O-1 (800 left after the
        // late refund) ages out on 26 Apr: V3's grace from 26 Apr, V3 → V2 on 26 May (recorded), V2's own grace from 26 May.
        // In order: 1 Mar 900 takes V3 (the tier held then, not V2), 5 Mar 5,100 lifts the member to V3 again, the same
        // grace drops it to V2 on 26 May and V2's grace runs to 25 Jun: V2 on 10 Jun. Judged against V2, the replay lifted
        // back to V2 only, held since 5 Mar, and V2's grace ran from 4 May (O-3 aged out): V1 since 3 Jun.
        var member = TwoOrdersThenRefund(windowDays: 60, refundOfO0: 4400m, reQualifyOn5Mar: true);
        var dropped = GraceDroppedToV2On26MayBy10Jun(member);

        var late = member.Refund("O-1", 4200m, at: TestMember.Shanghai(2026, 2, 28), eventId: "e-late-refund");

        Assert.Equal(("V2", dropped, dropped), (member.Tier, member.State.TierSince, member.State.TierGraceStartedAt));
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, -1L, TestMember.Shanghai(2026, 3, 1)),
                (RuleIds.TierUpgrade, 2L, TestMember.Shanghai(2026, 3, 5)),
                (RuleIds.TierDowngradeGrace, -1L, dropped),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));
        Assert.StartsWith("V2 → V1 (in order V3 → V1): a refund at 2026-03-01", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);
        // Points: O-1 earned at V2 (6,000), 4,200 of it refunded reverses floor(4,200 × 6,000 / 5,000); O-3 re-priced at V1.
        Assert.Equal(
            [(RuleIds.PointsRefund, -5040L), (RuleIds.PointsEarnCorrection, -2100L)],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Points).Select(e => (e.RuleId, e.Delta)));
        Assert.Equal(
            [("O-0", 9000L, 8800L), ("O-1", 6000L, 5040L), ("O-3", 4200L, 0L)],
            member.State.Orders.OrderBy(o => o.OrderId, StringComparer.Ordinal).Select(o => (o.OrderId, o.Points, o.PointsReversed)));
        Assert.Contains(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ARefundReplayedBeforeTheGraceDropThatTookTheTierHeldThenDownToTheTierHeldNowReEntersItInOrder()
    {
        // 60-day window. O-0 4,500 (20 Feb, V2), O-1 5,000 (25 Feb, V3), 1,000 of O-0 refunded on 1 Mar (8,500: V3 kept);
        // O-0 and O-1 age out by 26 Apr: V3's grace from 26 Apr, V3 → V2 on 26 May, V2's grace from 26 May. The late refund
        // of 4,000 of O-1 dated 28 Feb (5,500 that day: V3 kept) arrives on 10 Jun. In order: 1 Mar 4,500 takes V3 down to
        // V2 (the tier held now), V2's grace runs from 26 Apr (O-1's 1,000 left ages out), V2 → V1 on 26 May. Judged only
        // against the tier held now the refund moved nothing: V2 since 26 May, on grace till 25 Jun.
        var member = TwoOrdersThenRefund(windowDays: 60, refundOfO0: 1000m, reQualifyOn5Mar: false);
        var dropped = GraceDroppedToV2On26MayBy10Jun(member);

        var late = member.Refund("O-1", 4000m, at: TestMember.Shanghai(2026, 2, 28), eventId: "e-late-refund");

        Assert.Equal(("V1", dropped), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, 0L, TestMember.Shanghai(2026, 3, 1)),
                (RuleIds.TierDowngradeGrace, -1L, dropped),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));
        Assert.Equal([("V2", "V1")], late.TierChanges.Select(c => (c.From, c.To)));
        Assert.StartsWith("V2 kept (in order V3 → V2): a refund at 2026-03-01", late.NewEntries.First(e => e.Kind == LedgerKinds.Tier).Reason, StringComparison.Ordinal);

        // O-0 earned ×2 (first purchase), O-1 at V2 ×1.2 (6,000): 4,000 of it refunded reverses floor(4,000 × 6,000 / 5,000).
        Assert.Equal(
            [("O-0", 9000L, 2000L), ("O-1", 6000L, 4800L)],
            member.State.Orders.OrderBy(o => o.OrderId, StringComparer.Ordinal).Select(o => (o.OrderId, o.Points, o.PointsReversed)));
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ARefundReplayedBeforeTheUpgradeToTheTierARefundDropLeftIsJudgedAgainstTheTierHeldNowAndTheLiftBackIsCapped()
    {
        // Default programme (365-day window). O-0 1,500 (1 Feb, V2), 300 of it refunded on 10 Feb (1,200: V2 kept), O-1 4,200
        // on 1 Mar (5,400: V2 → V3), 1,000 of O-1 refunded on 5 Mar (4,400: V3 → V2 at once, O-1 bought on entering V3). The
        // late refund of 300 of O-0 dated 5 Feb (1,200 that day: V2 kept) arrives on 10 Mar (3,900 now: V2 kept). In order:
        // 10 Feb 900 takes V2 (the tier held then: V3 was entered only on 1 Mar) → V1; 1 Mar 5,100 lifts the member back,
        // up to V2, the tier the replay started on (V3 from 1 Mar and the drop of 5 Mar are recorded already); 5 Mar 4,100
        // keeps V2. Judged against V3 (the tier the drop of 5 Mar left) the refund of 10 Feb took nothing; lifted past the
        // cap, 1 Mar wrote V1 → V3 and 5 Mar V3 → V2 a second time.
        var member = TierSteps.After(
            null,
            Step.Buy(TestMember.Shanghai(2026, 2, 1), "O-0", 1500m, "e-0"),
            Step.Refund(TestMember.Shanghai(2026, 2, 10), "O-0", 300m, "e-r0"),
            Step.Buy(TestMember.Shanghai(2026, 3, 1), "O-1", 4200m, "e-1"));
        Assert.Equal("V3", member.Tier);
        member.Run(Step.Refund(TestMember.Shanghai(2026, 3, 5), "O-1", 1000m, "e-r1"));
        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 5)), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 10);

        var late = member.Refund("O-0", 300m, at: TestMember.Shanghai(2026, 2, 5), eventId: "e-late-refund");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 1)), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                (RuleIds.TierDowngradeRefund, -1L, TestMember.Shanghai(2026, 2, 10)),
                (RuleIds.TierUpgrade, 1L, TestMember.Shanghai(2026, 3, 1)),
            ],
            late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.Delta, e.EffectiveOccurredAt)));
        // O-1 re-priced at V1 ×1.0 (it earned at V2 ×1.2 live).
        Assert.Equal(4200L, member.State.Orders.Single(o => o.OrderId == "O-1").Points);
    }

    [Fact]
    public void AfterAnUndoneGraceDropAReplayedRefundDropAndALaterPurchaseLiftTheMemberBack()
    {
        // P0 5,000 (V3) ages out on 2 Mar; P2 500 on 15 Mar. V3 → V2 on 1 Apr, V2 → V1 on 1 May; P2 refunded 300 on 5 May;
        // O-3 300 on 6 May (500 live: V1). The late 600 of 20 Apr arrives on 7 May. In order: 20 Apr 1,100 (V2's grace ends:
        // the drop of 1 May is undone), 5 May 800 (V2 → V1 at once), 6 May 1,100 (V1 → V2 at once).
        var late = TestMember.Shanghai(2026, 4, 20);
        var member = TierSteps.After(
            60,
            Step.Buy(P0, "O-0", 5000m, "e-0"),
            Step.Buy(TestMember.Shanghai(2026, 3, 15), "O-2", 500m, "e-2"),
            Step.Tick(TestMember.Shanghai(2026, 4, 2)),
            Step.Tick(TestMember.Shanghai(2026, 5, 2)));
        Assert.Equal("V1", member.Tier);
        member.Run(Step.Refund(TestMember.Shanghai(2026, 5, 5), "O-2", 300m, "e-refund"), Step.Buy(TestMember.Shanghai(2026, 5, 6), "O-3", 300m, "e-3"));
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 5, 7);

        var decision = member.Purchase("O-late", 600m, at: late, eventId: "e-late");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 5, 6)), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Equal(
            [
                ("tier.downgrade.grace.correction", late),
                (RuleIds.TierDowngradeRefund, TestMember.Shanghai(2026, 5, 5)),
                (RuleIds.TierUpgrade, TestMember.Shanghai(2026, 5, 6)),
            ],
            decision.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
        Assert.Contains("kept V2 until then", decision.NewEntries.Single(e => e.RuleId == RuleIds.TierDowngradeRefund).Reason, StringComparison.Ordinal);
    }
}
