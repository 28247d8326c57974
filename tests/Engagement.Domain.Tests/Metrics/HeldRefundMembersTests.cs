using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A member known only by a refund held for its purchase has not joined (CONTRACT.md §5 members = registered): the
/// members gauge stays the sum of newMembers whether the purchase comes later or the refund is dead-lettered.
/// </summary>
public class HeldRefundMembersTests
{
    private static readonly MetricsOptions Metrics = new() { Shards = 4 };

    private static readonly DateTimeOffset RefundAt = TestMember.Shanghai(2026, 11, 20, 10);

    private static readonly DateTimeOffset Now = TestMember.Shanghai(2026, 11, 23, 12);

    private static MemberEvent Event(string id, string type, DateTimeOffset at, string order, decimal amount) =>
        new(id, type, at) { RegionId = "East", OrderId = order, Amount = amount };

    private static List<MetricContribution> Contributions(MemberOutcome outcome) =>
        outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions).ToList();

    private static long Gauge(IEnumerable<MetricContribution> c, string name) => c.Where(x => x.IsGauge).Sum(x => x.Counters.GetValueOrDefault(name));

    private static long Day(IEnumerable<MetricContribution> c, string name, DateOnly? day = null) =>
        c.Where(x => !x.IsGauge && (day is null || x.Day == day)).Sum(x => x.Counters.GetValueOrDefault(name));

    private static DayCounters Counters(IEnumerable<MetricContribution> c, DateOnly day)
    {
        var parts = c.Where(x => !x.IsGauge && x.Day == day).Select(x => new DayCounters { Day = day, Counters = x.Counters, Revenue = x.Revenue });
        return DayCounters.Sum(day, parts);
    }

    [Fact]
    public void AHeldRefundOfAnUnknownMemberCountsNoMemberUntilItsPurchaseJoinsItOnThePurchasesDay()
    {
        var state = new MemberState { MemberId = "R1" };
        var options = new ProgramOptions();
        var all = new List<MetricContribution>();

        var held = MemberDecider.Apply(state, Event("rf1", "refund", RefundAt, "O1", 50m), options, Now, Metrics);
        Assert.Equal(EventStatus.Held, held.Reply.Status);
        all.AddRange(Contributions(held));
        Assert.Equal(0, Gauge(all, GaugeNames.Members));
        Assert.Equal(0, Day(all, MetricNames.NewMembers));

        // The purchase comes an hour later, occurred two days before the refund: the member joins on the purchase's day.
        var purchaseAt = RefundAt.AddDays(-2);
        all.AddRange(Contributions(MemberDecider.Apply(state, Event("p1", "purchase", purchaseAt, "O1", 200m), options, Now.AddHours(1), Metrics)));

        Assert.Equal(1, Gauge(all, GaugeNames.Members));
        Assert.Equal(1, Day(all, MetricNames.NewMembers));
        Assert.Equal(1, Day(all, MetricNames.NewMembers, new DateOnly(2026, 11, 18)));
        Assert.Equal(1, Gauge(all, GaugeNames.TierPrefix + "V1") + Gauge(all, GaugeNames.TierPrefix + "V0"));
    }

    [Fact]
    public void AHeldRefundAppliedWithItsPurchaseIsActivityOnTheRefundsOwnDay()
    {
        var state = new MemberState { MemberId = "R4" };
        var options = new ProgramOptions();
        var all = new List<MetricContribution>();

        all.AddRange(Contributions(MemberDecider.Apply(state, Event("rf1", "refund", RefundAt, "O1", 50m), options, Now, Metrics)));
        // The purchase (two days before the refund) comes an hour later and releases the refund.
        var purchase = MemberDecider.Apply(state, Event("p1", "purchase", RefundAt.AddDays(-2), "O1", 200m), options, Now.AddHours(1), Metrics);
        Assert.Equal(["rf1"], purchase.Reply.AppliedHeldRefunds);
        all.AddRange(Contributions(purchase));

        // A refund is an event other than a complaint: activity on 11-20 (CONTRACT.md §2, §5 dau), as the member's own
        // lastActivityAt already says; the purchase's day counts once too.
        var refundDay = new DateOnly(2026, 11, 20);
        Assert.Equal(RefundAt, state.LastActivityAt);
        Assert.Equal(1, Day(all, MetricNames.Dau, refundDay));
        Assert.Equal(1, Day(all, MetricNames.Dau, new DateOnly(2026, 11, 18)));
        Assert.Equal(0, Day(all, MetricNames.Purchasers, refundDay));
    }

    [Fact]
    public void AHeldRefundsRevenueNetsOnTheRefundsOwnDayNotOnTheLatePurchasesDay()
    {
        var state = new MemberState { MemberId = "R5" };
        var options = new ProgramOptions();
        var all = new List<MetricContribution>();

        // The refund (11-20) arrives first and waits; its purchase (11-19) arrives an hour later and applies it.
        all.AddRange(Contributions(MemberDecider.Apply(state, Event("rf1", "refund", RefundAt, "O1", 50.25m), options, Now, Metrics)));
        var purchase = MemberDecider.Apply(state, Event("p1", "purchase", RefundAt.AddDays(-1), "O1", 200.00m), options, Now.AddHours(1), Metrics);
        Assert.Equal(["rf1"], purchase.Reply.AppliedHeldRefunds);
        all.AddRange(Contributions(purchase));

        // CONTRACT.md §5 per local day, §1.1 the effect it would have had in order: the purchase's day takes the
        // purchase's whole amount, the refund's day its refund, as an in-order refund does.
        var purchaseDay = new DateOnly(2026, 11, 19);
        var refundDay = new DateOnly(2026, 11, 20);
        var days = new[] { purchaseDay, refundDay }.Select(d => Counters(all, d)).ToList();
        Assert.Equal(200.00m, days[0].Revenue);
        Assert.Equal(-50.25m, days[1].Revenue);
        Assert.Equal(149.75m, all.Sum(c => c.Revenue));

        // ARPU follows: the purchase's day per its purchaser; the two-day range nets the refund in its revenue and has
        // no ARPU (its distinct purchasers are not counted, CONTRACT.md §5).
        var series = HealthMetrics.Series(days, membersNow: 1, joinedAfterLast: 0, days[^1].Day.AddDays(1), null);
        Assert.Equal(200.00m, series[0].Arpu);
        Assert.Null(series[1].Arpu);
        var range = HealthMetrics.Summary(days, series, days[^1].Day.AddDays(1), DateOnly.MinValue);
        Assert.Equal(149.75m, range.Revenue);
        Assert.Null(range.Arpu);
    }

    [Fact]
    public void AHeldRefundDeadLetteredAfterItsHoldLeavesNoMemberCounted()
    {
        var state = new MemberState { MemberId = "R2" };
        var options = new ProgramOptions();
        var all = new List<MetricContribution>();

        all.AddRange(Contributions(MemberDecider.Apply(state, Event("rf1", "refund", RefundAt, "O1", 50m), options, Now, Metrics)));
        var tick = MemberDecider.Tick(state, options, Now + options.HeldRefundTimeout + TimeSpan.FromMinutes(1), metrics: Metrics);
        Assert.Single(tick.Effects.OfType<DeadLetterRefund>());
        all.AddRange(Contributions(tick));

        Assert.Equal(0, Day(all, MetricNames.NewMembers));
        Assert.Equal(0, Gauge(all, GaugeNames.Members));
        Assert.Equal(0, all.Where(x => x.IsGauge).SelectMany(x => x.Counters).Where(kv => kv.Key != GaugeNames.PointsOutstanding).Sum(kv => Math.Abs(kv.Value)));
    }

    [Fact]
    public void AMemberStoredCountedByAHeldRefundBeforeTheFixLeavesTheGaugeOnItsNextOutcome()
    {
        var state = new MemberState { MemberId = "R3" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Event("rf1", "refund", RefundAt, "O1", 50m), options, Now, Metrics);
        // What an older version stored: the held-only member counted in the gauges.
        state.Metrics = state.Metrics with { Segments = MemberMetricsPolicy.Segments(state, options, Now) with { Counted = true } };

        var tick = MemberDecider.Tick(state, options, Now + options.HeldRefundTimeout + TimeSpan.FromMinutes(1), metrics: Metrics);

        Assert.Equal(-1, Gauge(Contributions(tick), GaugeNames.Members));
        Assert.Equal(0, Day(Contributions(tick), MetricNames.NewMembers));
    }
}
