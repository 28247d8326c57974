using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The undo of catalogue redemption R1 (docs/offers.md) after later catalogue redemptions that kept their lots: had R1
/// never happened, each later one would have taken the soonest-expiring points (CONTRACT.md §2), some of those R1's undo
/// gives back, so the undo moves them there (LaterRedemptions). Each case is checked against that member, lot by lot
/// (R1's points whose lot has expired by the undo come back as its 30-day grace lot, the one designed difference), with
/// the balance, the ledger, the gauges and the later redemptions' recorded lots. Shanghai instants; default programme
/// (1 point = 0.01 CNY, first purchase ×2, 12-month lots). A: 300 CNY on 1 Jan 2026 (600 points until 2027-01-01 12:00);
/// C: 200 CNY on 1 Feb 2026 (200 until 2027-02-01 12:00).
/// </summary>
public sealed class RedemptionUndoLaterTests
{
    private const string AExpiry = RedemptionUndoDebtTests.AExpiry;
    private const string CExpiry = "2027-02-01T12:00:00+08:00";
    private const string Moved = "; later redemptions moved to the sooner lots they would have taken: ";
    private static readonly Engagement.Domain.Metrics.MetricsOptions Metrics = RedemptionUndoDebtTests.Metrics;

    /// <summary>
    /// R1 takes A 600 and C 100 (1 Mar); D: 150 CNY on 3 Mar, under a 10-character CJK order id (kept as its key, OrderIds);
    /// R2 takes C's 50 left, R3 C's other 50 and 50 of D. Never R1: R2 and R3 take A's (A 450, C 200, D 150); today's rule
    /// left A 600, C 100, D 100 (150 points expiring at A's expiry that the member should keep to C's and D's).
    /// </summary>
    [Fact]
    public void TwoLaterRedemptionsAreBothMovedOntoTheSoonestLot()
    {
        var (options, state) = Bought();
        var dId = new string('订', 10);
        var dKey = OrderIds.Key(dId);
        Assert.NotEqual(dId, dKey);
        Redeem(state, options, "R1", 700, TestMember.Shanghai(2026, 3, 1));
        RedemptionUndoDebtTests.Buy(state, options, dId, 150m, TestMember.Shanghai(2026, 3, 3));
        Redeem(state, options, "R2", 50, TestMember.Shanghai(2026, 3, 3, 13));
        Redeem(state, options, "R3", 100, TestMember.Shanghai(2026, 3, 3, 14));
        Assert.Equal([("C", 50L), (dKey, 50L)], Parts(state, "R3").Select(p => (p.Lot, p.Points)));

        var undone = RedemptionUndoTests.Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4), Metrics);

        const string DExpiry = "2027-03-03T12:00:00+08:00";
        Assert.Equal([("A", AExpiry, 450L), ("C", CExpiry, 200L), (dKey, DExpiry, 150L)], RedemptionUndoDebtTests.Lots(state));
        var d = LotNames.Shown(dKey);
        RedemptionUndoDebtTests.AssertEnds(state, undone, balance: 800, liability: 8.00m, delta: 700, debtPaid: 0,
            $"A +600 until {AExpiry}, C +100 until {CExpiry}"
            + $"{Moved}R2 A -50 until {AExpiry} instead of C -50 until {CExpiry}, R3 A -100 until {AExpiry} instead of C -50 until {CExpiry} and {d} -50 until {DExpiry}");
        Assert.Equal([("A", 50L)], Parts(state, "R2").Select(p => (p.Lot, p.Points)));
        Assert.Equal([("A", 100L)], Parts(state, "R3").Select(p => (p.Lot, p.Points)));
    }

    /// <summary>
    /// R1 (31 Dec 2026 10:00) takes A 600 and C 100; D: 150 CNY at 11:00; R2 (13:00) takes C 100 and D 50; R3 (2 Jan 2027,
    /// after A's expiry) takes D 50; the undo comes on 2 Feb, after C's expiry too. Never R1: R2 takes A's 150 (A's other 450
    /// expire on 1 Jan), R3 C's 50 (A had expired at its instant: never taken from it), C's other 150 expire on 1 Feb, D
    /// keeps 150. R1's expired points come back as the grace lot: 600 of them (700 less what R2 and R3 now take from A and
    /// C, plus C's 100 R2 let go of, itself expired), D 150; today's rule gave a grace lot of 700 and D 50. The reason names
    /// the moves within the grace lot as the grace lot's (A and C in brackets), not as points taken from expired lots.
    /// </summary>
    [Fact]
    public void ALaterRedemptionThatTookFromALotExpiredByNowMovesWithinTheGraceLotAndNeverOntoALotExpiredAtItsInstant()
    {
        var (options, state) = Bought();
        Redeem(state, options, "R1", 700, TestMember.Shanghai(2026, 12, 31, 10));
        RedemptionUndoDebtTests.Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 12, 31, 11));
        Redeem(state, options, "R2", 150, TestMember.Shanghai(2026, 12, 31, 13));
        Redeem(state, options, "R3", 50, TestMember.Shanghai(2027, 1, 2));
        Assert.Equal([("C", 100L), ("D", 50L)], Parts(state, "R2").Select(p => (p.Lot, p.Points)));
        Assert.Equal([("D", 50L)], Parts(state, "R3").Select(p => (p.Lot, p.Points)));
        var undoAt = TestMember.Shanghai(2027, 2, 2);

        var undone = RedemptionUndoTests.Undo(state, "R1", 700, options, undoAt, Metrics);

        const string DExpiry = "2027-12-31T11:00:00+08:00";
        var grace = AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R1");
        Assert.Equal([(grace, "2027-03-04T12:00:00+08:00", 600L), ("D", DExpiry, 150L)], RedemptionUndoDebtTests.Lots(state));
        RedemptionUndoDebtTests.AssertEnds(state, undone, balance: 750, liability: 7.50m, delta: 700, debtPaid: 0,
            $"A +600 expired at {AExpiry}, a 30-day grace lot until 2027-03-04T12:00:00+08:00, C +100 expired at {CExpiry}, a 30-day grace lot until 2027-03-04T12:00:00+08:00"
            + $"{Moved}R2 the grace lot -150 (A, expired at {AExpiry}) instead of the grace lot -100 (C, expired at {CExpiry}) and D -50 until {DExpiry}, "
            + $"R3 the grace lot -50 (C, expired at {CExpiry}) instead of D -50 until {DExpiry}");
        Assert.Equal([("A", 150L)], Parts(state, "R2").Select(p => (p.Lot, p.Points)));
        Assert.Equal([("C", 50L)], Parts(state, "R3").Select(p => (p.Lot, p.Points)));
    }

    /// <summary>
    /// The pinned case (RedemptionUndoDebtTests: R1, C refunded, D pays the debt, R2 takes D's 50), then R2 is undone too:
    /// its 50 go back to A, where R1's undo moved it, and the member holds what they would have held had neither happened
    /// (A 600, D 150). Today's rule gave R2's 50 back to D, and between the two undos A held 600 and D 100.
    /// </summary>
    [Fact]
    public void ALaterRedemptionMovedByAnUndoIsItselfUndoneToTheLotItWasMovedTo()
    {
        var (options, state) = PinnedCaseUndone(TestMember.Shanghai(2026, 3, 4));
        Assert.Equal([("A", AExpiry, 550L), ("D", "2027-03-03T12:00:00+08:00", 150L)], RedemptionUndoDebtTests.Lots(state));

        var undone = RedemptionUndoTests.Undo(state, "R2", 50, options, TestMember.Shanghai(2026, 3, 5), Metrics);

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal([("A", AExpiry, 600L), ("D", "2027-03-03T12:00:00+08:00", 150L)], RedemptionUndoDebtTests.Lots(state));
        Assert.EndsWith($"; points back to their lots: A +50 until {AExpiry}", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal(750, PointsWallet.Balance(state));
        Assert.Null(state.Redemptions.Single(r => r.RedemptionId == "R2").Lots);
    }

    /// <summary>
    /// The pinned case undone, then the member's ticks: at A's expiry (1 Jan 2027 12:00) 550 points expire, not 600, dated
    /// at that instant; D's 150, not 100, at its own (3 Mar 2027 12:00). The ledger sums to the balance throughout.
    /// </summary>
    [Fact]
    public void AfterTheUndoEachLotExpiresWhatItWouldHaveHeldAtItsOwnInstant()
    {
        var (options, state) = PinnedCaseUndone(TestMember.Shanghai(2026, 3, 4));
        Assert.DoesNotContain(MemberDecider.Tick(state, options, TestMember.Shanghai(2027, 1, 1, 11, 59)).Entries, e => e.RuleId == RuleIds.PointsExpire);

        var atA = MemberDecider.Tick(state, options, TestMember.Shanghai(2027, 1, 1, 12)).Entries.Where(e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal([(-550L, TestMember.Shanghai(2027, 1, 1, 12))], atA.Select(e => (e.Delta, e.EffectiveOccurredAt)));
        Assert.Equal(150, PointsWallet.Balance(state));

        var atD = MemberDecider.Tick(state, options, TestMember.Shanghai(2027, 3, 3, 12)).Entries.Where(e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal([(-150L, TestMember.Shanghai(2027, 3, 3, 12))], atD.Select(e => (e.Delta, e.EffectiveOccurredAt)));
        Assert.Equal((0L, 0L), (PointsWallet.Balance(state), state.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta)));
    }

    /// <summary>
    /// A member state written by the previous engine, stored and read back (web JSON, as the grain stores it): D under a
    /// 10-character CJK order id, and R2's part naming D by its full id, as an engine before keys were kept wrote it
    /// (OrderIds: the full id and its key name the same lot). The undo finds D by either and moves R2 onto A as above.
    /// </summary>
    [Fact]
    public void AStateStoredByThePreviousEngineLoadsAndItsLaterRedemptionIsMoved()
    {
        var (options, state) = RedemptionUndoDebtTests.RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        var dId = new string('订', 10);
        RedemptionUndoDebtTests.Buy(state, options, dId, 150m, TestMember.Shanghai(2026, 3, 3));
        Redeem(state, options, "R2", 50, TestMember.Shanghai(2026, 3, 3, 13));
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, web), web)!;
        var r2 = stored.Redemptions.Single(r => r.RedemptionId == "R2");
        r2.Lots = [r2.Lots!.Single() with { LotId = dId }];

        var undone = RedemptionUndoTests.Undo(stored, "R1", 700, options, TestMember.Shanghai(2026, 3, 4), Metrics);

        Assert.Equal([("A", AExpiry, 550L), (OrderIds.Key(dId), "2027-03-03T12:00:00+08:00", 150L)], RedemptionUndoDebtTests.Lots(stored));
        Assert.Equal((AdjustmentStatuses.Applied, 700L), (undone.Reply.Status, PointsWallet.Balance(stored)));
        Assert.Equal([("A", 50L)], Parts(stored, "R2").Select(p => (p.Lot, p.Points)));
    }

    /// <summary>
    /// A later points redemption (no reward: the engine never undoes one) keeps the lots it took while R1 keeps its own, and
    /// is moved as a catalogue one is: R2 of 50 points spent D's 50, and after R1's undo A holds 550 and D 150 (before points
    /// redemptions kept their lots, A 600 and D 100: 50 points expiring on A's day the member should keep to D's).
    /// RedemptionUndoPointsTests checks more such members against the one that never made R1.
    /// </summary>
    [Fact]
    public void ALaterPointsRedemptionIsMovedOntoTheSoonestLotAsACatalogueOneIs()
    {
        var (options, state) = RedemptionUndoDebtTests.RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        RedemptionUndoDebtTests.Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 3, 3));
        var points = MemberDecider.Redeem(state, "R2", 50, null, null, options, TestMember.Shanghai(2026, 3, 3, 13), Metrics, storeId: "S001");
        Assert.True(points.Reply.Accepted);
        Assert.Equal([("D", 50L)], Parts(state, "R2").Select(p => (p.Lot, p.Points)));

        var undone = RedemptionUndoTests.Undo(state, "R1", 700, options, TestMember.Shanghai(2026, 3, 4), Metrics);

        Assert.Equal([("A", AExpiry, 550L), ("D", "2027-03-03T12:00:00+08:00", 150L)], RedemptionUndoDebtTests.Lots(state));
        Assert.EndsWith($"{Moved}R2 A -50 until {AExpiry} instead of D -50 until 2027-03-03T12:00:00+08:00", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
        Assert.Equal(700, PointsWallet.Balance(state));
        Assert.Null(state.Redemptions.Single(r => r.RedemptionId == "R2").Lots); // no undoable one before it is left
    }

    private static (ProgramOptions Options, MemberState State) PinnedCaseUndone(DateTimeOffset undoAt)
    {
        var (options, state) = RedemptionUndoDebtTests.RedeemedThenRefunded(TestMember.Shanghai(2026, 3, 1), TestMember.Shanghai(2026, 3, 2));
        RedemptionUndoDebtTests.Buy(state, options, "D", 150m, TestMember.Shanghai(2026, 3, 3));
        Redeem(state, options, "R2", 50, TestMember.Shanghai(2026, 3, 3, 13));
        Assert.Equal(AdjustmentStatuses.Applied, RedemptionUndoTests.Undo(state, "R1", 700, options, undoAt, Metrics).Reply.Status);
        return (options, state);
    }

    /// <summary>A (600 until 2027-01-01 12:00) and C (200 until 2027-02-01 12:00) bought, nothing spent.</summary>
    private static (ProgramOptions Options, MemberState State) Bought()
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-undo-later" };
        RedemptionUndoDebtTests.Buy(state, options, "A", 300m, TestMember.Shanghai(2026, 1, 1));
        RedemptionUndoDebtTests.Buy(state, options, "C", 200m, TestMember.Shanghai(2026, 2, 1));
        return (options, state);
    }

    /// <summary>A catalogue redemption at store S001 (its lots kept, so the engine may undo it), accepted.</summary>
    private static void Redeem(MemberState state, ProgramOptions options, string redemptionId, long points, DateTimeOffset at) =>
        Assert.True(MemberDecider.Redeem(state, redemptionId, points, null, "mug", options, at, Metrics, storeId: "S001").Reply.Accepted);

    private static List<(string Lot, long Points)> Parts(MemberState state, string redemptionId) =>
        [.. state.Redemptions.Single(r => r.RedemptionId == redemptionId).Lots!.Select(p => (p.LotId!, p.Points))];
}
