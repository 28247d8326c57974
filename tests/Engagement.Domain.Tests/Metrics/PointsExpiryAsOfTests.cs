using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// CONTRACT.md §5 <c>points</c> and §1.1 (reads are as of now): the outstanding points and their liability leave out
/// a lot from its expiry instant on, and its breakage counts on the day it expired, before the member's tick has
/// processed it and after, once.
/// </summary>
public class PointsExpiryAsOfTests
{
    private static readonly MetricsOptions Metrics = new() { Shards = 4 };

    private static MemberEvent Purchase(string id, DateTimeOffset at, string order, decimal amount) =>
        new(id, "purchase", at) { RegionId = "east", OrderId = order, Amount = amount };

    [Fact]
    public void ALotPastItsExpiryLeavesTheLiabilityAndCountsAsBreakageOnItsDayBeforeAndAfterTheTick()
    {
        var options = new ProgramOptions();
        var programme = new Programme();

        // a: 500 CNY on 2025-11-23 10:00 (a first purchase doubles: 1,000 points), expiring 2026-11-23 10:00.
        var a = new MemberState { MemberId = "M-expiring" };
        var bought = TestMember.Shanghai(2025, 11, 23, 10);
        programme.Add(MemberDecider.Apply(a, Purchase("a1", bought, "A1", 500m), options, bought, Metrics));
        // b: 100 CNY in June (200 points), live for months yet.
        var b = new MemberState { MemberId = "M-live" };
        var june = TestMember.Shanghai(2026, 6, 1, 10);
        programme.Add(MemberDecider.Apply(b, Purchase("b1", june, "B1", 100m), options, june, Metrics));
        var (day22, day23, day24) = (new DateOnly(2026, 11, 22), new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24));

        // 18:00 on the expiry day: a's tick has not come (nothing touched a since its purchase).
        var evening = programme.Economy(day22, day23, TestMember.Shanghai(2026, 11, 23, 18));
        Assert.Equal(200, evening.Outstanding);
        Assert.Equal(2.00m, evening.LiabilityCny);
        Assert.Equal(1000, evening.Days.Single(d => d.Day == day23).Expired);
        Assert.Equal(1000, evening.Total.Expired);

        // Before its instant the lot is still held.
        var morning = programme.Economy(day22, day23, TestMember.Shanghai(2026, 11, 23, 9, 30));
        Assert.Equal(1200, morning.Outstanding);
        Assert.Equal(0, morning.Total.Expired);

        // a's tick comes after midnight, the next local day: breakage stays on the 23rd, counted once.
        var lateTick = TestMember.Shanghai(2026, 11, 24, 0, 30);
        var tick = MemberDecider.Tick(a, options, lateTick, metrics: Metrics);
        Assert.Equal(-1000, tick.Entries.Where(e => e.RuleId == RuleIds.PointsExpire).Sum(e => e.Delta));
        programme.Add(tick);
        var next = programme.Economy(day22, day24, TestMember.Shanghai(2026, 11, 24, 12));
        Assert.Equal(200, next.Outstanding);
        Assert.Equal(1000, next.Days.Single(d => d.Day == day23).Expired);
        Assert.Equal(0, next.Days.Single(d => d.Day == day24).Expired);
        Assert.Equal(1000, next.Total.Expired);

        // A redelivered contribution changes nothing, and a quiet tick later neither.
        programme.Add(tick);
        programme.Add(MemberDecider.Tick(a, options, TestMember.Shanghai(2026, 11, 25, 0, 30), metrics: Metrics));
        Assert.Equal(next.Total.Expired, programme.Economy(day22, day24, TestMember.Shanghai(2026, 11, 25, 12)).Total.Expired);
        Assert.Equal(200, programme.Economy(day22, day24, TestMember.Shanghai(2026, 11, 25, 12)).Outstanding);
    }

    [Fact]
    public void SpendingPartOfALotBeforeItExpiresLeavesOnlyWhatIsLeftAsBreakage()
    {
        var options = new ProgramOptions();
        var programme = new Programme();
        var a = new MemberState { MemberId = "M-spent" };
        var bought = TestMember.Shanghai(2025, 11, 23, 10);
        programme.Add(MemberDecider.Apply(a, Purchase("a1", bought, "A1", 500m), options, bought, Metrics));
        programme.Add(MemberDecider.Redeem(a, "R1", 300, null, null, options, TestMember.Shanghai(2026, 11, 20, 10), Metrics));

        var after = programme.Economy(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 23), TestMember.Shanghai(2026, 11, 23, 12));

        Assert.Equal(0, after.Outstanding);
        Assert.Equal(700, after.Total.Expired);
        Assert.Equal(300, after.Total.Redeemed);
    }

    /// <summary>Sums contributions like the aggregators (each id once) and reads the economy like <c>GET /programme/points</c>.</summary>
    private sealed class Programme
    {
        private readonly Dictionary<DateOnly, Dictionary<string, long>> _days = [];
        private readonly Dictionary<string, long> _gauges = new(StringComparer.Ordinal);
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public void Add(MemberOutcome outcome)
        {
            foreach (var c in outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions).Where(c => _ids.Add(c.Id)))
            {
                var target = c.IsGauge ? _gauges : _days.TryGetValue(c.Day, out var day) ? day : _days[c.Day] = new(StringComparer.Ordinal);
                foreach (var (name, delta) in c.Counters)
                {
                    target[name] = target.GetValueOrDefault(name) + delta;
                }
            }
        }

        /// <summary>The economy of [from, to] read at <paramref name="now"/>, reading every day up to the day after now's.</summary>
        public PointsEconomyView Economy(DateOnly from, DateOnly to, DateTimeOffset now)
        {
            var today = Metrics.LocalDay(now, "east");
            var all = _days.Keys.Where(d => d <= today.AddDays(1)).Order().Select(Counters).ToList();
            var range = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => Counters(from.AddDays(i))).ToList();
            return PointsEconomy.Of(range, range, _gauges.GetValueOrDefault(GaugeNames.PointsOutstanding), 0.01m, 0.28, 0.32, now, all);
        }

        private DayCounters Counters(DateOnly day) => new() { Day = day, Counters = _days.GetValueOrDefault(day) ?? [] };
    }
}
