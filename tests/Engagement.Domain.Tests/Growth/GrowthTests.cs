using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Growth;

public class GrowthTests
{
    [Fact]
    public void PurchaseAddsTheFlooredAmountAsGrowth()
    {
        var member = new TestMember();

        member.Purchase("O-1", 268.99m);

        Assert.Equal(268, member.Growth);
    }

    [Fact]
    public void FiveSharesAtOneMinuteToMidnightShanghaiCountAndTheNextShareAfterMidnightCountsAgain()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 3, 2, 0, 5));
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2025, 3, 1, 23, 59, i));
        }

        var sixth = member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2025, 3, 1, 23, 59, 30));
        Assert.Equal(25, member.Growth);
        Assert.Contains("daily cap of 5 share reached for 2025-03-01", sixth.Reason, StringComparison.Ordinal);
        Assert.Empty(sixth.NewEntries);

        var afterMidnight = member.Behave(MemberEventTypes.Share, TestMember.Shanghai(2025, 3, 2, 0, 1));

        Assert.Equal(30, member.Growth);
        var entry = Assert.Single(afterMidnight.NewEntries);
        Assert.Equal((LedgerKinds.Growth, 5L, 30L, "growth.share"), (entry.Kind, entry.Delta, entry.BalanceAfter, entry.RuleId));
        Assert.Equal(7, member.State.Behaviour["share"]);
    }

    [Fact]
    public void UtcMidnightThatIsNotAShanghaiMidnightDoesNotResetTheCap()
    {
        var member = new TestMember(new DateTimeOffset(2025, 3, 1, 1, 0, 0, TimeSpan.Zero));
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Share, new DateTimeOffset(2025, 2, 28, 23, 30, i, TimeSpan.Zero));
        }

        var afterUtcMidnight = member.Behave(MemberEventTypes.Share, new DateTimeOffset(2025, 3, 1, 0, 30, 0, TimeSpan.Zero));

        Assert.Equal(25, member.Growth);
        Assert.Empty(afterUtcMidnight.NewEntries);
        Assert.Contains("daily cap", afterUtcMidnight.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DailyCapFollowsTheMembersOwnTimeZone()
    {
        // The member is in New York before the shares occur (a zone set later would not date them, CONTRACT.md §1.1).
        var member = new TestMember(TestMember.Shanghai(2025, 2, 28));
        member.UpdateProfile(("timeZone", "America/New_York"));
        member.Now = TestMember.Shanghai(2025, 3, 3);
        var newYork = TimeSpan.FromHours(-5);
        for (var i = 0; i < 5; i++)
        {
            member.Behave(MemberEventTypes.Share, new DateTimeOffset(2025, 3, 1, 10, i, 0, newYork));
        }

        // 2025-03-01 13:30 Shanghai day has already ended; New York is still on 2025-03-01.
        var stillSameDay = member.Behave(MemberEventTypes.Share, new DateTimeOffset(2025, 3, 1, 23, 30, 0, newYork));
        var nextNewYorkDay = member.Behave(MemberEventTypes.Share, new DateTimeOffset(2025, 3, 2, 0, 10, 0, newYork));

        Assert.Empty(stillSameDay.NewEntries);
        Assert.Single(nextNewYorkDay.NewEntries);
        Assert.Equal(30, member.Growth);
    }

    [Fact]
    public void ReviewsEarnTenUpToThreeADayAndLoginOneOnce()
    {
        var member = new TestMember();
        for (var i = 0; i < 4; i++)
        {
            member.Behave(MemberEventTypes.Review);
            member.Behave(MemberEventTypes.Login);
        }

        Assert.Equal(31, member.Growth);
        Assert.Equal(4, member.State.Behaviour["review"]);
        Assert.Equal(4, member.State.Behaviour["login"]);
    }

    [Fact]
    public void BrowseAndAddToCartEarnNoGrowthButAreCounted()
    {
        var member = new TestMember();

        member.Behave(MemberEventTypes.Browse);
        member.Behave(MemberEventTypes.AddToCart);
        member.Behave(MemberEventTypes.Complaint);

        Assert.Equal(0, member.Growth);
        Assert.Empty(member.State.Ledger);
        Assert.Equal(1, member.State.Behaviour["browse"]);
        Assert.Equal(1, member.State.Behaviour["add_to_cart"]);
        Assert.Equal(1, member.State.Behaviour["complaint"]);
    }

    [Fact]
    public void ConfiguredCapsAndGrowthApply()
    {
        var member = new TestMember();
        member.Options.BehaviourGrowth["share"].Growth = 2;
        member.Options.BehaviourGrowth["share"].DailyCap = 1;

        member.Behave(MemberEventTypes.Share);
        member.Behave(MemberEventTypes.Share);

        Assert.Equal(2, member.Growth);
    }

    [Fact]
    public void ShareFromBeyondTheKeptCapDaysEarnsNothing()
    {
        var member = new TestMember();

        var late = member.Behave(MemberEventTypes.Share, member.Now.AddDays(-(GrowthPolicy.CapDaysKept + 1)));

        Assert.Equal(EventStatus.Applied, late.Status);
        Assert.Equal(0, member.Growth);
        Assert.Contains("older than", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PurchaseGrowthCountsThroughTheLastLocalDayOfTheWindowAndNotAfter()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10, 23, 0));
        member.Purchase("O-1", 300m);

        Assert.Equal(300, GrowthPolicy.TrailingGrowth(member.State, member.Options, TestMember.Shanghai(2026, 1, 9, 23, 59, 59)));
        Assert.Equal(0, GrowthPolicy.TrailingGrowth(member.State, member.Options, TestMember.Shanghai(2026, 1, 10, 0, 0)));
    }

    [Fact]
    public void CapCountersAndDayBucketsStayBounded()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 1));
        for (var day = 0; day < 900; day++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 1).AddDays(day);
            Assert.True(member.State.GrowthByDay.Count <= GrowthPolicy.DayBucketsKept(member.Options));
            member.Behave(MemberEventTypes.Login);
        }

        Assert.True(member.State.BehaviourRecords.Count <= GrowthPolicy.CapDaysKept + 1);
        Assert.Null(member.State.CappedActionsByDay);
        Assert.True(member.State.GrowthByDay.Count <= GrowthPolicy.DayBucketsKept(member.Options));
        Assert.Equal(365, member.Growth);
    }
}
