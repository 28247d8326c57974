using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The undo of catalogue redemption R1 (docs/offers.md) where a later redemption is left as it took its lots, or where
/// taking it again spreads it past what its record keeps (LaterRedemptions): each case fails with its guard removed.
/// Shanghai instants; default programme (1 point = 0.01 CNY, first purchase ×2, 12-month lots).
/// </summary>
public sealed class RedemptionUndoLeftTests
{
    private const string Moved = "; later redemptions moved";
    private static readonly Engagement.Domain.Metrics.MetricsOptions Metrics = RedemptionUndoDebtTests.Metrics;

    /// <summary>
    /// A 600 (until 2027-01-01 12:00), C 200, D 150; R1 takes A 100 (31 Dec 2026 10:00), R2 takes A 500, C 200 and D 150
    /// (11:00); C refunded in full at 12:00 owes 200, more than R1's 100. The undo (2 Jan 2027, A expired) gives R1's 100
    /// back as a grace lot, which pays 100 of the debt as new points do (PointsDebtBook); with debt still owed, R2 is not
    /// taken again (moving it onto A would give D back points while the member owes): its lots stay as they were.
    /// </summary>
    [Fact]
    public void ALaterRedemptionIsNotMovedWhileARefundsDebtExceedingTheUndonePointsIsOwed()
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-left" };
        RedemptionUndoDebtTests.Buy(state, options, "A", 300m, TestMember.Shanghai(2026, 1, 1));
        RedemptionUndoDebtTests.Buy(state, options, "C", 200m, TestMember.Shanghai(2026, 2, 1));
        RedemptionUndoDebtTests.Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 12, 31, 9));
        Redeem(state, options, "R1", 100, TestMember.Shanghai(2026, 12, 31, 10));
        Redeem(state, options, "R2", 850, TestMember.Shanghai(2026, 12, 31, 11));
        Assert.Equal([("A", 500L), ("C", 200L), ("D", 150L)], Parts(state, "R2"));
        var refundAt = TestMember.Shanghai(2026, 12, 31, 12);
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(state, new MemberEvent("refund-C", MemberEventTypes.Refund, refundAt) { OrderId = "C", Amount = 200m }, options, refundAt, Metrics).Reply.Status);
        Assert.Equal((200L, -200L), (state.PointsDebt, PointsWallet.Balance(state)));

        var undone = RedemptionUndoTests.Undo(state, "R1", 100, options, TestMember.Shanghai(2027, 1, 2, 12), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal([("A", 500L), ("C", 200L), ("D", 150L)], Parts(state, "R2"));
        Assert.DoesNotContain(Moved, Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal((100L, -100L), (state.PointsDebt, PointsWallet.Balance(state)));
        Assert.Equal([new DebtPiece(100, refundAt.ToUniversalTime())], state.PointsDebtPieces);
        Assert.Empty(RedemptionUndoDebtTests.Lots(state)); // the grace lot went to the debt, D stays spent
    }

    /// <summary>
    /// The pinned case (R1 takes A 600 and C 100, C refunded, D pays the 100 owed, R2 takes D's 50), then D refunded in
    /// full (3 Mar 14:00) owes 150 (the 100 D paid and R2's 50): D has nothing it could take back (a refund emptied it), so
    /// R2 cannot let go of D and is left on D. A's 600 pay the 150 owed (PointsDebtBook) and C's 100, which its refunded
    /// lot has no room for, refill A: A 550, as had R1 never happened (R2 on A, D's refund from its own lot).
    /// </summary>
    [Fact]
    public void ALaterRedemptionWhoseLotWasRefundedSinceStaysOnThatLot()
    {
        var (options, state) = RedemptionUndoDebtTests.RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        RedemptionUndoDebtTests.Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 3, 3));
        Redeem(state, options, "R2", 50, TestMember.Shanghai(2026, 3, 3, 13));
        var refundAt = TestMember.Shanghai(2026, 3, 3, 14);
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(state, new MemberEvent("refund-D", MemberEventTypes.Refund, refundAt) { OrderId = "D", Amount = 150m }, options, refundAt, Metrics).Reply.Status);
        Assert.Equal((150L, -150L), (state.PointsDebt, PointsWallet.Balance(state)));

        var undone = RedemptionUndoTests.Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal([("D", 50L)], Parts(state, "R2"));
        Assert.DoesNotContain(Moved, Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal([("A", RedemptionUndoDebtTests.AExpiry, 550L)], RedemptionUndoDebtTests.Lots(state));
        Assert.Equal((0L, 550L), (state.PointsDebt, PointsWallet.Balance(state)));
        Assert.Empty(state.PointsDebtPieces);
    }

    /// <summary>
    /// R2 took from 17 lots, so its record keeps 15 and a merged rest (lots not known): it cannot be taken again lot by
    /// lot and is left as it took them; A gets back all of R1's 600.
    /// </summary>
    [Fact]
    public void ALaterRedemptionWithAMergedRestIsLeftAsItTookItsLots()
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-left" };
        RedemptionUndoDebtTests.Buy(state, options, "A", 300m, TestMember.Shanghai(2026, 1, 1));
        for (var i = 1; i <= 17; i++)
        {
            RedemptionUndoDebtTests.Buy(state, options, $"L{i:00}", 10m, TestMember.Shanghai(2026, 2, i));
        }

        Redeem(state, options, "R1", 600, TestMember.Shanghai(2026, 3, 1));
        Redeem(state, options, "R2", 170, TestMember.Shanghai(2026, 3, 2));
        var before = state.Redemptions.Single(r => r.RedemptionId == "R2").Lots!.ToList();
        Assert.Equal((16, null, 20L), (before.Count, before[^1].LotId, before[^1].Points));

        var undone = RedemptionUndoTests.Undo(state, "R1", 600, options, TestMember.Shanghai(2026, 3, 3), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal(before, state.Redemptions.Single(r => r.RedemptionId == "R2").Lots);
        Assert.DoesNotContain(Moved, Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal([("A", RedemptionUndoDebtTests.AExpiry, 600L)], RedemptionUndoDebtTests.Lots(state));
    }

    /// <summary>
    /// R1 took 16 lots of 10 (L01 to L16, its record exact); R2 took 200 of Z (later). Taken again, R2 spreads over L01 to
    /// L16 and Z's 40: 17 lots, kept as a record keeps them (15 and a merged rest of 50 at Z's expiry), so its own undo
    /// still gives back exactly its 200 (15 lots +10 each, the rest as a lot of its own until Z's expiry).
    /// </summary>
    [Fact]
    public void ALaterRedemptionSpreadPastSixteenLotsKeepsAMergedRestAndItsOwnUndoSumsToItsPoints()
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-left" };
        RedemptionUndoDebtTests.Buy(state, options, "L01", 5m, TestMember.Shanghai(2026, 2, 1)); // the first purchase ×2: 10
        for (var i = 2; i <= 16; i++)
        {
            RedemptionUndoDebtTests.Buy(state, options, $"L{i:00}", 10m, TestMember.Shanghai(2026, 2, i));
        }

        RedemptionUndoDebtTests.Buy(state, options, "Z", 300m, TestMember.Shanghai(2026, 3, 1));
        Redeem(state, options, "R1", 160, TestMember.Shanghai(2026, 3, 2));
        Assert.Equal(16, state.Redemptions.Single(r => r.RedemptionId == "R1").Lots!.Count(p => p.LotId is not null));
        Redeem(state, options, "R2", 200, TestMember.Shanghai(2026, 3, 3));
        Assert.Equal([("Z", 200L)], Parts(state, "R2"));

        var undone = RedemptionUndoTests.Undo(state, "R1", 160, options, TestMember.Shanghai(2026, 3, 4), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        var lots = state.Redemptions.Single(r => r.RedemptionId == "R2").Lots!;
        Assert.Equal(RedemptionUndo.MaxLotsPerRedemption, lots.Count);
        Assert.Equal((null, 50L, TestMember.Shanghai(2027, 3, 1)), (lots[^1].LotId, lots[^1].Points, lots[^1].ExpiresAt));
        Assert.Equal(200L, lots.Sum(p => p.Points));
        Assert.Equal([("Z", "2027-03-01T12:00:00+08:00", 260L)], RedemptionUndoDebtTests.Lots(state));

        var again = RedemptionUndoTests.Undo(state, "R2", 200, options, TestMember.Shanghai(2026, 3, 5), Metrics);

        Assert.Equal((AdjustmentStatuses.Applied, 200L), (again.Reply.Status, Assert.Single(again.Entries).Delta));
        Assert.Equal(460, PointsWallet.Balance(state));
        Assert.Equal(150L, PointsWallet.Lots(state).Where(l => l.LotId.StartsWith('L')).Sum(l => l.Remaining));
    }

    /// <summary>A catalogue redemption at store S001 (its lots kept, so the engine may undo it), accepted.</summary>
    private static void Redeem(MemberState state, ProgramOptions options, string redemptionId, long points, DateTimeOffset at) =>
        Assert.True(MemberDecider.Redeem(state, redemptionId, points, null, "mug", options, at, Metrics, storeId: "S001").Reply.Accepted);

    private static List<(string Lot, long Points)> Parts(MemberState state, string redemptionId) =>
        [.. state.Redemptions.Single(r => r.RedemptionId == redemptionId).Lots!.Select(p => (p.LotId!, p.Points))];
}
