using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>The member's side of programme metrics through <see cref="MemberDecider"/>: contributions in the outbox of the same outcome.</summary>
public class MemberMetricsPolicyTests
{
    private static readonly MetricsOptions Metrics = new() { Shards = 4 };

    private static readonly DateTimeOffset Noon = TestMember.Shanghai(2026, 11, 23, 12);

    private static MemberEvent Event(string id, string type, DateTimeOffset at, string? order = null, decimal? amount = null) =>
        new(id, type, at) { RegionId = "East", OrderId = order, Amount = amount };

    private static List<MetricContribution> Contributions(MemberOutcome outcome) =>
        outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions).ToList();

    private static long Day(List<MetricContribution> c, string name) => c.Where(x => !x.IsGauge).Sum(x => x.Counters.GetValueOrDefault(name));

    private static readonly OffersOptions CouponOffers = new() { CouponSecret = Tests.Offers.CouponTestKit.Secret };

    /// <summary>A member after a purchase and a coupon (grant <c>g1</c>) issued an hour later, recorded as outcome <c>ci:g1</c>.</summary>
    private static (MemberState State, ProgramOptions Options, string Code, bool Recorded) WithIssuedCoupon(string memberId)
    {
        var state = new MemberState { MemberId = memberId };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 100m), options, Noon, Metrics);
        var before = MemberMetricsPolicy.Before(state);
        var code = MemberCoupons.Issue(state, Tests.Offers.CouponTestKit.WakeUpGift, "g1", CouponOffers, options, Noon.AddHours(1)).Reply.Coupon!.Code;
        var recorded = MemberMetricsPolicy.RecordStep(state, before, new("ci:g1", Noon.AddHours(1)), options, Metrics, Noon.AddHours(1));
        return (state, options, code, recorded);
    }

    private static long Gauge(List<MetricContribution> c, string name) => c.Where(x => x.IsGauge).Sum(x => x.Counters.GetValueOrDefault(name));

    [Fact]
    public void AFirstPurchaseJoinsTheMemberCountsItsDayAndItsPointsInTheSameOutbox()
    {
        var state = new MemberState { MemberId = "M1" };

        var outcome = MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 250m), new ProgramOptions(), Noon, Metrics);

        var c = Contributions(outcome);
        Assert.Contains(outcome.Effects.OfType<RecordMetrics>().Single(), state.Outbox.Pending);
        Assert.All(c, x => Assert.Equal("east", x.RegionId));
        Assert.Equal(1, Day(c, MetricNames.NewMembers));
        Assert.Equal(1, Day(c, MetricNames.FirstPurchasers));
        Assert.Equal(1, Day(c, MetricNames.Dau));
        Assert.Equal(250m, c.Sum(x => x.Revenue));
        Assert.Equal(outcome.Entries.Where(e => e.Kind == "points").Sum(e => e.Delta), Day(c, MetricNames.PointsIssued));
        Assert.Equal(1, Gauge(c, GaugeNames.Members));
        Assert.Equal(1, Gauge(c, GaugeNames.TierPrefix + "V1"));
        Assert.Equal(Day(c, MetricNames.PointsIssued), Gauge(c, GaugeNames.PointsOutstanding));
        Assert.Equal(new DateOnly(2026, 11, 23), c.Single(x => !x.IsGauge && x.Counters.ContainsKey(MetricNames.Dau)).Day);
        // The month window opens with one entry on the purchase's own aggregator, not one +1 on each of 30 days.
        Assert.Equal(1, c.Single(x => !x.IsGauge && x.Day == new DateOnly(2026, 11, 23)).Counters[MetricWindows.Entry(MetricNames.Mau, 0, 29)]);
        Assert.Single(c, x => !x.IsGauge);
    }

    [Fact]
    public void ARedemptionMovesRedeemedAndOutstandingAndARefundTakesRevenueBack()
    {
        var state = new MemberState { MemberId = "M2" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "purchase", Noon, "O1", 500m), options, Noon, Metrics);

        var redeemed = Contributions(MemberDecider.Redeem(state, "R1", 100, null, null, options, Noon.AddHours(1), Metrics));
        var refunded = Contributions(MemberDecider.Apply(state, Event("e2", "refund", Noon.AddHours(2), "O1", 200m), options, Noon.AddHours(2), Metrics));

        Assert.Equal(100, Day(redeemed, MetricNames.PointsRedeemed));
        Assert.Equal(-100, Gauge(redeemed, GaugeNames.PointsOutstanding));
        Assert.Equal(0, Gauge(redeemed, GaugeNames.Members));
        Assert.Equal(-200m, refunded.Sum(x => x.Revenue));
        Assert.True(Day(refunded, MetricNames.PointsReversed) > 0);
        Assert.Equal(0, Day(refunded, MetricNames.NewMembers));
    }

    [Fact]
    public void PointsALateEventFindsExpiredCountOnTheDayTheyExpiredNotOnTheEventsDay()
    {
        var state = new MemberState { MemberId = "M-late-expiry" };
        var options = new ProgramOptions();
        var bought = TestMember.Shanghai(2025, 11, 23, 10);
        MemberDecider.Apply(state, Event("e1", "purchase", bought, "O1", 500m), options, bought, Metrics);

        // Its lot (1,000 points: a first purchase doubles) expired at 2026-11-23 10:00; before the member's tick ran,
        // a POS uploads at noon a login of the evening before.
        var late = MemberDecider.Apply(state, Event("e2", "login", TestMember.Shanghai(2026, 11, 22, 20)), options, Noon, Metrics);

        var c = Contributions(late);
        long Expired(DateOnly day) => c.Where(x => !x.IsGauge && x.Day == day).Sum(x => x.Counters.GetValueOrDefault(MetricNames.PointsExpired));
        Assert.Equal(-1000, late.Entries.Where(e => e.RuleId == Engagement.Domain.Ledger.RuleIds.PointsExpire).Sum(e => e.Delta));
        Assert.Equal(1000, Expired(new DateOnly(2026, 11, 23)));
        Assert.Equal(0, Expired(new DateOnly(2026, 11, 22)));
        // The login itself still counts on its own day.
        Assert.Equal(1, c.Where(x => !x.IsGauge && x.Day == new DateOnly(2026, 11, 22)).Sum(x => x.Counters.GetValueOrDefault(MetricNames.Dau)));
    }

    [Fact]
    public void ALotExpiringAt2359CountsOnItsExpiryDayWhenTheTickComesAfterMidnight()
    {
        var state = new MemberState { MemberId = "M-tick-after-midnight" };
        var options = new ProgramOptions();
        var bought = TestMember.Shanghai(2025, 11, 23, 23, 59);
        MemberDecider.Apply(state, Event("e1", "purchase", bought, "O1", 500m), options, bought, Metrics);
        var expiresAt = TestMember.Shanghai(2026, 11, 23, 23, 59);
        Assert.Equal(expiresAt, state.Orders.Single().ExpiresAt);

        // The member's reminder comes 31 minutes late, on the next local day.
        var tick = MemberDecider.Tick(state, options, TestMember.Shanghai(2026, 11, 24, 0, 30), metrics: Metrics);

        var c = Contributions(tick);
        long Expired(DateOnly day) => c.Where(x => !x.IsGauge && x.Day == day).Sum(x => x.Counters.GetValueOrDefault(MetricNames.PointsExpired));
        Assert.Equal((1000L, 0L), (Expired(new DateOnly(2026, 11, 23)), Expired(new DateOnly(2026, 11, 24))));
        // The ledger says when the points expired; the balance left the outstanding points with this tick.
        Assert.Equal(expiresAt, tick.Entries.Single(e => e.RuleId == Engagement.Domain.Ledger.RuleIds.PointsExpire).At);
        Assert.Equal(-1000, Gauge(c, GaugeNames.PointsOutstanding));
    }

    [Fact]
    public void APurchaseAlmostAYearOlderThanTheMembersLatestActivityCountsInItsDaysDistinctCountsOnce()
    {
        var state = new MemberState { MemberId = "M-year-late" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "login", Noon), options, Noon, Metrics);

        // A POS uploads purchases of 300 days ago (CONTRACT.md §1 accepts 365): applied as of their occurredAt.
        var then = Noon.AddDays(-300);
        var first = Contributions(MemberDecider.Apply(state, Event("e2", "purchase", then, "O1", 120m), options, Noon, Metrics));
        var second = Contributions(MemberDecider.Apply(state, Event("e3", "purchase", then.AddHours(1), "O2", 80m), options, Noon, Metrics));

        var all = first.Concat(second).ToList();
        var day = DateOnly.FromDateTime(then.DateTime);
        long On(string name) => all.Where(x => !x.IsGauge && x.Day == day).Sum(x => x.Counters.GetValueOrDefault(name));
        Assert.Equal((1L, 1L, 1L, 2L, 0L), (On(MetricNames.Dau), On(MetricNames.Purchasers), On(MetricNames.Repurchasers), On(MetricNames.Purchases), On(MetricNames.LateUncounted)));
        Assert.Equal(200m, all.Sum(x => x.Revenue));
        // The member is still known active today: the late days did not push today out of its window.
        Assert.True(state.Metrics.Active.Has(DateOnly.FromDateTime(Noon.DateTime)));
    }

    [Fact]
    public void DayBitsStoredBeforeTheWiderWindowReadBackAndOldDaysSurviveAJsonRoundTrip()
    {
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var old = System.Text.Json.JsonSerializer.Deserialize<DayBits>("""{"latest":739500,"recent":5,"older":1}""", json)!;
        Assert.True(old.Has(DateOnly.FromDayNumber(739500)) && old.Has(DateOnly.FromDayNumber(739498)) && old.Has(DateOnly.FromDayNumber(739436)));

        var bits = old.With(DateOnly.FromDayNumber(739500 + 300));
        var back = System.Text.Json.JsonSerializer.Deserialize<DayBits>(System.Text.Json.JsonSerializer.Serialize(bits, json), json)!;

        Assert.Equal(bits, back);
        Assert.True(back.Has(DateOnly.FromDayNumber(739436)));
        Assert.Equal(4, back.Count(DateOnly.FromDayNumber(739000), DateOnly.FromDayNumber(739800)));
        Assert.DoesNotContain("past", System.Text.Json.JsonSerializer.Serialize(old, json), StringComparison.Ordinal);
    }

    [Fact]
    public void ALateRegistrationBeforeTheFirstEventSeenMovesTheJoinAndItsRetentionToItsOwnDay()
    {
        var state = new MemberState { MemberId = "M-late-join" };
        var options = new ProgramOptions();
        var login = TestMember.Shanghai(2026, 11, 23, 10);
        var first = Contributions(MemberDecider.Apply(state, Event("e1", "login", login), options, login, Metrics));

        // The app's registration of the evening before reaches the engine after the morning's login.
        var late = Contributions(MemberDecider.Apply(state, Event("e0", "register", TestMember.Shanghai(2026, 11, 22, 18)), options, Noon, Metrics));

        var all = first.Concat(late).ToList();
        long On(DateOnly day, string name) => all.Where(x => !x.IsGauge && x.Day == day).Sum(x => x.Counters.GetValueOrDefault(name));
        var registered = new DateOnly(2026, 11, 22);
        var next = new DateOnly(2026, 11, 23);
        Assert.Equal((1, 0), (On(registered, MetricNames.NewMembers), On(next, MetricNames.NewMembers)));
        // Joined on the 22nd and active on the 23rd: retained the next day.
        Assert.Equal(1, On(registered, MetricNames.RetainedNextDay));
        Assert.Equal((1, 1), (On(registered, MetricNames.Dau), On(next, MetricNames.Dau)));
        Assert.Equal(1, all.Where(x => x.IsGauge).Sum(x => x.Counters.GetValueOrDefault(GaugeNames.Members)));
    }

    [Fact]
    public void AQuietTickQueuesNothingAndChangesNothingAndNoMetricsMeansNoEffect()
    {
        var state = new MemberState { MemberId = "M3" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "login", Noon), options, Noon, Metrics);
        state.Outbox.Confirm(state.Outbox.Pending.ToList());

        var tick = MemberDecider.Tick(state, options, Noon.AddMinutes(5), metrics: Metrics);
        var without = new MemberState { MemberId = "M4" };
        var plain = MemberDecider.Apply(without, Event("e1", "login", Noon), options, Noon);

        Assert.Empty(Contributions(tick));
        Assert.False(tick.StateChanged);
        Assert.Empty(plain.Effects.OfType<RecordMetrics>());
        Assert.Same(MemberMetricState.Empty, without.Metrics);
    }

    [Fact]
    public void TheSameEventOnTheSameStateGivesTheSameIdsAndARepeatGivesNone()
    {
        var options = new ProgramOptions();
        var a = new MemberState { MemberId = "M5" };
        var b = new MemberState { MemberId = "M5" };

        var first = Contributions(MemberDecider.Apply(a, Event("e1", "browse", Noon), options, Noon, Metrics));
        var replay = Contributions(MemberDecider.Apply(b, Event("e1", "browse", Noon), options, Noon.AddMinutes(3), Metrics));
        var repeat = MemberDecider.Apply(a, Event("e1", "browse", Noon), options, Noon.AddMinutes(4), Metrics);

        Assert.Equal(first.Select(c => c.Id), replay.Select(c => c.Id));
        Assert.False(repeat.StateChanged);
        Assert.Empty(Contributions(repeat));
    }

    [Fact]
    public void AnOutcomeIdThatComesAgainQueuesItsOwnContributionsBesideTheEarlierOnes()
    {
        // Two coupons issued under one outcome id (a campaign delivered again once its delivery list was pruned): each
        // counts from the state the one before left, so neither may replace the other in the outbox.
        var (state, options, _, _) = WithIssuedCoupon("M6");
        var before = MemberMetricsPolicy.Before(state);
        MemberCoupons.Issue(state, Tests.Offers.CouponTestKit.WakeUpGift, "g2", CouponOffers, options, Noon.AddHours(2));
        Assert.True(MemberMetricsPolicy.RecordStep(state, before, new("ci:g1", Noon.AddHours(2)), options, Metrics, Noon.AddHours(2)));

        var both = state.Outbox.Pending.OfType<RecordMetrics>().Where(r => r.OutcomeId == "ci:g1").ToList();
        Assert.Equal(2, both.Count);
        Assert.Equal(["metrics:ci:g1#2", "metrics:ci:g1#3"], both.Select(r => r.Id));
        Assert.False(both[0].HasSameId(both[1]));
        Assert.Equal(2, Day([.. both.SelectMany(r => r.Contributions)], MetricNames.CouponsIssued));
        Assert.Equal(2, Day([.. state.Outbox.Pending.OfType<RecordMetrics>().SelectMany(r => r.Contributions)], MetricNames.CouponsIssued));
    }

    [Fact]
    public void ALateEventFromTheMembersFormerRegionCountsThereOnItsDayAndDoesNotMoveTheMemberBack()
    {
        // Registers in east, moves to west with a purchase on day 5; an offline POS then uploads a day-3 login in east.
        var state = new MemberState { MemberId = "M7" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, new MemberEvent("r1", "register", Noon) { RegionId = "east" }, options, Noon, Metrics);
        MemberDecider.Apply(state, new MemberEvent("p1", "purchase", Noon.AddDays(5)) { RegionId = "west", OrderId = "O1", Amount = 100m }, options, Noon.AddDays(5), Metrics);

        var late = MemberDecider.Apply(state, new MemberEvent("l1", "login", Noon.AddDays(3)) { RegionId = "east" }, options, Noon.AddDays(6), Metrics);

        Assert.Equal(EventStatus.Applied, late.Reply.Status);
        Assert.Equal("west", state.RegionId);
        var c = Contributions(late);
        Assert.Equal(0, Gauge(c, GaugeNames.Members));
        Assert.DoesNotContain(c, x => x.Counters.ContainsKey(MetricNames.MovedIn) || x.Counters.ContainsKey(MetricNames.MovedOut));
        var dau = c.Single(x => !x.IsGauge && x.Counters.ContainsKey(MetricNames.Dau));
        Assert.Equal(("east", DateOnly.FromDateTime(Noon.AddDays(3).ToOffset(TimeSpan.FromHours(8)).Date)), (dau.RegionId, dau.Day));

        // The member's next event in order in east does move it.
        MemberDecider.Apply(state, new MemberEvent("l2", "login", Noon.AddDays(7)) { RegionId = "east" }, options, Noon.AddDays(7), Metrics);
        Assert.Equal("east", state.RegionId);
    }

    [Fact]
    public void CouponsIssuedAndRedeemedOutsideTheDeciderAreCountedOnceEach()
    {
        var (state, options, code, recorded) = WithIssuedCoupon("M5");
        Assert.True(recorded);
        var issued = state.Outbox.Pending.OfType<RecordMetrics>().Single(r => r.OutcomeId == "ci:g1").Contributions.ToList();

        var before = MemberMetricsPolicy.Before(state);
        Assert.True(MemberCoupons.Redeem(state, code, "r1", Tests.Offers.CouponTestKit.At("S001", 80m), options, Noon.AddHours(2)).Reply.Accepted);
        MemberMetricsPolicy.RecordStep(state, before, new("cr:r1", Noon.AddHours(2)), options, Metrics, Noon.AddHours(2));
        var redeemed = state.Outbox.Pending.OfType<RecordMetrics>().Single(r => r.OutcomeId == "cr:r1").Contributions.ToList();

        // A step that wrote nothing counts nothing.
        before = MemberMetricsPolicy.Before(state);
        Assert.False(MemberMetricsPolicy.RecordStep(state, before, new("cr:r2", Noon.AddHours(3)), options, Metrics, Noon.AddHours(3)));

        Assert.Equal(1, Day(issued, MetricNames.CouponsIssued));
        Assert.Equal(0, Day(issued, MetricNames.CouponsRedeemed));
        Assert.Equal(1, Day(redeemed, MetricNames.CouponsRedeemed));
        Assert.Equal(0, Day(redeemed, MetricNames.CouponsIssued));
        Assert.Equal((0, 0), MemberMetricsPolicy.CouponsSince(state, state.NextSequence));
        Assert.Equal((1, 1), MemberMetricsPolicy.CouponsSince(state, 1));
    }

    [Fact]
    public void AReissuedCouponIsNotCountedAsANewIssueAndCouponsCountPerOffer()
    {
        var (state, options, code, _) = WithIssuedCoupon("M6");

        var before = MemberMetricsPolicy.Before(state);
        var reissue = CouponReissues.Reissue(state, code, "rx-1", "Li Na", "lost", CouponOffers, options, Noon.AddHours(2));
        MemberMetricsPolicy.RecordStep(state, before, new(CouponReissues.OutcomePrefix + "rx-1", Noon.AddHours(2)), options, Metrics, Noon.AddHours(2));

        var fresh = reissue.Reply.New!;
        before = MemberMetricsPolicy.Before(state);
        Assert.True(MemberCoupons.Redeem(state, fresh.Code, "r1", Tests.Offers.CouponTestKit.At("S001", 80m), options, Noon.AddHours(3)).Reply.Accepted);
        MemberMetricsPolicy.RecordStep(state, before, new("cr:r1", Noon.AddHours(3)), options, Metrics, Noon.AddHours(3));

        var all = state.Outbox.Pending.OfType<RecordMetrics>().SelectMany(r => r.Contributions).ToList();
        Assert.Equal(1, Day(all, MetricNames.CouponsIssued));
        Assert.Equal((2, 1), MemberMetricsPolicy.CouponsSince(state, 1));
        Assert.Equal(1, Day(all, MetricNames.CouponsIssuedOfferPrefix + fresh.OfferId));
        Assert.Equal(1, Day(all, MetricNames.CouponsRedeemedOfferPrefix + fresh.OfferId));
        var perOffer = PointsEconomy.CouponOffers([new DayCounters { Counters = all.Where(c => !c.IsGauge).SelectMany(c => c.Counters).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)) }]);
        Assert.Equal([(fresh.OfferId, 1L, 1L, (double?)1.0)], perOffer.Select(o => (o.OfferId, o.Issued, o.Redeemed, o.RedemptionRate)));
    }

    [Fact]
    public void OnlyAReachedArmsFirstAttributedPurchaseCountsAsACampaignConversion()
    {
        var state = new MemberState { MemberId = "M7" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("e1", "login", Noon, null, null), options, Noon, Metrics);
        CampaignMembership M(string id, string group, string outcome) =>
            new() { CampaignId = id, Group = group, Outcome = outcome, AssignedAt = Noon, AttributionWindowDays = 7 };
        state.Campaigns.Memberships.AddRange([M("C1", "arm", "sent"), M("C2", "arm", "suppressed"), M("C3", "control", "")]);

        var first = CampaignMemberships.AttributePurchase(state.Campaigns, "p1", 100m, Noon.AddHours(1));
        var second = CampaignMemberships.AttributePurchase(state.Campaigns, "p2", 50m, Noon.AddHours(2));
        var converted = CampaignMetrics.Converted(first, "p1");
        MemberMetricsPolicy.RecordStep(state, MemberMetricsPolicy.Before(state), new("cv:p1", Noon.AddHours(1), CampaignConverted: converted), options, Metrics, Noon.AddHours(1));

        Assert.Equal(3, first.Count);
        Assert.Equal(1, converted);
        Assert.Equal(0, CampaignMetrics.Converted(second, "p2"));
        var c = state.Outbox.Pending.OfType<RecordMetrics>().Single(r => r.OutcomeId == "cv:p1").Contributions.ToList();
        Assert.Equal(1, Day(c, MetricNames.CampaignConverted));
        Assert.Equal(new DateOnly(2026, 11, 23), c.Single(x => !x.IsGauge).Day);
    }

    [Fact]
    public void AMoveBetweenZonesLeavesTheOldRegionOnItsOwnDayAndJoinsTheNewOneOnItsOwn()
    {
        // 2026-12-02 02:00 UTC: 18:00 on 2026-12-01 in Los Angeles (west), 10:00 on 2026-12-02 in Shanghai (east).
        var zones = new MetricsOptions { Shards = 4, RegionTimeZones = { ["west"] = "America/Los_Angeles" } };
        var joined = new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero);
        var moved = new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero);
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, new MemberEvent("r1", "register", joined) { RegionId = "west" }, options, joined, zones);

        var c = Contributions(MemberDecider.Apply(state, new MemberEvent("l1", "login", moved) { RegionId = "east" }, options, moved, zones));

        var movedOut = c.Single(x => !x.IsGauge && x.Counters.GetValueOrDefault(MetricNames.MovedOut) == 1);
        var movedIn = c.Single(x => !x.IsGauge && x.Counters.GetValueOrDefault(MetricNames.MovedIn) == 1);
        Assert.Equal(("west", new DateOnly(2026, 12, 1)), (movedOut.RegionId, movedOut.Day));
        Assert.Equal(("east", new DateOnly(2026, 12, 2)), (movedIn.RegionId, movedIn.Day));
    }
}

