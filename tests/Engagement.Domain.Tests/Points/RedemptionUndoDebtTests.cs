using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The undo of a catalogue redemption (adjustment <c>redemption-undo:{id}</c>, docs/offers.md) when, between the
/// redemption and its undo, a refund of a spent order left dated points debt (CONTRACT.md §2: "points already spent can
/// drive the balance negative") that a later lot paid in part or in full. Each case is checked against the member had the
/// redemption never happened (the refund then finds its own lot whole and leaves no debt): the balance, the lots with
/// their expiry, the debt and its pieces, the undo's one ledger entry and its metrics (points outstanding up by the undo's
/// points, the debt gauge down by what it paid; every step recorded, so the gauges summed give the programme's liability
/// in CNY), exactly. The lot that
/// expired before the undo comes back as the 30-day grace lot (RedemptionUndoGraceDays), the one designed difference.
/// Shanghai instants; default programme (1 point = 0.01 CNY, V1 ×1.0, first purchase ×2, 12-month lots).
/// </summary>
public sealed class RedemptionUndoDebtTests
{
    // A: 300 CNY on 1 Jan 2026, the first purchase ×2: 600 points until 2027-01-01 12:00. C: 200 CNY on 1 Feb: 200 until 2027-02-01.
    private static readonly DateTimeOffset AAt = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset CAt = TestMember.Shanghai(2026, 2, 1);
    internal const string AExpiry = "2027-01-01T12:00:00+08:00";
    private const string Prefix = "; points back to their lots: ";
    internal static readonly MetricsOptions Metrics = new();

    /// <summary>
    /// R1 takes all of A (600) and 100 of C; C refunded in full takes C's other 100 and owes 100 (2 Mar); D (60 CNY on
    /// 3 Mar) pays 60 of it. Never redeemed: A 600, D 60, no debt. The undo's A part pays the 40 still owed, and C's part,
    /// which its refunded lot has no room for, refills A and D: the same lots.
    /// </summary>
    [Fact]
    public void AnUndoAfterALaterLotPaidPartOfTheRefundsDebtEndsAsIfNeverRedeemed()
    {
        var (options, state) = RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        Buy(state, options, "D", 60m, TestMember.Shanghai(2026, 3, 3));
        Assert.Equal((40L, 40L), (state.PointsDebt, Assert.Single(state.PointsDebtPieces).Points));
        Assert.Equal(-40, PointsWallet.Balance(state));

        var undone = Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4));

        Assert.Equal([("A", AExpiry, 600L), ("D", "2027-03-03T12:00:00+08:00", 60L)], Lots(state));
        AssertEnds(state, undone, balance: 660, liability: 6.60m, delta: 700, debtPaid: 40,
            $"A +560 until {AExpiry} and its other 40 to the debt +40, C's 100 to A +40 until {AExpiry} and D +60 until 2027-03-03T12:00:00+08:00");
    }

    /// <summary>The same with D (150 CNY) paying the whole 100 owed: A gets its 600 back, C's 100 refills D to 150.</summary>
    [Fact]
    public void AnUndoAfterALaterLotPaidAllTheRefundsDebtRefillsThatLot()
    {
        var (options, state) = RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 3, 3));
        Assert.Equal((0L, 50L), (state.PointsDebt, PointsWallet.Balance(state)));
        Assert.Empty(state.PointsDebtPieces);

        var undone = Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4));

        Assert.Equal([("A", AExpiry, 600L), ("D", "2027-03-03T12:00:00+08:00", 150L)], Lots(state));
        AssertEnds(state, undone, balance: 750, liability: 7.50m, delta: 700, debtPaid: 0,
            $"A +600 until {AExpiry}, C's 100 to D +100 until 2027-03-03T12:00:00+08:00");
    }

    /// <summary>
    /// Across A's expiry: R1 on 31 Dec 2026 12:00, C refunded at 13:00 (100 owed), D (60 CNY
    /// on 1 Jan 2027 10:00) pays 60 of the 100 owed, A expires at 12:00, the undo comes on 2 Jan. Never redeemed: A's 600
    /// expire, C's refund takes its own lot, D keeps 60, no debt. The undo: A's part as a grace lot (by design), C's part
    /// pays the 40 still owed (debt of 31 Dec, before C's expiry) and refills D's 60.
    /// </summary>
    [Fact]
    public void AnUndoAcrossTheLotsExpiryPaysTheDebtFromTheRefundedOrdersPartAndGivesTheExpiredPartAGraceLot()
    {
        var (options, state) = RedeemedThenRefunded(TestMember.Shanghai(2026, 12, 31, 12), TestMember.Shanghai(2026, 12, 31, 13));
        Buy(state, options, "D", 60m, TestMember.Shanghai(2027, 1, 1, 10));
        var undoAt = TestMember.Shanghai(2027, 1, 2, 12);
        Assert.DoesNotContain(MemberDecider.Tick(state, options, undoAt).Entries, e => e.RuleId == RuleIds.PointsExpire); // A holds nothing to expire
        Assert.Equal((40L, TestMember.Shanghai(2026, 12, 31, 13)), (state.PointsDebt, Assert.Single(state.PointsDebtPieces).AroseAt));

        var undone = Undo(state, "R1", 700, options, undoAt);

        var grace = AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R1");
        Assert.Equal([(grace, "2027-02-01T12:00:00+08:00", 600L), ("D", "2028-01-01T10:00:00+08:00", 60L)], Lots(state));
        AssertEnds(state, undone, balance: 660, liability: 6.60m, delta: 700, debtPaid: 40,
            $"A +600 expired at {AExpiry}, a 30-day grace lot until 2027-02-01T12:00:00+08:00, C's 100 to the debt +40 and D +60 until 2028-01-01T10:00:00+08:00");

        // The grace lot expires at its instant, D at its own.
        var expired = MemberDecider.Tick(state, options, TestMember.Shanghai(2027, 2, 1, 12)).Entries.Where(e => e.RuleId == RuleIds.PointsExpire).ToList();
        Assert.Equal([(-600L, TestMember.Shanghai(2027, 2, 1, 12))], expired.Select(e => (e.Delta, e.EffectiveOccurredAt)));
        Assert.Equal(60, PointsWallet.Balance(state));
    }

    /// <summary>
    /// Undone late, after a later redemption R2 (50 points on 3 Mar) spent D's 50 left once it paid the 100 owed. The
    /// balance, the debt and the liability are those had R1 never happened (A 600 + D 150 − 50 = 700), and so are the lots:
    /// never redeemed, R2 would have taken A's (soonest to expire), so the undo moves R2 onto A (LaterRedemptions): A holds
    /// 550, D 150, and R2's record names A, so its own undo gives A its 50 back.
    /// </summary>
    [Fact]
    public void AnUndoAfterALaterRedemptionRestoresTheBalanceAndTheDebtAndMovesTheLaterRedemptionToTheSoonerLot()
    {
        var (options, state) = RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 3, 3));
        Assert.True(MemberDecider.Redeem(state, "R2", 50, null, "mug", options, TestMember.Shanghai(2026, 3, 3, 13), Metrics, storeId: "S001").Reply.Accepted);
        Assert.Equal([("D", 50L, TestMember.Shanghai(2027, 3, 3))],
            state.Redemptions.Single(r => r.RedemptionId == "R2").Lots!.Select(p => (p.LotId!, p.Points, p.ExpiresAt)));

        var undone = Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4));

        Assert.Equal([("A", AExpiry, 550L), ("D", "2027-03-03T12:00:00+08:00", 150L)], Lots(state));
        AssertEnds(state, undone, balance: 700, liability: 7.00m, delta: 700, debtPaid: 0,
            $"A +600 until {AExpiry}, C's 100 to D +100 until 2027-03-03T12:00:00+08:00"
            + $"; later redemptions moved to the sooner lots they would have taken: R2 A -50 until {AExpiry} instead of D -50 until 2027-03-03T12:00:00+08:00");
        Assert.Equal([("A", 50L, TestMember.Shanghai(2027, 1, 1))], // R2 can itself be undone, to A
            state.Redemptions.Single(r => r.RedemptionId == "R2").Lots!.Select(p => (p.LotId!, p.Points, p.ExpiresAt)));
    }

    /// <summary>A (600) and C (200) bought; R1 takes 700 at <paramref name="redeemAt"/>; C refunded in full at <paramref name="refundAt"/> owes 100.</summary>
    internal static (ProgramOptions Options, MemberState State) RedeemedThenRefunded(DateTimeOffset redeemAt, DateTimeOffset refundAt)
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-debt" };
        Buy(state, options, "A", 300m, AAt);
        Buy(state, options, "C", 200m, CAt);
        Assert.Equal([("A", AExpiry, 600L), ("C", "2027-02-01T12:00:00+08:00", 200L)], Lots(state));
        Assert.True(MemberDecider.Redeem(state, "R1", 700, null, "kettle", options, redeemAt, Metrics, storeId: "S001").Reply.Accepted);
        Assert.Equal([("A", 600L), ("C", 100L)], state.Redemptions.Single().Lots!.Select(p => (p.LotId!, p.Points)));
        var refund = MemberDecider.Apply(state, new MemberEvent("refund-C", MemberEventTypes.Refund, refundAt) { OrderId = "C", Amount = 200m }, options, refundAt, Metrics);
        Assert.Equal(EventStatus.Applied, refund.Reply.Status);
        Assert.Equal([new DebtPiece(100, refundAt.ToUniversalTime())], state.PointsDebtPieces);
        Assert.Equal(-100, PointsWallet.Balance(state));
        return (options, state);
    }

    /// <summary>
    /// What every case ends with: no debt, the balance, the undo's one entry and the ledger summing to the balance; the
    /// undo's gauges (outstanding up by <paramref name="delta"/>, debt down by <paramref name="debtPaid"/>) and the
    /// programme's liability in CNY from every step's gauges summed.
    /// </summary>
    internal static void AssertEnds(MemberState state, MemberOutcome<AdjustmentDecision> undone, long balance, decimal liability, long delta, long debtPaid, string lots)
    {
        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal((0L, balance), (state.PointsDebt, PointsWallet.Balance(state)));
        Assert.Empty(state.PointsDebtPieces);
        var gauges = undone.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions).Where(c => c.IsGauge).ToList();
        Assert.Equal((delta, -debtPaid), (gauges.Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsOutstanding)), gauges.Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsDebt))));
        var all = state.Outbox.Pending.OfType<RecordMetrics>().SelectMany(r => r.Contributions).Where(c => c.IsGauge).ToList();
        var (outstanding, debt) = (all.Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsOutstanding)), all.Sum(c => c.Counters.GetValueOrDefault(GaugeNames.PointsDebt)));
        Assert.Equal((balance, 0L), (outstanding, debt));
        Assert.Equal(liability, PointsEconomy.Of([], [], outstanding, 0.01m, 0.28, 0.32, debt).LiabilityCny);
        var entry = Assert.Single(undone.Entries);
        Assert.Equal((AdjustmentPolicy.PointsRule, delta, balance), (entry.RuleId, entry.Delta, entry.BalanceAfter));
        Assert.EndsWith(Prefix + lots, entry.Reason, StringComparison.Ordinal);
        Assert.Equal(-delta, MemberMetricsPolicy.PointsOf(undone.Entries).Redeemed);
        Assert.Equal(balance, state.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        Assert.Null(state.Redemptions.Single(r => r.RedemptionId == "R1").Lots); // used once
    }

    internal static void Buy(MemberState state, ProgramOptions options, string orderId, decimal amount, DateTimeOffset at) =>
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(state, new MemberEvent("buy-" + orderId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount }, options, at, Metrics).Reply.Status);

    private static MemberOutcome<AdjustmentDecision> Undo(MemberState state, string redemptionId, long points, ProgramOptions options, DateTimeOffset at) =>
        RedemptionUndoTests.Undo(state, redemptionId, points, options, at, Metrics);

    /// <summary>The live lots as (id, expiry as the lot keeps it, points left), soonest to expire first.</summary>
    internal static List<(string, string, long)> Lots(MemberState state) =>
        [.. PointsWallet.Lots(state).Select(l => (l.LotId, LotNames.Instant(l.ExpiresAt), l.Remaining))];
}
