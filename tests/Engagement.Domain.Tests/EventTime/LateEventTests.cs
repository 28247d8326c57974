using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.EventTime;

/// <summary>CONTRACT.md §1.1: events are applied as of their occurredAt; late ones write corrections.</summary>
public class LateEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void LateFirstPurchaseTakesTheDoubleAndTheLaterOrderIsCorrectedToItsV2Rate()
    {
        var member = new TestMember(Now);

        member.Purchase("o2", 100.00m, at: Now.AddHours(-1), eventId: "e-o2");
        var late = member.Purchase("o1", 1000.00m, at: Now.AddHours(-2), eventId: "e-o1");

        Assert.Equal(2_120, member.Balance);
        Assert.Equal(1_100, member.Growth);
        Assert.Equal("V2", member.Tier);
        Assert.Equal((2_120L, 1_100L, "V2"), (late.PointsBalance, late.GrowthValue, late.Tier));
        var earn = late.NewEntries.First(e => e.Kind == LedgerKinds.Points);
        Assert.Equal((2_000L, RuleIds.PointsEarnFirstPurchaseDouble), (earn.Delta, earn.RuleId));
        var correction = Assert.Single(late.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal((-80L, "e-o1"), (correction.Delta, correction.EventId));
        Assert.Contains("purchase o2 earns 120 points at V2 ×1.2 (was 200)", correction.Reason, StringComparison.Ordinal);
        Assert.Contains("late event e-o1", correction.Reason, StringComparison.Ordinal);
        Assert.Equal([120L, 2_000L], member.State.Orders.OrderBy(o => o.OrderId, StringComparer.Ordinal).Reverse().Select(o => o.Points));
    }

    [Fact]
    public void InOrderDeliveryOfTheSamePurchasesGivesTheSameResultWithoutCorrections()
    {
        var member = new TestMember(Now);

        member.Purchase("o1", 1000.00m, at: Now.AddHours(-2));
        member.Purchase("o2", 100.00m, at: Now.AddHours(-1));

        Assert.Equal((2_120L, 1_100L, "V2"), (member.Balance, member.Growth, member.Tier));
        Assert.DoesNotContain(member.State.Ledger, e => e.RuleId.EndsWith(".correction", StringComparison.Ordinal));
    }

    [Fact]
    public void LatePurchaseThatCrossedV2InThePastCorrectsTheMultiplierOfEveryLaterPurchase()
    {
        var member = new TestMember(Now);
        member.Purchase("p1", 500m, at: Now.AddDays(-10));
        member.Purchase("p2", 200m, at: Now.AddDays(-5));
        member.Purchase("p3", 300m, at: Now.AddDays(-1));
        Assert.Equal((1_000 + 200 + 300L, "V2"), (member.Balance, member.Tier));

        var late = member.Purchase("late", 600m, at: Now.AddDays(-8), eventId: "e-late");

        // late: growth before it is 500 (V1), not first: 600. p2 and p3 were made at V2 after all.
        Assert.Equal(1_000 + 600 + 240 + 360, member.Balance);
        Assert.Equal(1_600, member.Growth);
        var corrections = late.NewEntries.Where(e => e.RuleId == RuleIds.PointsEarnCorrection).ToList();
        Assert.Equal([40L, 60L], corrections.Select(c => c.Delta));
        Assert.All(corrections, c => Assert.Equal("e-late", c.EventId));
        Assert.Contains("purchase p2 earns 240 points at V2 ×1.2 (was 200)", corrections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("purchase late of 600.00 CNY", corrections[1].Reason, StringComparison.Ordinal);

        // A late refund of it that occurred before p2 means p2 and p3 were made at V1 after all.
        var refund = member.Refund("late", 600m, at: Now.AddDays(-6), eventId: "r-late");
        Assert.Equal(1_000 + 200 + 300, member.Balance);
        Assert.Equal([-40L, -60L], refund.NewEntries.Where(e => e.RuleId == RuleIds.PointsEarnCorrection).Select(e => e.Delta));
        Assert.Equal((1_000L, "V2"), (member.Growth, member.Tier));
    }

    [Fact]
    public void RefundThatOccurredAfterALaterPurchaseLeavesThatPurchasesMultiplier()
    {
        var member = new TestMember(Now);
        member.Purchase("o1", 1000m, at: Now.AddDays(-3));
        member.Purchase("o2", 100m, at: Now.AddDays(-2));

        var refund = member.Refund("o1", 1000m, at: Now.AddDays(-1));

        Assert.DoesNotContain(refund.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(120, member.Balance);
        Assert.Equal("V1", member.Tier);
    }

    [Fact]
    public void LateRefundThatOccurredBeforeALaterPurchaseCorrectsItsMultiplier()
    {
        var member = new TestMember(Now);
        member.Purchase("o1", 1000m, at: Now.AddDays(-3));
        member.Purchase("o2", 100m, at: Now.AddDays(-1));

        var refund = member.Refund("o1", 1.00m, at: Now.AddDays(-2), eventId: "r-1");

        // 999 growth left before o2: it was made at V1 (100, not 120); o1's reversal is floor(1 × 2000 / 1000) = 2.
        var correction = Assert.Single(refund.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal((-20L, "r-1"), (correction.Delta, correction.EventId));
        Assert.Equal(2_000 - 2 + 100, member.Balance);
    }

    [Fact]
    public void RefundReversalFollowsAnOrdersCorrectedPoints()
    {
        var member = new TestMember(Now);
        member.Purchase("o2", 100.00m, at: Now.AddHours(-1));
        member.Refund("o2", 50.00m, eventId: "r-1");
        Assert.Equal(100, member.Balance);

        member.Purchase("o1", 1000.00m, at: Now.AddHours(-2));
        member.Refund("o2", 50.00m, eventId: "r-2");

        // o2 now earns 120; half refunded reverses 60, the whole 120: o2 nets 0, o1 keeps its 2,000.
        var o2 = member.State.Orders.Single(o => o.OrderId == "o2");
        Assert.Equal((120L, 120L), (o2.Points, o2.PointsReversed));
        Assert.Equal(2_000, member.Balance);
        Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    [Fact]
    public void LateShareOnALocalDayWhoseCapWasUsedEarnsNothing()
    {
        var day = TestMember.Shanghai(2026, 11, 28, 10);
        var member = new TestMember(TestMember.Shanghai(2026, 11, 30, 9));
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Share, day.AddMinutes(i));
        }

        var late = member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2026, 11, 28, 23, 30), eventId: "late-share");

        Assert.Equal(EventStatus.Applied, late.Status);
        Assert.Empty(late.NewEntries);
        Assert.Contains("daily cap of 5 share reached for 2026-11-28", late.Reason, StringComparison.Ordinal);
        Assert.Equal(25, member.Growth);
        Assert.Equal(EventStatus.Duplicate, member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2026, 11, 28, 23, 30), eventId: "late-share").Status);
    }

    [Fact]
    public void LateShareThatOccurredBeforeTheDaysEarnersTakesThePlaceOfTheLastOne()
    {
        var day = TestMember.Shanghai(2026, 11, 28, 10);
        var member = new TestMember(TestMember.Shanghai(2026, 11, 30, 9));
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Share, day.AddMinutes(i), eventId: $"s{i}");
        }

        var late = member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2026, 11, 28, 8), eventId: "early-share");

        Assert.Equal(25, member.Growth);
        Assert.Collection(
            late.NewEntries,
            e => Assert.Equal((5L, "growth.share", "early-share"), (e.Delta, e.RuleId, e.EventId)),
            e => Assert.Equal((-5L, "growth.share.correction", "early-share"), (e.Delta, e.RuleId, e.EventId)));
        Assert.Contains("share s4 is past the daily cap of 5 on 2026-11-28", late.NewEntries[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(member.State.BehaviourRecords, r => r.EventId == "s4");
    }

    [Fact]
    public void LateLoginCountsOnItsOwnShanghaiDayNotOnTheDayItArrived()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 11, 30, 0, 30));
        member.Behave(MemberEventTypes.Login, TestMember.Shanghai(2026, 11, 30, 0, 10));

        var late = member.Behave(MemberEventTypes.Login, TestMember.Shanghai(2026, 11, 29, 23, 50));

        Assert.Equal(2, member.Growth);
        Assert.Equal("login 1 of 1 on 2026-11-29", Assert.Single(late.NewEntries).Reason);
    }

    [Fact]
    public void LateShareThatLiftedTheMemberToV2BeforeAPurchaseCorrectsThatPurchase()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 11, 30, 20));
        member.Purchase("o1", 998m, at: TestMember.Shanghai(2026, 11, 30, 9));
        member.Purchase("o2", 100m, at: TestMember.Shanghai(2026, 11, 30, 12));
        Assert.Equal(1_996 + 100, member.Balance);

        var share = member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2026, 11, 30, 10), eventId: "share-10h");

        var correction = Assert.Single(share.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal((20L, "share-10h"), (correction.Delta, correction.EventId));
        Assert.Equal(1_996 + 120, member.Balance);
        Assert.Equal("V2", member.Tier);
    }

    [Fact]
    public void OrderWhosePointsExpiredIsNeverCorrected()
    {
        var member = new TestMember(Now.AddDays(-380));
        member.Purchase("x", 1000m);
        member.Now = Now.AddDays(-370);
        member.Purchase("y", 100m);
        member.Now = Now;

        var refund = member.Refund("x", 1000m);

        Assert.Equal(EventStatus.Applied, refund.Status);
        Assert.DoesNotContain(refund.NewEntries, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(120, member.State.Orders.Single(o => o.OrderId == "y").Points);
    }

    [Fact]
    public void LotOfALatePurchaseExpiresTwelveMonthsAfterItsOccurredAt()
    {
        var member = new TestMember(Now);
        member.Purchase("o-now", 100m, at: Now);
        member.Purchase("o-old", 100m, at: Now.AddDays(-300));

        var lot = member.Summary.PointsLots.Single(l => l.LotId == "o-old");
        Assert.Equal(Now.AddDays(-300).AddMonths(12), lot.ExpiresAt);
        Assert.Equal(0, member.Summary.Rfm.RecencyDays);
    }
}
