using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a late purchase whose refund was held (the refund arrived before it) has the effect the two would
/// have had in order. In event time the refund is part of the history the later purchases were made in: a later purchase
/// made after the refund occurred never held the tier the refunded growth gave, so its points must not be raised by the
/// late purchase and taken back by its refund (PurchasePolicy applies the held refunds before it corrects later orders).
/// Default programme (V2 from 1,000 growth, ×1.2), Shanghai instants.
/// </summary>
public class HeldRefundBeforeCorrectionsTests
{
    private static readonly DateTimeOffset EAt = TestMember.Shanghai(2025, 12, 1, 10);
    private static readonly DateTimeOffset PAt = TestMember.Shanghai(2026, 1, 1, 10);
    private static readonly DateTimeOffset RefundAt = TestMember.Shanghai(2026, 1, 5, 10);
    private static readonly DateTimeOffset QAt = TestMember.Shanghai(2026, 1, 10, 10);
    private static readonly DateTimeOffset SAt = TestMember.Shanghai(2026, 1, 3, 10);

    /// <summary>
    /// E (10 CNY, the first ×2: 20), P (1,000 CNY on 1 Jan: 1,000, growth 1,010: V2), P refunded in full on 5 Jan (growth
    /// 10: V1), Q (500 CNY on 10 Jan at V1: 500). Late: Q is applied on 10 Jan, P's refund is held on 11 Jan, P comes on
    /// 12 Jan. In order Q was never re-priced; late it must not be either: no points.earn.correction (before the fix Q got
    /// +100 at V2 from P, then −100 from P's refund: points credited then clawed back).
    /// </summary>
    [Fact]
    public void ALaterPurchaseMadeAfterTheHeldRefundIsNotCreditedThenClawedBack()
    {
        var inOrder = Play(late: false, withS: false);
        var late = Play(late: true, withS: false);

        foreach (var member in new[] { inOrder, late })
        {
            Assert.DoesNotContain(member.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
            Assert.Equal(500L, member.State.Orders.Single(o => o.OrderId == "Q").Points);
            Assert.Equal((520L, 0L, "V1"), (member.Balance, member.State.PointsDebt, member.Tier));
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }

        Assert.Equal(PointsEntries(inOrder), PointsEntries(late));

        // The tier moves and the first-purchase double do not depend on the order: V2 from P's instant, V1 again from the
        // refund's, in both runs; E keeps the double.
        Assert.Equal(TierMoves(inOrder), TierMoves(late));
        Assert.Equal([(RuleIds.TierUpgrade, PAt), (RuleIds.TierDowngradeRefund, RefundAt)], TierMoves(late).Select(m => (m.Rule, m.At)));
        Assert.Equal(RuleIds.PointsEarnFirstPurchaseDouble, Assert.Single(late.State.Ledger, e => e.EventId == "buy-E" && e.Kind == LedgerKinds.Points).RuleId);
    }

    private static List<(string Rule, DateTimeOffset At)> TierMoves(TestMember member) =>
        [.. member.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Select(e => (e.RuleId, e.EffectiveOccurredAt))];

    /// <summary>
    /// The same with S (100 CNY on 3 Jan, between P and its refund: V2, 120). Late S is applied at V1 (100) and corrected
    /// once to 120 by P; Q, made after the refund, is not corrected at all. Each order is corrected at most once, to what
    /// it earned in order.
    /// </summary>
    [Fact]
    public void APurchaseBetweenThePurchaseAndItsHeldRefundIsCorrectedOnceAndOneAfterItNotAtAll()
    {
        var inOrder = Play(late: false, withS: true);
        var late = Play(late: true, withS: true);

        Assert.DoesNotContain(inOrder.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        var correction = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(20L, correction.Delta);
        Assert.StartsWith("purchase S earns 120 points", correction.Reason, StringComparison.Ordinal);
        foreach (var member in new[] { inOrder, late })
        {
            Assert.Equal((120L, 500L), (member.State.Orders.Single(o => o.OrderId == "S").Points, member.State.Orders.Single(o => o.OrderId == "Q").Points));
            Assert.Equal((640L, 0L, "V1"), (member.Balance, member.State.PointsDebt, member.Tier));
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }
    }

    /// <summary>
    /// Without E, the late P is the first purchase: Q loses the double it was given (1,000 → 500) and is not raised by the
    /// refunded growth either. One correction, and it names the late purchase (which took the double), not its refund.
    /// </summary>
    [Fact]
    public void ALaterPurchaseThatLosesTheFirstPurchaseDoubleIsCorrectedOnceNamingTheLatePurchase()
    {
        var inOrder = Play(late: false, withS: false, withE: false);
        var late = Play(late: true, withS: false, withE: false);

        Assert.DoesNotContain(inOrder.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        var correction = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal((-500L, "buy-P"), (correction.Delta, correction.EventId));
        Assert.StartsWith("purchase Q earns 500 points at V1 ×1.0 (was 1000): late event buy-P, purchase P of 1000.00 CNY", correction.Reason, StringComparison.Ordinal);
        foreach (var member in new[] { inOrder, late })
        {
            Assert.Equal(RuleIds.PointsEarnFirstPurchaseDouble, Assert.Single(member.State.Ledger, e => e.EventId == "buy-P" && e.Kind == LedgerKinds.Points && e.Delta > 0).RuleId);
            Assert.Equal((500L, 0L, "V1"), (member.Balance, member.State.PointsDebt, member.Tier));
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }
    }

    /// <summary>
    /// Two partial held refunds of P (1,200 CNY on 1 Jan): 100 CNY on 5 Jan, before Q (500 CNY on 10 Jan), and 1,100 CNY on
    /// 15 Jan, after it. In order Q was made at growth 1,110 (V2, ×1.2: 600) and the second refund only then took P's
    /// growth back. Late, Q (applied at V1: 500) must be re-priced with the first refund only: +100, named after the late
    /// purchase; taking both refunds into Q's tier would leave it at 500. Same balance, ledger totals and tier moves.
    /// </summary>
    [Fact]
    public void TwoHeldRefundsOneBeforeALaterOrderAndOneAfterItReachThatOrdersPriceByTheirOwnTimes()
    {
        var refund1At = TestMember.Shanghai(2026, 1, 5, 10);
        var refund2At = TestMember.Shanghai(2026, 1, 15, 10);
        TestMember Play2(bool late)
        {
            var member = new TestMember(EAt);
            member.Options.LedgerEntriesKept = 1_000;
            Applied(member.Purchase("E", 10m, eventId: "buy-E"));
            if (!late)
            {
                member.Now = PAt;
                Applied(member.Purchase("P", 1200m, eventId: "buy-P"));
                member.Now = refund1At;
                Applied(member.Refund("P", 100m, eventId: "refund-P1"));
            }

            member.Now = QAt;
            Applied(member.Purchase("Q", 500m, eventId: "buy-Q"));
            member.Now = refund2At;
            if (!late)
            {
                Applied(member.Refund("P", 1100m, eventId: "refund-P2"));
                return member;
            }

            Assert.Equal(EventStatus.Held, member.Refund("P", 1100m, refund2At, eventId: "refund-P2").Status);
            member.Now = TestMember.Shanghai(2026, 1, 16, 10);
            Assert.Equal(EventStatus.Held, member.Refund("P", 100m, refund1At, eventId: "refund-P1").Status);
            member.Now = TestMember.Shanghai(2026, 1, 17, 10);
            Applied(member.Purchase("P", 1200m, PAt, eventId: "buy-P"));
            return member;
        }

        var inOrder = Play2(late: false);
        var late = Play2(late: true);

        Assert.DoesNotContain(inOrder.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        var correction = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal((100L, "buy-P"), (correction.Delta, correction.EventId));
        foreach (var member in new[] { inOrder, late })
        {
            Assert.Equal((600L, 1200L, 0L), (member.State.Orders.Single(o => o.OrderId == "Q").Points, member.State.Orders.Single(o => o.OrderId == "P").Points, member.State.Orders.Single(o => o.OrderId == "P").Remaining));
            Assert.Equal((620L, 0L), (member.Balance, member.State.PointsDebt));
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }

        Assert.Equal(inOrder.Tier, late.Tier);
        Assert.Equal(TierMoves(inOrder), TierMoves(late));
    }

    /// <summary>
    /// A held refund sent again after its purchase arrived and applied it (the sender's retry): a duplicate that changes
    /// nothing, neither the balance, the ledger, the order nor the held list.
    /// </summary>
    [Fact]
    public void AHeldRefundSentAgainAfterItsPurchaseAppliedItChangesNothing()
    {
        var late = Play(late: true, withS: true);
        var ledger = late.State.Ledger.Select(e => (e.EventId, e.RuleId, e.Delta)).ToList();
        var (balance, tier, p) = (late.Balance, late.Tier, late.State.Orders.Single(o => o.OrderId == "P").Points);

        late.Now = TestMember.Shanghai(2026, 1, 13, 10);
        Assert.Equal(EventStatus.Duplicate, late.Refund("P", 1000m, RefundAt, eventId: "refund-P").Status);

        Assert.Equal(ledger, late.State.Ledger.Select(e => (e.EventId, e.RuleId, e.Delta)).ToList());
        Assert.Equal((640L, tier, p), (balance, late.Tier, late.State.Orders.Single(o => o.OrderId == "P").Points));
        Assert.Equal(balance, late.Balance);
        Assert.Empty(late.State.HeldRefunds);
    }

    /// <summary>The points entries' deltas by rule, sorted: what the member was credited and charged, whatever the order.</summary>
    private static List<string> PointsEntries(TestMember member) =>
        [.. member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Select(e => $"{e.RuleId} {e.Delta}").Order(StringComparer.Ordinal)];

    private static TestMember Play(bool late, bool withS, bool withE = true)
    {
        var member = new TestMember(EAt);
        member.Options.LedgerEntriesKept = 1_000;
        if (withE)
        {
            Applied(member.Purchase("E", 10m, eventId: "buy-E"));
        }

        if (!late)
        {
            member.Now = PAt;
            Applied(member.Purchase("P", 1000m, eventId: "buy-P"));
        }

        if (withS)
        {
            member.Now = SAt;
            Applied(member.Purchase("S", 100m, eventId: "buy-S"));
        }

        if (!late)
        {
            member.Now = RefundAt;
            Applied(member.Refund("P", 1000m, eventId: "refund-P"));
        }

        member.Now = QAt;
        Applied(member.Purchase("Q", 500m, eventId: "buy-Q"));
        if (late)
        {
            member.Now = TestMember.Shanghai(2026, 1, 11, 10);
            Assert.Equal(EventStatus.Held, member.Refund("P", 1000m, RefundAt, eventId: "refund-P").Status);
            member.Now = TestMember.Shanghai(2026, 1, 12, 10);
            Applied(member.Purchase("P", 1000m, PAt, eventId: "buy-P"));
        }

        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
