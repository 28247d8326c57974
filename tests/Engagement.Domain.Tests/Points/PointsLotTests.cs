using Engagement.Domain.Ledger;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

public class PointsLotTests
{
    [Fact]
    public void LotExpiresExactlyTwelveMonthsAfterThePurchase()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m, at: TestMember.Shanghai(2025, 1, 10, 9, 30));

        var lot = Assert.Single(PointsWallet.Lots(member.State));

        Assert.Equal(TestMember.Shanghai(2026, 1, 10, 9, 30), lot.ExpiresAt);
        Assert.Equal(200, lot.Original);
        Assert.Equal("O-1", lot.LotId);
    }

    [Fact]
    public void ALotExpiresOnTheSameLocalDayWhateverOffsetThePurchaseWasWrittenWith()
    {
        // 29 February 2028, 01:00 in Shanghai: one POS writes +08:00, another writes the same instant in UTC (28 February).
        var local = new TestMember(TestMember.Shanghai(2028, 2, 29, 2, 0));
        local.Purchase("O-1", 100m, at: TestMember.Shanghai(2028, 2, 29, 1, 0));
        var utc = new TestMember(TestMember.Shanghai(2028, 2, 29, 2, 0));
        utc.Purchase("O-1", 100m, at: TestMember.Shanghai(2028, 2, 29, 1, 0).ToUniversalTime());

        // 12 months on the member's calendar: 28 February 2029, 01:00 local, for both (docs/publishing-events.md: a lot bought on the 29th expires on the 28th).
        Assert.Equal(TestMember.Shanghai(2029, 2, 28, 1, 0), Assert.Single(PointsWallet.Lots(local.State)).ExpiresAt);
        Assert.Equal(TestMember.Shanghai(2029, 2, 28, 1, 0), Assert.Single(PointsWallet.Lots(utc.State)).ExpiresAt);
    }

    [Fact]
    public void WithASixMonthLifetimeAMonthEndLotWrittenInUtcExpiresOnTheLocalMonthEnd()
    {
        // 31 March 2026, 01:00 in Shanghai is still 30 March in UTC; six months later is 30 September locally, not 1 October.
        var member = new TestMember(TestMember.Shanghai(2026, 3, 31, 2, 0));
        member.Options.PointsLifetimeMonths = 6;
        member.Purchase("O-1", 100m, at: TestMember.Shanghai(2026, 3, 31, 1, 0).ToUniversalTime());

        Assert.Equal(TestMember.Shanghai(2026, 9, 30, 1, 0), Assert.Single(PointsWallet.Lots(member.State)).ExpiresAt);
    }

    [Fact]
    public void LotIsStillThereATickBeforeItsExpiryAndGoneAtIt()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        var expiresAt = member.State.Orders[0].ExpiresAt;

        var before = PointsWallet.ExpireDue(member.State, expiresAt.AddTicks(-1));
        Assert.Empty(before);
        Assert.Equal(200, member.Balance);

        var at = PointsWallet.ExpireDue(member.State, expiresAt);
        var entry = Assert.Single(at);
        Assert.Equal((LedgerKinds.Points, -200L, 0L, RuleIds.PointsExpire), (entry.Kind, entry.Delta, entry.BalanceAfter, entry.RuleId));
        Assert.Contains("O-1", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(0, member.Balance);
        Assert.Empty(PointsWallet.Lots(member.State));
        Assert.Empty(PointsWallet.ExpireDue(member.State, expiresAt.AddDays(1)));
    }

    [Fact]
    public void ExpiryRemovesOnlyWhatIsLeftOfAPartlySpentLot()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Redeem("R-1", 150);

        var entry = Assert.Single(PointsWallet.ExpireDue(member.State, member.State.Orders[0].ExpiresAt));

        Assert.Equal(-50, entry.Delta);
    }

    [Fact]
    public void RedemptionSpendsTheOldestLotFirst()
    {
        // Lots of 200 (first purchase doubled), 100 and 100.
        var member = new TestMember();
        member.Purchase("O-1", 100m, at: TestMember.Shanghai(2025, 1, 10));
        member.Now = TestMember.Shanghai(2025, 2, 10);
        member.Purchase("O-2", 100m);
        member.Now = TestMember.Shanghai(2025, 3, 10);
        member.Purchase("O-3", 100m);

        member.Redeem("R-1", 250);

        var lots = PointsWallet.Lots(member.State);
        Assert.Equal(["O-2", "O-3"], lots.Select(l => l.LotId));
        Assert.Equal([50L, 100L], lots.Select(l => l.Remaining));
        Assert.Equal(150, member.Balance);
    }

    [Fact]
    public void LateEventForAnEarlierPurchaseIsSpentFirstBecauseItExpiresFirst()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 3, 1));
        member.Purchase("O-new", 100m, at: TestMember.Shanghai(2025, 3, 1));
        member.Purchase("O-old", 100m, at: TestMember.Shanghai(2025, 2, 1));

        // The late O-old is the first purchase (200 points); O-new was corrected to 100.
        Assert.Equal([200L, 100L], member.State.Orders.OrderBy(o => o.At).Select(o => o.Remaining));
        member.Redeem("R-1", 200);

        Assert.Equal(["O-new"], PointsWallet.Lots(member.State).Select(l => l.LotId));
    }

    [Fact]
    public void ApplyingAnEventAfterExpiryRecordsTheExpiryInTheSameDecision()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Now = member.State.Orders[0].ExpiresAt.AddMinutes(1);

        var decision = member.Behave("browse");

        Assert.Contains(decision.NewEntries, e => e.RuleId == RuleIds.PointsExpire && e.Delta == -200);
        Assert.Equal(0, decision.PointsBalance);
    }

    [Fact]
    public void LotsExpiringWithinThirtyDaysAreListedOnceAndRememberTheirNotice()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m, at: TestMember.Shanghai(2025, 1, 10));
        member.Now = TestMember.Shanghai(2025, 2, 10);
        member.Purchase("O-2", 100m);
        var window = TimeSpan.FromDays(30);

        var early = PointsWallet.LotsExpiringWithin(member.State, TestMember.Shanghai(2025, 12, 10, 11, 59), window);
        var due = PointsWallet.LotsExpiringWithin(member.State, TestMember.Shanghai(2025, 12, 11), window);

        Assert.Empty(early);
        var lot = Assert.Single(due);
        Assert.Equal("O-1", lot.LotId);
        Assert.Null(lot.NoticeSentAt);

        Assert.True(PointsWallet.MarkExpiryNoticeSent(member.State, "O-1", TestMember.Shanghai(2025, 12, 11)));
        Assert.Equal(TestMember.Shanghai(2025, 12, 11), PointsWallet.LotsExpiringWithin(member.State, TestMember.Shanghai(2025, 12, 12), window)[0].NoticeSentAt);
        Assert.False(PointsWallet.MarkExpiryNoticeSent(member.State, "nope", member.Now));
    }

    [Fact]
    public void DebtLeftByARefundIsPaidFromTheNextLot()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        member.Redeem("R-1", 2000);
        member.Refund("O-1", 1000m);
        Assert.Equal(-2000, member.Balance);

        member.Purchase("O-2", 2500m);

        Assert.Equal(500, member.Balance);
        Assert.Equal(500, PointsWallet.Lots(member.State).Single().Remaining);
        Assert.Equal(0, member.State.PointsDebt);
    }
}
