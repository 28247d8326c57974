using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a late purchase's lot pays only debt that arose before it expired. In order a lot that expired
/// before a refund's debt arose had already gone to <c>points.expire</c> and never met that debt (docs/ledger.md, "What the points
/// oracle finds out of order", class (b), seeds 16, 81, 127 before the fix). One-month lots, Shanghai instants:
/// A (1 Mar, 999 CNY, first ×2: 1,998) is spent in full on 10 Mar; L (5 Mar, 500 CNY: 500, expires 5 Apr) is delivered
/// late on 20 Apr; A is refunded in full, which leaves a debt of its 1,998 points.
/// </summary>
public class LateLotDebtTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web); // as the grain state serializer writes it

    private static readonly DateTimeOffset LateLotAt = TestMember.Shanghai(2026, 3, 5, 10);
    private static readonly DateTimeOffset LateLotExpiresAt = TestMember.Shanghai(2026, 4, 5, 10);
    private static readonly DateTimeOffset Arrival = TestMember.Shanghai(2026, 4, 20, 10);

    /// <summary>The refund of 10 Apr came after L expired (5 Apr): in order L's 500 expired untouched and the debt is 1,998.</summary>
    [Fact]
    public void ALateLotThatExpiredBeforeTheDebtAroseDoesNotPayIt()
    {
        var refundAt = TestMember.Shanghai(2026, 4, 10, 10);
        var inOrder = Play(refundAt, late: false);
        var late = Play(refundAt, late: true);

        Assert.Equal((-1_998L, 1_998L), (inOrder.Balance, inOrder.State.PointsDebt));
        Assert.Equal((inOrder.Balance, inOrder.State.PointsDebt), (late.Balance, late.State.PointsDebt));
        Assert.Equal(500, late.State.Orders.Single(o => o.OrderId == "L").Expired);
        var expiry = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal((-500L, LateLotExpiresAt), (expiry.Delta, expiry.OccurredAt));
        Assert.Equal(new DebtPiece(1_998, refundAt.ToUniversalTime()), Assert.Single(late.State.PointsDebtPieces));
        AssertLedgerExplainsBalance(inOrder);
        AssertLedgerExplainsBalance(late);
    }

    /// <summary>The refund of 3 Apr came while L was live: in order it took L's 500 and owed 1,498; late, L pays 500 of the debt.</summary>
    [Fact]
    public void ALateLotPaysDebtThatAroseWhileItWasLive()
    {
        var refundAt = TestMember.Shanghai(2026, 4, 3, 10);
        var inOrder = Play(refundAt, late: false);
        var late = Play(refundAt, late: true);

        Assert.Equal((-1_498L, 1_498L), (inOrder.Balance, inOrder.State.PointsDebt));
        Assert.Equal((inOrder.Balance, inOrder.State.PointsDebt), (late.Balance, late.State.PointsDebt));
        Assert.Equal(0, late.State.Orders.Single(o => o.OrderId == "L").Expired);
        Assert.Equal(new DebtPiece(1_498, refundAt.ToUniversalTime()), Assert.Single(late.State.PointsDebtPieces));
        AssertLedgerExplainsBalance(late);
    }

    /// <summary>A debt arisen exactly at L's expiry instant: L had expired at that instant (<see cref="PointsWallet.ExpireDue"/>), so it does not pay it.</summary>
    [Fact]
    public void DebtArisenAtTheLotsExpiryInstantIsNotPaidByIt()
    {
        var inOrder = Play(LateLotExpiresAt, late: false);
        var late = Play(LateLotExpiresAt, late: true);

        Assert.Equal((-1_998L, 1_998L), (inOrder.Balance, inOrder.State.PointsDebt));
        Assert.Equal((-1_998L, 1_998L), (late.Balance, late.State.PointsDebt));
    }

    /// <summary>
    /// A state stored before debt pieces were kept (no <c>pointsDebtPieces</c>, only the total) loads with the debt undated
    /// and behaves as before: the late lot pays it, whenever it arose. The same state stored now keeps the piece.
    /// </summary>
    [Fact]
    public void AStateStoredWithOnlyTheDebtTotalLetsAnyLotPayItAsBefore()
    {
        var member = Play(TestMember.Shanghai(2026, 4, 10, 10), late: true, deliverLate: false);
        var json = JsonSerializer.Serialize(member.State, Web);
        Assert.Contains("\"pointsDebtPieces\":[{\"points\":1998,\"aroseAt\":\"2026-04-10T02:00:00+00:00\"}]", json, StringComparison.Ordinal);

        var old = JsonSerializer.Deserialize<MemberState>(json.Replace("\"pointsDebtPieces\":", "\"pointsDebtPiecesOld\":", StringComparison.Ordinal), Web)!;
        Assert.Equal(1_998, old.PointsDebt);
        Assert.Empty(old.PointsDebtPieces);
        Assert.DoesNotContain("pointsDebtPieces", JsonSerializer.Serialize(old, Web), StringComparison.Ordinal);
        var decision = MemberEngine.Apply(old, new MemberEvent("e-L", MemberEventTypes.Purchase, LateLotAt) { OrderId = "L", Amount = 500m }, member.Options, Arrival);
        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Equal((-1_498L, 1_498L), (PointsWallet.Balance(old), old.PointsDebt));
        Assert.Empty(old.PointsDebtPieces);

        var current = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        Assert.Equal(new DebtPiece(1_998, TestMember.Shanghai(2026, 4, 10, 10).ToUniversalTime()), Assert.Single(current.PointsDebtPieces));
        MemberEngine.Apply(current, new MemberEvent("e-L", MemberEventTypes.Purchase, LateLotAt) { OrderId = "L", Amount = 500m }, member.Options, Arrival);
        Assert.Equal((-1_998L, 1_998L), (PointsWallet.Balance(current), current.PointsDebt));
    }

    /// <summary>
    /// An old row's undated debt is paid first, then the dated pieces that arose before the lot expired, oldest first; what
    /// arose after stays owed.
    /// </summary>
    [Fact]
    public void UndatedDebtIsPaidFirstThenPiecesThatAroseBeforeTheExpiry()
    {
        var state = new MemberState { PointsDebt = 100 }; // as loaded from an old row: 100 undated
        var expiresAt = new DateTimeOffset(2026, 4, 5, 2, 0, 0, TimeSpan.Zero);
        PointsDebtBook.Owe(state, 20, expiresAt.AddDays(-9));
        PointsDebtBook.Owe(state, 30, expiresAt.AddDays(-2));
        PointsDebtBook.Owe(state, 40, expiresAt); // at the expiry instant: after the lot expired

        Assert.Equal(190, state.PointsDebt);
        Assert.Equal(150, PointsDebtBook.Payable(state, expiresAt));
        Assert.Equal(120, PointsDebtBook.Pay(state, 120, expiresAt));
        Assert.Equal(70, state.PointsDebt);
        Assert.Equal([new DebtPiece(30, expiresAt.AddDays(-2)), new DebtPiece(40, expiresAt)], state.PointsDebtPieces);
        Assert.Equal(30, PointsDebtBook.Pay(state, 1_000, expiresAt));
        Assert.Equal([new DebtPiece(40, expiresAt)], state.PointsDebtPieces);
        Assert.Equal(40, PointsDebtBook.Pay(state, 1_000, expiresAt.AddTicks(1)));
        Assert.Equal((0L, 0), (state.PointsDebt, state.PointsDebtPieces.Count));
    }

    /// <summary>
    /// The pieces stay bounded: one more than <see cref="PointsDebtBook.MaxPieces"/> merges the two closest in time into one
    /// at the later instant, the total unchanged, so a lot that expired in between pays neither (never more than in order).
    /// </summary>
    [Fact]
    public void PiecesBeyondTheBoundMergeTheClosestPairAtTheLaterInstant()
    {
        var state = new MemberState();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < PointsDebtBook.MaxPieces; i++)
        {
            PointsDebtBook.Owe(state, 10 + i, start.AddDays(10 * i));
        }

        var last = start.AddDays(10 * (PointsDebtBook.MaxPieces - 1));
        PointsDebtBook.Owe(state, 1, last.AddHours(1)); // closest to the newest piece
        Assert.Equal(PointsDebtBook.MaxPieces, state.PointsDebtPieces.Count);
        Assert.Equal(state.PointsDebt, state.PointsDebtPieces.Sum(p => p.Points));
        Assert.Equal(Enumerable.Range(0, PointsDebtBook.MaxPieces).Sum(i => 10L + i) + 1, state.PointsDebt);
        Assert.Equal(new DebtPiece(10 + PointsDebtBook.MaxPieces - 1 + 1, last.AddHours(1)), state.PointsDebtPieces[^1]);
        Assert.DoesNotContain(state.PointsDebtPieces, p => p.AroseAt == last);

        // A lot expiring between the two merged instants pays the earlier pieces only.
        Assert.Equal(Enumerable.Range(0, PointsDebtBook.MaxPieces - 1).Sum(i => 10L + i), PointsDebtBook.Payable(state, last.AddMinutes(30)));
    }

    /// <summary>
    /// Debt owed after a newer piece was owed is dated no earlier than that piece (in order it may have arisen no earlier:
    /// a late refund finding the lots an on-time refund already took), so a lot expiring in between pays neither.
    /// </summary>
    [Fact]
    public void DebtOwedAfterANewerPieceIsDatedAtThatPiece()
    {
        var state = new MemberState();
        var refundAt = new DateTimeOffset(2026, 4, 18, 5, 0, 0, TimeSpan.Zero);
        PointsDebtBook.Owe(state, 500, refundAt);
        PointsDebtBook.Owe(state, 300, refundAt.AddDays(-7)); // a late refund of 11 Apr, arriving after the one of 18 Apr

        Assert.Equal([new DebtPiece(800, refundAt)], state.PointsDebtPieces);
        Assert.Equal(0, PointsDebtBook.Payable(state, refundAt.AddDays(-1)));
        Assert.Equal(800, PointsDebtBook.Payable(state, refundAt.AddTicks(1)));
    }

    /// <summary>
    /// A late refund of 11 Apr that finds no points, because a refund of 18 Apr (another order's, delivered on time) already
    /// took them, owes debt dated 18 Apr (<see cref="PointsWallet.Reverse"/>: in order its debt arose there, at the later
    /// refund): a lot expiring on 15 Apr pays none of it, one expiring after 18 Apr pays it all.
    /// </summary>
    [Fact]
    public void ALateRefundFindingNoPointsOwesDebtDatedAtTheNewestRefund()
    {
        var lateRefundAt = new DateTimeOffset(2026, 4, 11, 2, 0, 0, TimeSpan.Zero);
        var onTimeRefundAt = new DateTimeOffset(2026, 4, 18, 2, 0, 0, TimeSpan.Zero);
        var refunded = new OrderRecord { OrderId = "B", At = lateRefundAt.AddDays(-30), RefundMarks = [new RefundMark(onTimeRefundAt, 100m)] };
        var late = new OrderRecord { OrderId = "A", At = lateRefundAt.AddDays(-40), Points = 300, Remaining = 0, ExpiresAt = lateRefundAt.AddDays(300) };
        var state = new MemberState();
        state.Orders.AddRange([late, refunded]);

        var taken = PointsWallet.Reverse(state, late, 300, lateRefundAt, now: lateRefundAt.AddDays(1));

        Assert.Equal(300, taken);
        Assert.Equal(new DebtPiece(300, onTimeRefundAt), Assert.Single(state.PointsDebtPieces));
        Assert.Equal(0, PointsDebtBook.Payable(state, new DateTimeOffset(2026, 4, 15, 2, 0, 0, TimeSpan.Zero)));
        Assert.Equal(300, PointsDebtBook.Payable(state, onTimeRefundAt.AddTicks(1)));
    }

    /// <summary>
    /// A refund dated 3 minutes ahead of now (CONTRACT.md §1.1 accepts an <c>occurredAt</c> up to 5 minutes ahead) of an order
    /// already spent, while another lot expires 1 minute from now, at Shanghai midnight: that lot is still live when the event
    /// ends, so the refund takes from it and owes nothing (<see cref="PointsWallet.Reverse"/> judges the skip of expired lots
    /// no later than now, as <see cref="PointsWallet.ExpireOwnBy"/> does). Dated after that midnight with now past it too, the
    /// lot is skipped and the refund owes its points.
    /// </summary>
    [Theory]
    [InlineData(0, 100, 0)]   // now 23:59 Shanghai: the lot is live, it pays
    [InlineData(5, 0, 100)]   // now 00:04: the lot expired at 00:00, before the refund of 00:02, it is skipped: debt
    public void ARefundDatedAheadOfNowSkipsOnlyLotsExpiredByNow(int nowMinutesAfter2359, long takenFromLot, long debt)
    {
        var midnight = new DateTimeOffset(2026, 4, 30, 16, 0, 0, TimeSpan.Zero); // 1 May 00:00 Shanghai
        var now = midnight.AddMinutes(-1 + nowMinutesAfter2359);
        var spent = new OrderRecord { OrderId = "S", At = midnight.AddDays(-20), Points = 100, Remaining = 0, ExpiresAt = midnight.AddDays(300) };
        var live = new OrderRecord { OrderId = "L", At = midnight.AddDays(-60), Points = 100, Remaining = 100, ExpiresAt = midnight };
        var state = new MemberState();
        state.Orders.AddRange([live, spent]);

        var taken = PointsWallet.Reverse(state, spent, 100, midnight.AddMinutes(2), now);

        Assert.Equal(100, taken);
        Assert.Equal(100 - takenFromLot, live.Remaining);
        Assert.Equal(debt, state.PointsDebt);
    }

    /// <summary>
    /// A lot whose expiry is exactly the reversal's instant had nothing to give then: it is skipped (expiry is inclusive).
    /// </summary>
    [Fact]
    public void ALotExpiringExactlyAtTheRefundsInstantIsSkipped()
    {
        var midnight = new DateTimeOffset(2026, 4, 30, 16, 0, 0, TimeSpan.Zero);
        var spent = new OrderRecord { OrderId = "S", At = midnight.AddDays(-20), Points = 100, Remaining = 0, ExpiresAt = midnight.AddDays(300) };
        var live = new OrderRecord { OrderId = "L", At = midnight.AddDays(-60), Points = 100, Remaining = 100, ExpiresAt = midnight };
        var state = new MemberState();
        state.Orders.AddRange([live, spent]);

        PointsWallet.Reverse(state, spent, 100, midnight, now: midnight.AddHours(1));

        Assert.Equal(100, live.Remaining);
        Assert.Equal(100, state.PointsDebt);
    }

    /// <summary>
    /// A row restored from a backup or edited by hand may carry pieces that do not fit the total: loaded, they are put in
    /// time order, pieces of no points dropped, dated debt beyond the total dropped from the oldest, more than
    /// <see cref="PointsDebtBook.MaxPieces"/> merged; and no lot pays more than the total owed (the debt never below 0).
    /// </summary>
    [Fact]
    public void PiecesOfAHandEditedRowAreNormalisedOnLoadAndNeverPayMoreThanTheTotal()
    {
        var at = new DateTimeOffset(2026, 4, 1, 2, 0, 0, TimeSpan.Zero);
        var stored = string.Join(',', Enumerable.Range(0, 12).Reverse().Select(i => $"{{\"points\":{(i == 5 ? 0 : 100)},\"aroseAt\":\"{at.AddDays(i):O}\"}}"));
        var json = $"{{\"memberId\":\"M1\",\"pointsDebt\":500,\"pointsDebtPieces\":[{stored},{{\"points\":-7,\"aroseAt\":\"{at:O}\"}}]}}";

        var state = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        // 11 pieces of 100 (one of 0 and one of -7 dropped) for a total of 500: the 5 newest stay, oldest first.
        Assert.Equal(500, state.PointsDebt);
        Assert.Equal([7, 8, 9, 10, 11], state.PointsDebtPieces.Select(p => (int)(p.AroseAt - at).TotalDays));
        Assert.All(state.PointsDebtPieces, p => Assert.Equal(100, p.Points));
        Assert.Equal(500, PointsDebtBook.Pay(state, 10_000, at.AddDays(30)));
        Assert.Equal((0L, 0), (state.PointsDebt, state.PointsDebtPieces.Count));

        // More pieces than the bound and a total that covers them: merged down to the bound, the total kept.
        var many = JsonSerializer.Deserialize<MemberState>(json.Replace("\"pointsDebt\":500", "\"pointsDebt\":5000", StringComparison.Ordinal), Web)!;
        Assert.Equal(PointsDebtBook.MaxPieces, many.PointsDebtPieces.Count);
        Assert.Equal(1_100, many.PointsDebtPieces.Sum(p => p.Points));
        Assert.Equal(5_000, many.PointsDebt);
        Assert.Equal(5_000, PointsDebtBook.Pay(many, 10_000, at.AddDays(30)));
        Assert.Equal(0, many.PointsDebt);

        // A negative stored total owes nothing.
        var negative = JsonSerializer.Deserialize<MemberState>(json.Replace("\"pointsDebt\":500", "\"pointsDebt\":-40", StringComparison.Ordinal), Web)!;
        Assert.Equal((0L, 0), (negative.PointsDebt, negative.PointsDebtPieces.Count));
        Assert.Equal(0, PointsDebtBook.Pay(negative, 100, at.AddDays(30)));
    }

    /// <summary>
    /// A (999 CNY on 1 Mar: 1,998) redeemed in full on 10 Mar, L (500 CNY on 5 Mar) in order or delivered late on
    /// 20 Apr, and A refunded in full at <paramref name="refundAt"/>. <paramref name="deliverLate"/> false leaves L out.
    /// </summary>
    private static TestMember Play(DateTimeOffset refundAt, bool late, bool deliverLate = true)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 3, 1, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        Applied(member.Purchase("A", 999m));
        if (!late)
        {
            member.Now = LateLotAt;
            Applied(member.Purchase("L", 500m, eventId: "e-L"));
        }

        member.Now = TestMember.Shanghai(2026, 3, 10, 10);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", 1_998, null, null, member.Options, member.Now).Reply.Status);
        member.Now = refundAt;
        MemberDecider.Tick(member.State, member.Options, member.Now);
        Applied(member.Refund("A", 999m));
        member.Now = Arrival;
        if (late && deliverLate)
        {
            Applied(member.Purchase("L", 500m, LateLotAt, eventId: "e-L"));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.Equal(EventStatus.Applied, decision.Status);

    private static void AssertLedgerExplainsBalance(TestMember member) =>
        Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
}
