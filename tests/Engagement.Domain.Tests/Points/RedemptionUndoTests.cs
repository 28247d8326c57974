using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A catalogue redemption undone by the engine (its reward unit lost after the points were taken: adjustment
/// <c>redemption-undo:{redemptionId}</c>) gives each point back to the lot it was taken from, with that lot's own expiry
/// (CONTRACT.md §2 lots, §5 points economy), not as a fresh 12-month lot.
/// </summary>
public sealed class RedemptionUndoTests
{
    // Purchases: O-old on 2025-12-10 (expires 2026-12-10 12:00 Shanghai), O-new on 2026-06-01 (expires 2027-06-01).
    private static readonly DateTimeOffset OldAt = TestMember.Shanghai(2025, 12, 10);
    private static readonly DateTimeOffset NewAt = TestMember.Shanghai(2026, 6, 1);
    private static readonly TimeSpan Soon = TimeSpan.FromDays(30);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static MemberState TwoLots(ProgramOptions options)
    {
        var state = new MemberState { MemberId = "M-undo" };
        MemberDecider.Apply(state, new MemberEvent("e1", MemberEventTypes.Purchase, OldAt) { OrderId = "O-old", Amount = 300m }, options, OldAt);
        MemberDecider.Apply(state, new MemberEvent("e2", MemberEventTypes.Purchase, NewAt) { OrderId = "O-new", Amount = 1_000m }, options, NewAt);
        return state;
    }

    /// <summary>The engine's undo of redemption <paramref name="redemptionId"/> (its unit lost), at <paramref name="at"/>.</summary>
    internal static MemberOutcome<AdjustmentDecision> Undo(MemberState state, string redemptionId, long points, ProgramOptions options, DateTimeOffset at, MetricsOptions? metrics = null) =>
        MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + redemptionId, AdjustmentPolicy.PointsKind, points,
            $"redemption {redemptionId} undone: its unit was released and none is left (kettle at S001)", options, at, metrics);

    private static long ExpiringSoon(MemberState state, DateTimeOffset now) =>
        PointsWallet.LotsExpiringWithin(state, now, Soon).Sum(l => l.Remaining);

    [Fact]
    public void AnUndoneRedemptionGivesEachLotBackWhatItGaveWithItsOwnExpiry()
    {
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var now = TestMember.Shanghai(2026, 12, 4); // O-old expires in 6 days
        var before = PointsWallet.Lots(state);
        Assert.Equal(["O-old", "O-new"], before.Select(l => l.LotId));
        var (oldPoints, newPoints) = (before[0].Remaining, before[1].Remaining);
        var (balance, soon) = (PointsWallet.Balance(state), ExpiringSoon(state, now));
        Assert.Equal(oldPoints, soon);

        // 200 more than O-old holds: the oldest-expiring lot first, then 200 of O-new.
        var redeemed = MemberDecider.Redeem(state, "R1", oldPoints + 200, null, "kettle", options, now, storeId: "S001");
        Assert.True(redeemed.Reply.Accepted);
        Assert.Equal(["O-new"], PointsWallet.Lots(state).Select(l => l.LotId));

        var undone = Undo(state, "R1", oldPoints + 200, options, now.AddMinutes(20));

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        var after = PointsWallet.Lots(state);
        Assert.Equal(before.Select(l => (l.LotId, l.ExpiresAt, l.Remaining)), after.Select(l => (l.LotId, l.ExpiresAt, l.Remaining)));
        Assert.Equal(balance, PointsWallet.Balance(state));
        Assert.Equal(balance, undone.Reply.BalanceAfter);
        Assert.Equal(soon, ExpiringSoon(state, now.AddMinutes(20)));

        // One entry, the whole give-back (the points economy nets it out of redeemed), naming each lot and what it got back.
        var entry = Assert.Single(undone.Entries);
        Assert.Equal((AdjustmentPolicy.PointsRule, oldPoints + 200, balance), (entry.RuleId, entry.Delta, entry.BalanceAfter));
        Assert.Contains($"O-old +{oldPoints} until 2026-12-10T12:00:00+08:00", entry.Reason, StringComparison.Ordinal);
        Assert.Contains("O-new +200 until 2027-06-01T12:00:00+08:00", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(-(oldPoints + 200), MemberMetricsPolicy.PointsOf(undone.Entries).Redeemed);
        Assert.Equal(newPoints, after[1].Remaining);
    }

    [Fact]
    public void APartWhoseLotExpiredBeforeTheUndoComesBackAsAGraceLot()
    {
        var options = new ProgramOptions(); // RedemptionUndoGraceDays 30 by default
        var state = TwoLots(options);
        var oldPoints = PointsWallet.Lots(state)[0].Remaining;
        var redeemedAt = TestMember.Shanghai(2026, 12, 10, 11); // an hour before O-old expires
        Assert.True(MemberDecider.Redeem(state, "R2", oldPoints + 100, null, "kettle", options, redeemedAt, storeId: "S001").Reply.Accepted);
        var newLeft = PointsWallet.Lots(state).Single().Remaining;

        var undoAt = TestMember.Shanghai(2026, 12, 10, 15); // O-old expired at 12:00
        var undone = Undo(state, "R2", oldPoints + 100, options, undoAt);

        // O-old's part would have expired: not resurrected for a year, and not lost either: 30 days to use it.
        var lots = PointsWallet.Lots(state);
        var grace = Assert.Single(lots, l => l.LotId != "O-new");
        Assert.Equal((oldPoints, TestMember.Shanghai(2027, 1, 9, 15)), (grace.Remaining, grace.ExpiresAt));
        Assert.Equal(newLeft + 100, lots.Single(l => l.LotId == "O-new").Remaining);
        Assert.Equal(oldPoints + 100 + newLeft, PointsWallet.Balance(state));
        var entry = Assert.Single(undone.Entries);
        Assert.Contains("O-new +100 until 2027-06-01T12:00:00+08:00", entry.Reason, StringComparison.Ordinal);
        Assert.Contains($"O-old +{oldPoints} expired at 2026-12-10T12:00:00+08:00, a 30-day grace lot until 2027-01-09T15:00:00+08:00", entry.Reason, StringComparison.Ordinal);

        // The grace lot expires like any lot at its instant.
        var tick = MemberDecider.Tick(state, options, TestMember.Shanghai(2027, 1, 9, 15));
        Assert.Contains(tick.Entries, e => e.RuleId == RuleIds.PointsExpire && e.Delta == -oldPoints);
        Assert.Equal(100 + newLeft, PointsWallet.Balance(state));
    }

    [Fact]
    public void TheLotsOfARedemptionAreStoredWithTheMemberAndARedemptionStoredWithoutThemFallsBackToAFreshLot()
    {
        var options = new ProgramOptions();
        var now = TestMember.Shanghai(2026, 12, 4);
        var state = TwoLots(options);
        var before = PointsWallet.Lots(state);
        Assert.True(MemberDecider.Redeem(state, "R3", before[0].Remaining + 10, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        var stored = JsonSerializer.SerializeToNode(state, Web)!;

        // Read back as a silo restart would: the undo still finds the lots.
        var restarted = stored.Deserialize<MemberState>(Web)!;
        Undo(restarted, "R3", before[0].Remaining + 10, options, now.AddMinutes(5));
        Assert.Equal(before.Select(l => (l.LotId, l.ExpiresAt, l.Remaining)), PointsWallet.Lots(restarted).Select(l => (l.LotId, l.ExpiresAt, l.Remaining)));

        // A redemption stored before its lots were recorded: today's fallback, one fresh lot of the whole give-back.
        foreach (var record in stored["redemptions"]!.AsArray())
        {
            record!.AsObject().Remove("lots");
        }

        var legacy = stored.Deserialize<MemberState>(Web)!;
        var balance = PointsWallet.Balance(legacy) + before[0].Remaining + 10;
        Undo(legacy, "R3", before[0].Remaining + 10, options, now.AddMinutes(5));
        var fresh = Assert.Single(PointsWallet.Lots(legacy), l => l.LotId == AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R3"));
        Assert.Equal((before[0].Remaining + 10, PointsWallet.ExpiryOf(legacy, options, now.AddMinutes(5))), (fresh.Remaining, fresh.ExpiresAt));
        Assert.Equal(balance, PointsWallet.Balance(legacy));
    }

    [Fact]
    public void TheUndoIsOnceHoweverOftenItIsAsked()
    {
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var now = TestMember.Shanghai(2026, 12, 4);
        var balance = PointsWallet.Balance(state);
        Assert.True(MemberDecider.Redeem(state, "R4", 700, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        Assert.Equal(AdjustmentStatuses.Applied, Undo(state, "R4", 700, options, now.AddMinutes(1)).Reply.Status);

        var again = Undo(state, "R4", 700, options, now.AddMinutes(2));

        Assert.Equal(AdjustmentStatuses.Replayed, again.Reply.Status);
        Assert.Empty(again.Entries);
        Assert.Equal(balance, PointsWallet.Balance(state));
    }

    [Fact]
    public void ARedemptionKeepsAtMostSixteenLotsAndOnlyTheNewestFourRedemptionsKeepThem()
    {
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-many" };
        for (var i = 0; i < 20; i++)
        {
            var at = TestMember.Shanghai(2026, 1, 1).AddDays(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = $"O-{i:00}", Amount = 10m }, options, at);
        }

        var now = TestMember.Shanghai(2026, 6, 1);
        var before = PointsWallet.Lots(state);
        var balance = PointsWallet.Balance(state);
        Assert.True(MemberDecider.Redeem(state, "R-all", balance, null, "kettle", options, now, storeId: "S001").Reply.Accepted);

        // 15 lots exactly, the other 5 as one part at the latest of their expiries.
        var parts = state.Redemptions.Single().Lots!;
        Assert.Equal(RedemptionUndo.MaxLotsPerRedemption, parts.Count);
        Assert.Equal(before.Take(15).Select(l => (l.LotId, l.Remaining, l.ExpiresAt)), parts.Take(15).Select(p => (p.LotId!, p.Points, p.ExpiresAt)));
        Assert.Equal((null, before.Skip(15).Sum(l => l.Remaining), before[^1].ExpiresAt), (parts[^1].LotId, parts[^1].Points, parts[^1].ExpiresAt));

        Undo(state, "R-all", balance, options, now.AddMinutes(3));
        var after = PointsWallet.Lots(state);
        Assert.Equal(before.Take(15).Select(l => (l.LotId, l.Remaining)), after.Take(15).Select(l => (l.LotId, l.Remaining)));
        var rest = Assert.Single(after.Skip(15));
        Assert.Equal((AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R-all"), before.Skip(15).Sum(l => l.Remaining), before[^1].ExpiresAt),
            (rest.LotId, rest.Remaining, rest.ExpiresAt));
        Assert.Equal(balance, PointsWallet.Balance(state));
        Assert.Null(state.Redemptions.Single().Lots); // used once, then dropped

        // Only the newest four catalogue redemptions at a store keep their lots (state stays bounded); a store-less one,
        // never undone, keeps its own only so that their undo can move it (at most the newest three such, after them).
        for (var i = 0; i < 6; i++)
        {
            Assert.True(MemberDecider.Redeem(state, $"R-{i}", 1, null, "kettle", options, now.AddHours(1 + i), storeId: "S001").Reply.Accepted);
        }

        Assert.True(MemberDecider.Redeem(state, "R-shop", 1, null, "kettle", options, now.AddHours(9)).Reply.Accepted);
        Assert.Equal(["R-2", "R-3", "R-4", "R-5", "R-shop"], state.Redemptions.Where(r => r.Lots is not null).Select(r => r.RedemptionId));
        Assert.False(RedemptionUndo.MayBeUndone(state.Redemptions[^1]));
    }

    [Fact]
    public void ASpentLotTheOrderCapSummarisedSinceComesBackAsALotOfItsOwnWithItsExpiry()
    {
        var options = new ProgramOptions { MaxOrders = 1 };
        var state = TwoLots(options);
        var now = TestMember.Shanghai(2026, 12, 4);
        var before = PointsWallet.Lots(state);
        Assert.True(MemberDecider.Redeem(state, "R5", before[0].Remaining + 1, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        Assert.DoesNotContain(state.Orders, o => o.OrderId == "O-old"); // spent, and summarised by the count cap

        var undone = Undo(state, "R5", before[0].Remaining + 1, options, now.AddMinutes(1));

        var own = AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R5");
        Assert.Equal([(own, before[0].ExpiresAt, before[0].Remaining), ("O-new", before[1].ExpiresAt, before[1].Remaining)],
            PointsWallet.Lots(state).Select(l => (l.LotId, l.ExpiresAt, l.Remaining)));
        Assert.Contains($"O-old +{before[0].Remaining} until 2026-12-10T12:00:00+08:00 in a lot of its own", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
    }
    [Fact]
    public void AnUndoAskedAgainAfterTheIdWindowAndTheRecentIdsIsStillOnce()
    {
        // Every part goes back to an existing lot: no lot under the undo's id marks it applied. 32 days and 70 other
        // events later the id has left the 30-day window and the recent ids; a client's retry must still be a replay.
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var now = TestMember.Shanghai(2026, 12, 4);
        Assert.True(MemberDecider.Redeem(state, "R4", 700, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        Assert.Equal(AdjustmentStatuses.Applied, Undo(state, "R4", 700, options, now.AddMinutes(1)).Reply.Status);
        Assert.DoesNotContain(state.Orders, o => o.OrderId == AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R4"));
        var later = now.AddDays(32);
        for (var i = 0; i < 70; i++)
        {
            MemberDecider.Apply(state, new MemberEvent($"b{i}", MemberEventTypes.Browse, later.AddMinutes(i)), options, later.AddMinutes(i));
        }

        var balance = PointsWallet.Balance(state);
        var lots = PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)).ToList();

        var again = Undo(state, "R4", 700, options, later.AddHours(3));

        Assert.Equal(AdjustmentStatuses.Replayed, again.Reply.Status);
        Assert.Empty(again.Entries);
        Assert.Equal(balance, PointsWallet.Balance(state));
        Assert.Equal(lots, PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)));

        // Asked with another delta it is a conflict, not a second give-back.
        Assert.Equal(AdjustmentStatuses.Conflict, Undo(state, "R4", 701, options, later.AddHours(4)).Reply.Status);
        Assert.Equal(balance, PointsWallet.Balance(state));
    }
    [Fact]
    public void AnUndoWithALotOfItsOwnAskedAgainAfterItsLedgerEntryAndTheIdWindowIsAReplay()
    {
        // R8's undo: O-old's part expired (a grace lot under the undo's id, only part of the delta), 100 back to O-new.
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var oldPoints = PointsWallet.Lots(state)[0].Remaining;
        Assert.True(MemberDecider.Redeem(state, "R8", oldPoints + 100, null, "kettle", options, TestMember.Shanghai(2026, 12, 10, 11), storeId: "S001").Reply.Accepted);
        var undoAt = TestMember.Shanghai(2026, 12, 10, 15);
        Assert.Equal(AdjustmentStatuses.Applied, Undo(state, "R8", oldPoints + 100, options, undoAt).Reply.Status);
        var eventId = AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "R8");
        Assert.Equal(oldPoints, state.Orders.Single(o => o.OrderId == eventId).Points);

        // 31 days and more than LedgerEntriesKept entries later: the undo's entry and its id window are gone, its lot is kept.
        var later = undoAt.AddDays(31);
        for (var i = 0; i < options.LedgerEntriesKept + 5; i++)
        {
            MemberDecider.Adjust(state, $"g{i}", AdjustmentPolicy.GrowthKind, 1, "push", options, later.AddMinutes(i));
        }

        Assert.DoesNotContain(state.Ledger, e => e.EventId == eventId);
        Assert.Contains(state.Orders, o => o.OrderId == eventId);
        var balance = PointsWallet.Balance(state);

        var again = Undo(state, "R8", oldPoints + 100, options, later.AddHours(3));

        Assert.Equal(AdjustmentStatuses.Replayed, again.Reply.Status);
        Assert.Empty(again.Entries);
        Assert.Equal(balance, PointsWallet.Balance(state));
        Assert.Equal(AdjustmentStatuses.Conflict, Undo(state, "R8", oldPoints, options, later.AddHours(4)).Reply.Status);
    }

    [Fact]
    public void AnUndoOfRedemptionXHash2IsNotTakenForTheSecondLotOfTheUndoOfX()
    {
        // X's undo adds two lots of its own (O-old's part expired: a grace lot; O-new's summarised by the count cap).
        var options = new ProgramOptions { MaxOrders = 1 };
        var state = TwoLots(options);
        var at3 = TestMember.Shanghai(2026, 7, 1);
        MemberDecider.Apply(state, new MemberEvent("e3", MemberEventTypes.Purchase, at3) { OrderId = "O-3", Amount = 1_000m }, options, at3);
        var both = PointsWallet.Lots(state).Where(l => l.LotId is "O-old" or "O-new").Sum(l => l.Remaining);
        Assert.True(MemberDecider.Redeem(state, "X", both, null, "kettle", options, TestMember.Shanghai(2026, 12, 10, 11), storeId: "S001").Reply.Accepted);
        Undo(state, "X", both, options, TestMember.Shanghai(2026, 12, 10, 15));
        var own = PointsWallet.Lots(state).Where(l => l.LotId.StartsWith(AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal)).Select(l => l.LotId).ToList();
        Assert.Equal(2, own.Count);

        // A later redemption named "X#2" (ids may hold '#'), undone: its points come back, not taken for already applied.
        var now = TestMember.Shanghai(2026, 12, 11);
        var balance = PointsWallet.Balance(state);
        Assert.True(MemberDecider.Redeem(state, "X#2", 100, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        var undone = Undo(state, "X#2", 100, options, now.AddMinutes(1));

        Assert.Equal(AdjustmentStatuses.Applied, undone.Reply.Status);
        Assert.Equal(100, Assert.Single(undone.Entries).Delta);
        Assert.Equal(balance, PointsWallet.Balance(state));

        // The second lot of X's undo has a name no redemption's undo can have (a unit separator where they have ':').
        Assert.Equal([AdjustmentPolicy.EventIdOf(AdjustmentPolicy.RedemptionUndoPrefix + "X"), "adjustment|redemption-undo\u001F2:X"], own);
    }
    [Fact]
    public void ARefundOfTheLotBetweenRedemptionAndUndoLeavesTheRefundedLotEmptyAndRefillsTheLotTheRefundTookFrom()
    {
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var now = TestMember.Shanghai(2026, 11, 1);
        var before = PointsWallet.Lots(state);
        var (oldPoints, newPoints) = (before[0].Remaining, before[1].Remaining);
        var taken = oldPoints - 10;
        Assert.True(MemberDecider.Redeem(state, "R6", taken, null, "kettle", options, now, storeId: "S001").Reply.Accepted);

        // O-old refunded in full: its own 10, then the points R6 took from it are taken from O-new.
        MemberDecider.Apply(state, new MemberEvent("r1", MemberEventTypes.Refund, now.AddMinutes(1)) { OrderId = "O-old", Amount = 300m }, options, now.AddMinutes(1));
        Assert.Equal([("O-new", newPoints - taken)], PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)));

        var undone = Undo(state, "R6", taken, options, now.AddMinutes(2));

        // Had R6 never happened: O-old refunded in full holds nothing, O-new keeps all it earned.
        Assert.Equal([("O-new", newPoints)], PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)));
        Assert.Equal(newPoints, PointsWallet.Balance(state));
        var entry = Assert.Single(undone.Entries);
        Assert.Equal(taken, entry.Delta);
        Assert.Contains($"O-old's {taken} to O-new +{taken} until 2027-06-01T12:00:00+08:00", entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AHalfRefundedLotGetsBackWhatItGaveOutAndTheRestPaysTheRefundsDebt()
    {
        // One lot only: O-old half refunded after the redemption spent it; the refund's reversal left debt.
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-debt" };
        MemberDecider.Apply(state, new MemberEvent("e1", MemberEventTypes.Purchase, OldAt) { OrderId = "O-old", Amount = 300m }, options, OldAt);
        var earned = PointsWallet.Lots(state).Single().Remaining;
        var now = TestMember.Shanghai(2026, 11, 1);
        Assert.True(MemberDecider.Redeem(state, "R7", earned, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        MemberDecider.Apply(state, new MemberEvent("r1", MemberEventTypes.Refund, now.AddMinutes(1)) { OrderId = "O-old", Amount = 150m }, options, now.AddMinutes(1));
        var reversed = state.Orders.Single().PointsReversed;
        Assert.Equal(-reversed, PointsWallet.Balance(state));

        var undone = Undo(state, "R7", earned, options, now.AddMinutes(2));

        // Nothing created or lost: the balance is what the half refund leaves; O-old holds what it still earns.
        Assert.Equal(earned - reversed, PointsWallet.Balance(state));
        Assert.Equal(0, state.PointsDebt);
        Assert.Equal([("O-old", earned - reversed)], PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)));
        Assert.Contains($"O-old +{earned - reversed} until 2026-12-10T12:00:00+08:00 and its other {reversed} to the debt +{reversed}", Assert.Single(undone.Entries).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatALotHadRoomForButPaidAnotherRefundsDebtIsNamedAsTheDebtsNotTheLots()
    {
        // R9 takes all of O-old and O-new; O-new refunded in full leaves debt, O-old half refunded leaves more.
        var options = new ProgramOptions();
        var state = TwoLots(options);
        var (a, b) = (PointsWallet.Lots(state)[0].Remaining, PointsWallet.Lots(state)[1].Remaining);
        var now = TestMember.Shanghai(2026, 11, 1);
        Assert.True(MemberDecider.Redeem(state, "R9", a + b, null, "kettle", options, now, storeId: "S001").Reply.Accepted);
        MemberDecider.Apply(state, new MemberEvent("r1", MemberEventTypes.Refund, now.AddMinutes(1)) { OrderId = "O-new", Amount = 1_000m }, options, now.AddMinutes(1));
        MemberDecider.Apply(state, new MemberEvent("r2", MemberEventTypes.Refund, now.AddMinutes(2)) { OrderId = "O-old", Amount = 150m }, options, now.AddMinutes(2));
        var r = state.Orders.Single(o => o.OrderId == "O-old").PointsReversed;
        Assert.Equal(b + r, state.PointsDebt);
        Assert.True(b >= a - r); // the debt left after O-old's other r takes all O-old had room for

        var undone = Undo(state, "R9", a + b, options, now.AddMinutes(3));

        // O-old's room (a - r) paid O-new's debt, not O-old; O-new's points then paid the rest of the debt and refilled O-old.
        var reason = Assert.Single(undone.Entries).Reason;
        Assert.EndsWith(
            $"; points back to their lots: O-old's {a} to the debt +{a}, O-new's {b} to the debt +{b - (a - r)} and O-old +{a - r} until 2026-12-10T12:00:00+08:00",
            reason, StringComparison.Ordinal);
        Assert.Equal(0, state.PointsDebt);
        Assert.Equal(a - r, PointsWallet.Balance(state));
        Assert.Equal([("O-old", a - r)], PointsWallet.Lots(state).Select(l => (l.LotId, l.Remaining)));
    }
}
