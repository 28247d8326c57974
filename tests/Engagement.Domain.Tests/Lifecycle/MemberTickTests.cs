using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Lifecycle;

public sealed class MemberTickTests
{
    private static void Purchase(MemberSim sim, string orderId, decimal amount, DateTimeOffset at)
    {
        var decision = MemberEngine.Apply(
            sim.State,
            new MemberEvent("e-" + orderId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount },
            sim.Options,
            at);
        Assert.Equal(EventStatus.Applied, decision.Status);
    }

    [Fact]
    public void PointsExpiryNoticeGoesOutThirtyDaysBeforeTheLotExpiresOnce()
    {
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0)); // lot expires 2027-01-05 10:00 +08:00

        sim.TickDaily(1, 370);

        var notices = sim.AllTouchDecisions.Where(t => t.Kind == TouchKinds.PointsExpiryNotice).ToList();
        var notice = Assert.Single(notices);
        Assert.Equal((TouchDecisions.Sent, TouchCategories.Service, "sms"), (notice.Decision, notice.Category, notice.Channel));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 10, 0, 0, MemberSim.Shanghai), notice.DecidedAt);
        Assert.Equal("points:200;expiresAt:2027-01-05T02:00:00Z", notice.Offer);

        var expiry = Assert.Single(sim.Ticks.SelectMany(t => t.Engine.NewEntries), e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal(-200, expiry.Delta);
    }

    [Fact]
    public void ExpiryNoticeDueAtNightWaitsFor09()
    {
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 2));

        var night = sim.Tick(new DateTimeOffset(2026, 12, 6, 2, 0, 0, MemberSim.Shanghai));
        var notice = Assert.Single(night.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);

        Assert.Equal(TouchDecisions.Deferred, notice.Decision);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai), notice.NotBefore);
        Assert.Equal(notice.NotBefore, night.NextDueAt);
        var morning = sim.Tick(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai));
        Assert.Equal(TouchDecisions.Sent, Assert.Single(morning.Touches).Decision);
    }

    [Fact]
    public void NextDueAtIncludesTheExpiryNoticeInstant()
    {
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0));
        sim.ActivityOn(320); // keeps the lifecycle quiet-boundary after the notice

        var tick = sim.TickOn(321);

        Assert.Equal(new DateTimeOffset(2026, 12, 6, 10, 0, 0, MemberSim.Shanghai), tick.NextDueAt);
    }

    [Fact]
    public void BirthdayBenefitTouchGoesOncePerYearToTiersThatHaveOne()
    {
        var sim = new MemberSim();
        sim.State.Birthday = new DateOnly(1990, 3, 10);
        Purchase(sim, "O-1", 1_200m, MemberSim.At(0)); // V2: holds birthday-coupon
        Assert.Contains(sim.State.Benefits, b => b.Code == "birthday-coupon");

        sim.TickDaily(1, 120);
        sim.TickDaily(64, 66); // re-ticking the birthday must not send it again

        var birthday = Assert.Single(sim.AllTouchDecisions, t => t.Kind == TouchKinds.BirthdayBenefit);
        Assert.Equal((TouchDecisions.Sent, "birthday-coupon", "push"), (birthday.Decision, birthday.Offer, birthday.Channel));
        Assert.Equal(new DateOnly(2026, 3, 10), DateOnly.FromDateTime(birthday.DecidedAt.ToOffset(MemberSim.Shanghai).DateTime));
        Assert.Equal(2026, sim.State.Touches.BirthdayTouchYear);
    }

    [Fact]
    public void MemberWithoutABirthdayBenefitGetsNoBirthdayTouch()
    {
        var sim = new MemberSim();
        sim.State.Birthday = new DateOnly(1990, 3, 10);
        Purchase(sim, "O-1", 100m, MemberSim.At(0)); // V1

        sim.TickDaily(1, 120);

        Assert.DoesNotContain(sim.AllTouchDecisions, t => t.Kind == TouchKinds.BirthdayBenefit);
    }

    [Fact]
    public void RunningTheTickTwiceAtTheSameInstantDecidesNothingTheSecondTime()
    {
        var sim = new MemberSim();
        sim.State.Birthday = new DateOnly(1990, 2, 4);
        Purchase(sim, "O-1", 1_200m, MemberSim.At(0));

        var first = sim.TickOn(30);
        var second = sim.TickOn(30);

        Assert.Contains(first.Touches, t => t.Kind == "winback.l1");
        Assert.Contains(first.Touches, t => t.Kind == TouchKinds.BirthdayBenefit); // deferred: L1 took today's slot
        Assert.Empty(second.Touches);
        Assert.False(second.Lifecycle.Changed);
        Assert.Empty(second.Engine.NewEntries);
    }
}
