using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
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
    public void ExpiryNoticeThatWaitedForTheMorningStatesThePointsLeftWhenItGoesOut()
    {
        // The notice of a 200-point lot falls due at 02:00 and waits for 09:00. At 08:00 the member redeems 150 points
        // (oldest lot first): the 09:00 SMS must say 50 points expire, not the 200 of the night before.
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 2));
        var night = sim.Tick(new DateTimeOffset(2026, 12, 6, 2, 0, 0, MemberSim.Shanghai));
        var waiting = Assert.Single(night.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((TouchDecisions.Deferred, "points:200;expiresAt:2027-01-04T18:00:00Z"), (waiting.Decision, waiting.Offer));

        var redeemed = RedemptionPolicy.Redeem(sim.State, "R-1", 150, null, null, sim.Options, new DateTimeOffset(2026, 12, 6, 8, 0, 0, MemberSim.Shanghai));
        Assert.Equal(50, redeemed.PointsBalance);
        var morning = sim.Tick(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai));

        var sent = Assert.Single(morning.Touches);
        Assert.Equal((TouchDecisions.Sent, waiting.TouchId, "points:50;expiresAt:2027-01-04T18:00:00Z"), (sent.Decision, sent.TouchId, sent.Offer));
        Assert.Equal("points:50;expiresAt:2027-01-04T18:00:00Z", Assert.Single(TouchGovernor.PendingPublish(sim.State)).Offer);
    }

    [Fact]
    public void ExpiryNoticeThatWaitedIsWithdrawnWhenTheLotWasSpentMeanwhile()
    {
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 2));
        var night = sim.Tick(new DateTimeOffset(2026, 12, 6, 2, 0, 0, MemberSim.Shanghai));
        var waiting = Assert.Single(night.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);

        RedemptionPolicy.Redeem(sim.State, "R-1", 200, null, null, sim.Options, new DateTimeOffset(2026, 12, 6, 8, 0, 0, MemberSim.Shanghai));
        var morning = sim.Tick(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai));

        var settled = Assert.Single(morning.Touches);
        Assert.Equal((TouchDecisions.Suppressed, waiting.TouchId), (settled.Decision, settled.TouchId));
        Assert.Contains("no points left to expire", settled.Reason, StringComparison.Ordinal);
        Assert.Empty(TouchGovernor.PendingPublish(sim.State));
    }

    [Fact]
    public void LotsExpiringOnTheSameLocalDayShareOneNotice()
    {
        // A member who bought three times on one day has three lots expiring that day a year on: one SMS says so,
        // with the points of all three and the earliest instant, not three SMS within eight hours.
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 10));
        Purchase(sim, "O-2", 50m, MemberSim.At(0, 13));
        Purchase(sim, "O-3", 25m, MemberSim.At(0, 18));

        sim.TickDaily(1, 335); // day 335 is 2026-12-06, 30 days before the lots expire
        foreach (var hour in new[] { 13, 18 })
        {
            sim.Tick(new DateTimeOffset(2026, 12, 6, hour, 0, 0, MemberSim.Shanghai));
        }

        sim.TickDaily(336, 370);

        var notice = Assert.Single(sim.AllTouchDecisions, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal(TouchDecisions.Sent, notice.Decision);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 10, 0, 0, MemberSim.Shanghai), notice.DecidedAt);
        Assert.Equal("points:275;expiresAt:2027-01-05T02:00:00Z", notice.Offer);
    }

    [Fact]
    public void LotsExpiringOnDifferentLocalDaysEachHaveTheirNotice()
    {
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 10));
        Purchase(sim, "O-2", 50m, MemberSim.At(1, 10));

        sim.TickDaily(1, 370);

        var notices = sim.AllTouchDecisions.Where(t => t.Kind == TouchKinds.PointsExpiryNotice).ToList();
        Assert.Equal(
            ["points:200;expiresAt:2027-01-05T02:00:00Z", "points:50;expiresAt:2027-01-06T02:00:00Z"],
            notices.Select(n => n.Offer));
    }

    [Fact]
    public void ASharedNoticeThatWaitedStatesWhatTheDaysOtherLotsStillHold()
    {
        // Two lots expire on one day; their notice waits for 09:00. Redeeming the whole first lot meanwhile leaves the
        // second's 50 points to expire: the notice says so rather than being withdrawn with the first lot.
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 2));
        Purchase(sim, "O-2", 50m, MemberSim.At(0, 4));
        var night = sim.Tick(new DateTimeOffset(2026, 12, 6, 2, 0, 0, MemberSim.Shanghai));
        var waiting = Assert.Single(night.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((TouchDecisions.Deferred, "points:250;expiresAt:2027-01-04T18:00:00Z"), (waiting.Decision, waiting.Offer));

        RedemptionPolicy.Redeem(sim.State, "R-1", 200, null, null, sim.Options, new DateTimeOffset(2026, 12, 6, 8, 0, 0, MemberSim.Shanghai));
        var morning = sim.Tick(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai));

        var sent = Assert.Single(morning.Touches);
        Assert.Equal((TouchDecisions.Sent, waiting.TouchId, "points:50;expiresAt:2027-01-04T20:00:00Z"), (sent.Decision, sent.TouchId, sent.Offer));
    }

    [Fact]
    public void NoticesAnEarlierVersionDecidedPerLotForOneDayGoOutAsOne()
    {
        // Two per-lot notices (as decided before lots shared one) wait for 09:00 for the same day's lots: one goes out
        // with the day's 250 points, the other is withdrawn, not two SMS each saying 250.
        var sim = new MemberSim();
        Purchase(sim, "O-1", 100m, MemberSim.At(0, 2));
        Purchase(sim, "O-2", 50m, MemberSim.At(0, 4));
        var night = new DateTimeOffset(2026, 12, 6, 2, 0, 0, MemberSim.Shanghai);
        foreach (var lot in PointsWallet.Lots(sim.State))
        {
            var old = MemberSim.Service(key: lot.LotId) with { ValidUntil = lot.ExpiresAt, Offer = $"points:{lot.Remaining}" };
            Assert.Equal(TouchDecisions.Deferred, sim.Decide(old, night).Decision);
            PointsWallet.MarkExpiryNoticeSent(sim.State, lot.LotId, night);
        }

        var morning = sim.Tick(new DateTimeOffset(2026, 12, 6, 9, 0, 0, MemberSim.Shanghai));

        var notices = morning.Touches.Where(t => t.Kind == TouchKinds.PointsExpiryNotice).ToList();
        Assert.Equal("points:250;expiresAt:2027-01-04T18:00:00Z", Assert.Single(notices, t => t.Decision == TouchDecisions.Sent).Offer);
        Assert.Contains("merged", Assert.Single(notices, t => t.Decision == TouchDecisions.Suppressed).Reason, StringComparison.Ordinal);
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
