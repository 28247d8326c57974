using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tests.Oracles;
using Engagement.Domain.Tiers;
using Xunit.Abstractions;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// CONTRACT.md §1.1 and §2 as an oracle for tiers: a member's short generated history (purchases around the tier
/// thresholds over months, full and partial refunds of earlier orders, periodic checks across growth windows of 45, 90
/// and 365 days and their 30-day graces) applied once in occurredAt order and once with one or two events delivered late
/// (moved to the end of arrival order; a late purchase takes its refunds with it) ends, read at the arrival after a check,
/// with the same tier, tierSince, growth, grace start, tier benefits (grant dates included), points balance, and tier
/// entries that explain the tier held the same way (their deltas less its rank). The tier entries themselves are not
/// compared one by one: a late event corrects with new entries rather than rewriting those recorded live (CONTRACT.md
/// §1.1). Divergences of a class
/// docs/ledger.md lists as a known limit are counted and excused by a precise predicate (<see cref="KnownLimit"/>), in the
/// fields that class may leave different (tier, tierSince, grace, benefit dates, or tierSince and benefit dates only),
/// and the seeds each class excuses are pinned; every other divergence fails the test. Fixed seeds, pinned instants.
/// </summary>
public class TierLateEventOracleTests(ITestOutputHelper output)
{
    private const int Scenarios = 400;
    private static readonly DateTimeOffset Start = TestMember.Shanghai(2026, 1, 5, 10);

    /// <summary>Every field a divergence may name but growth, points balance and the tier entries' sum, which no known limit excuses.</summary>
    private static readonly string[] TierFields = ["tier", "tierSince", "grace", "benefits"];

    /// <summary>tierSince and benefit dates only: the tier held and its grace must agree.</summary>
    private static readonly string[] DatesOnly = ["tierSince", "benefits"];

    /// <summary>
    /// The known limits (docs/ledger.md, "What the tier oracle still finds out of order"), in the order they are
    /// tried: the first whose predicate holds classes a diverging scenario, which may then differ in that class's fields
    /// only, and the scenarios (seeds) each class excuses are pinned, so a rule change that moves a history into or out
    /// of a class fails with the class and the seeds named.
    /// </summary>
    private static readonly KnownLimit[] Limits =
    [
        // Late refunds only (of orders delivered on time). Judged in order only in the cases docs/ledger.md lists; others (one that
        // blocked a later upgrade or let a later refund drop, a tier lost through a grace between the refund and its
        // arrival, the grant dates of benefits held before a replayed drop) are judged at the arrival.
        new("late refund", TierFields, [7, 17, 38, 93, 102, 124, 166, 174, 179, 189, 199, 239, 247, 256, 279, 298, 303, 311, 319, 330, 349, 358, 365, 386],
            (scenario, _, _) => scenario.Events.Where(e => e.Late).All(e => e.IsRefund)),

        // A late purchase when some purchase's growth (its own or another's) has left the trailing window by the arrival
        // (the window counts member-local days: a purchase within a day of the window's edge counts as left).
        new("late purchase, growth aged out", TierFields,
            [
                1, 5, 11, 14, 18, 22, 24, 34, 37, 40, 41, 45, 47, 49, 57, 60, 63, 66, 70, 72, 76, 81, 82, 83, 86, 91, 95, 99, 110, 114,
                130, 133, 135, 137, 145, 146, 153, 160, 168, 173, 183, 187, 192, 193, 215, 216, 218, 221, 227, 231, 244, 246, 248, 261,
                262, 264, 271, 280, 281, 286, 288, 294, 325, 327, 328, 342, 344, 347, 351, 354, 357, 363, 367, 372, 382, 394, 397,
            ],
            (scenario, _, _) => scenario.Events.Exists(e => !e.IsRefund && e.At.AddDays(scenario.WindowDays - 1) < scenario.Arrival)),

        // A late purchase after which a refund delivered on time dropped the tier live (a tier.downgrade.refund recorded
        // before the arrival in the late run), a drop the late purchase would have prevented: the lift back dates tierSince
        // and the benefits it grants again at the late purchase, not where the tier was first reached.
        new("late purchase, live refund drop", DatesOnly, [79, 88, 98, 119, 141, 157, 188, 207, 293, 302],
            (scenario, _, late) => RefundDrops(late).Any(e => e.At < scenario.Arrival)),

        // A late purchase delivered with its own refund (a tier.downgrade.refund recorded at the arrival, none live) whose
        // refunds took tiers in order: tier and tierSince agree (a refund made before the later purchase that completed the
        // late upgrade leaves the member on the tier it held in order, since then: seeds 42, 134, 203, 243 left this class),
        // but benefits held live before such a drop keep their live grantedAt (seed 346: the birthday coupon dated at the
        // live move into V2 of 15 Feb, in order 23 Jan, where the late purchase reached V4 before its refunds took it to V2).
        new("late purchase and its refund, drop at the arrival", DatesOnly, [346],
            (scenario, _, late) => RefundDrops(late).Any(e => e.At == scenario.Arrival)),

        // A late purchase that in order lifted the member to a tier a refund delivered on time took back (a
        // tier.downgrade.refund in order, none in the late run): the late run never entered that tier, so tierSince stays
        // at the live move into the tier held now, in order the refund's instant (seed 337: V3 since 19 Feb; in order V4 on
        // 19 Feb, V3 since the refund of 20 Mar), and benefit dates stay at the live moves.
        new("late purchase, refund drop in order", DatesOnly, [54, 289, 316, 337],
            (_, inOrder, late) => RefundDrops(inOrder).Any() && !RefundDrops(late).Any()),

        // A late purchase dated before a purchase delivered on time, no refund taking a tier in either run and nothing aged
        // out (refunds that took no tier may be in the history): tierSince and the benefits of the tiers below stay dated
        // at the live upgrades, so tierSince is never earlier than in order. Seed 142 came from the class of a late purchase
        // delivered with a refund of its order made before a later purchase, whose move was dated before the refund counted
        // (V4 since 27 Mar, in order 16 Apr): that refund now dates the move (and the advisor) at 16 Apr, as in order, and
        // only the benefits of the tiers below still differ, as in this class.
        new("late purchase before a live upgrade", DatesOnly,
            [
                6, 25, 28, 36, 50, 69, 103, 109, 121, 132, 142, 154, 163, 176, 190, 205, 214, 219, 224, 228, 229, 232, 255, 272, 308, 320,
                321, 322, 360, 362, 364, 369, 377, 390, 400,
            ],
            (scenario, inOrder, late) => !RefundDrops(inOrder).Any() && !RefundDrops(late).Any() && !(late.State.TierSince < inOrder.State.TierSince)
                && scenario.Events.Exists(l => l.Late && !l.IsRefund && scenario.Events.Exists(e => !e.Late && e.At > l.At))),
    ];

    [Fact]
    public void OneOrTwoLateEventsEndLikeInOrderDeliveryOutsideTheKnownLimits()
    {
        var tally = new OracleTally([.. Limits.Select(l => (l.Name, l.Seeds))]);
        for (var seed = 1; seed <= Scenarios; seed++)
        {
            var scenario = Scenario.Generate(seed);
            var inOrder = Run(scenario, late: false);
            var late = Run(scenario, late: true);
            var differences = Compare(Observe(inOrder), Observe(late));
            if (differences.Count == 0)
            {
                continue;
            }

            var limit = Array.Find(Limits, l => l.Applies(scenario, inOrder, late));
            var fields = differences.Select(d => d.Split(' ')[0]).ToList();
            var ok = limit is not null && fields.TrueForAll(f => limit.Fields.Contains(f, StringComparer.Ordinal));
            var name = $"{(ok ? limit!.Name : "unexplained")}: {string.Join(",", fields)}";
            tally.Shape(name);
            if (ok)
            {
                tally.Excuse(limit!.Name, seed);
            }
            else
            {
                tally.Unexplained($"seed {seed} ({limit?.Name ?? "no known limit"}): {string.Join("; ", differences)}{Environment.NewLine}{scenario.Describe()}");
            }
        }

        tally.Report(output, Scenarios);
    }

    /// <summary>
    /// Classes docs/ledger.md names from this oracle's narrowing, each on one written-out history (the generated one of the seed
    /// named, UTC instants): the class the predicates pick and the exact differences (tier and grace agree); the last one
    /// (seed 142) is the history whose move a refund of the late order now dates as in order.
    /// </summary>
    [Theory]
    [InlineData("drop at the arrival")]
    [InlineData("refund drop in order")]
    [InlineData("move dated with the refund counted")]
    public void EachNewRefundClassIsTheDifferenceItNames(string which)
    {
        var (scenario, limit, expected) = which switch
        {
            // Seed 346: O0 (23 Jan, V4 in order) and its refunds of 19 Feb and 6 Mar arrive on 17 Apr, after O1 of 15 Feb reached
            // V2 live: V3 since 10 Mar in both, the birthday coupon still dated at the live move into V2.
            "drop at the arrival" => (Written(90, "2026-04-17T03:07", ["2026-01-28T02:07", "2026-03-20T02:07", "2026-03-25T02:07", "2026-04-09T02:07"],
                    "2026-01-23T06:25 buy O0 20402.5 late", "2026-02-15T14:37 buy O1 2615.5", "2026-02-19T18:07 refund O0 14029 late",
                    "2026-03-06T03:43 refund O0 6373.5 late", "2026-03-10T11:37 buy O4 3319"),
                "late purchase and its refund, drop at the arrival",
                new[]
                {
                    "benefits birthday-coupon@2026-01-23T06:25:00 priority-booking@2026-03-10T11:37:00"
                        + " | late: birthday-coupon@2026-02-15T14:37:00 priority-booking@2026-03-10T11:37:00",
                }),

            // Seed 337: in order O1 makes O2's 19 Feb reach V4 and the refund of 20 Mar takes it back to V3; late, V3 since 19 Feb.
            "refund drop in order" => (Written(365, "2026-05-05T14:24", ["2026-01-29T02:07", "2026-04-05T02:07", "2026-04-09T02:07", "2026-04-16T02:07"],
                    "2026-01-15T06:21 buy O0 1091", "2026-02-04T11:55 buy O1 3823 late", "2026-02-19T17:50 buy O2 17348", "2026-03-20T01:33 refund O2 10486",
                    "2026-04-04T07:46 buy O4 2000", "2026-04-10T07:50 refund O0 922", "2026-04-22T13:24 buy O6 3904"),
                "late purchase, refund drop in order", new[] { "tierSince 2026-03-20T01:33:00 | late: 2026-02-19T17:50:00" }),

            // Seed 142: net of O0's refund of 22 Jan, growth reaches 20,000 on 16 Apr; the late run dates V4 there too (it
            // dated it 27 Mar, on O0 whole), and only the lower tiers' benefits stay at the live moves.
            _ => (Written(365, "2026-06-03T03:07", ["2026-03-01T02:07", "2026-04-19T02:07", "2026-05-09T02:07", "2026-05-21T02:07"],
                    "2026-01-06T10:19 buy O0 9891 late", "2026-01-22T17:12 refund O0 3981 late", "2026-02-12T22:15 buy O2 3401",
                    "2026-03-14T04:51 buy O3 839", "2026-03-27T11:41 buy O4 5938", "2026-04-16T13:20 buy O5 5170"),
                "late purchase before a live upgrade",
                new[]
                {
                    "benefits birthday-coupon@2026-01-06T10:19:00 dedicated-advisor@2026-04-16T13:20:00 priority-booking@2026-01-06T10:19:00"
                        + " | late: birthday-coupon@2026-02-12T22:15:00 dedicated-advisor@2026-04-16T13:20:00 priority-booking@2026-03-27T11:41:00",
                }),
        };

        var inOrder = Run(scenario, late: false);
        var late = Run(scenario, late: true);
        Assert.Equal(limit, Array.Find(Limits, l => l.Applies(scenario, inOrder, late))?.Name);
        Assert.Equal(expected, Compare(Observe(inOrder), Observe(late)));
    }

    /// <summary>A written-out history: instants UTC ("yyyy-MM-ddTHH:mm"), events "instant buy|refund order amount [late]".</summary>
    private static Scenario Written(int windowDays, string arrival, string[] ticks, params string[] events)
    {
        static DateTimeOffset At(string text) => DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var steps = events.Select(e => e.Split(' ')).Select((p, i) =>
            new Scenario.Step(At(p[0]), p[2], decimal.Parse(p[3], CultureInfo.InvariantCulture), $"e{i}", p[1] == "refund", p.Length > 4)).ToList();
        return new Scenario(0, windowDays, steps, [.. ticks.Select(At)], At(arrival));
    }

    private static IEnumerable<LedgerEntry> RefundDrops(TestMember member) =>
        member.State.Ledger.Where(e => e.RuleId == RuleIds.TierDowngradeRefund);

    /// <summary>The member after the scenario: in occurredAt order, or with its late events applied last, at <see cref="Scenario.Arrival"/>.</summary>
    private static TestMember Run(Scenario scenario, bool late)
    {
        var member = new TestMember(Start);
        member.Options.GrowthWindowDays = scenario.WindowDays;
        member.Options.LedgerEntriesKept = 10_000;
        var steps = scenario.Events.Where(e => !late || !e.Late).Select(e => (e.At, Event: (Scenario.Step?)e))
            .Concat(scenario.Ticks.Select(t => (At: t, Event: (Scenario.Step?)null)))
            .OrderBy(s => s.At).ToList();
        foreach (var (at, step) in steps)
        {
            member.Now = at;
            Apply(member, step);
        }

        member.Now = scenario.Arrival;
        if (late)
        {
            foreach (var step in scenario.Events.Where(e => e.Late))
            {
                Apply(member, step);
            }
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Apply(TestMember member, Scenario.Step? step)
    {
        if (step is not { } s)
        {
            MemberDecider.Tick(member.State, member.Options, member.Now);
            return;
        }

        var type = s.IsRefund ? MemberEventTypes.Refund : MemberEventTypes.Purchase;
        var evt = new MemberEvent(s.EventId!, type, s.At) { OrderId = s.Order, Amount = s.Amount };
        var decision = MemberDecider.Apply(member.State, evt, member.Options, member.Now).Reply;
        Assert.True(decision.Status == EventStatus.Applied, $"{s.EventId}: {decision.Status} {decision.Reason}");
    }

    /// <summary>What the contract says must match, as named strings: the name first, then the value.</summary>
    private static List<string> Observe(TestMember member)
    {
        var state = member.State;
        return
        [
            $"tier {member.Tier}",
            $"tierSince {Utc(state.TierSince)}",
            $"growth {GrowthPolicy.TrailingGrowth(state, member.Options, member.Now)}",
            $"grace {Utc(state.TierGraceStartedAt)}",
            $"benefits {string.Join(" ", state.Benefits.Select(b => $"{b.Code}@{Utc(b.GrantedAt)}").Order(StringComparer.Ordinal))}",
            $"balance {PointsWallet.Balance(state)}",
            $"tierEntries {state.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta) - TierPolicy.Rank(member.Options, member.Tier)}",
        ];
    }

    private static List<string> Compare(List<string> expected, List<string> actual) =>
        [.. expected.Zip(actual).Where(p => p.First != p.Second).Select(p => $"{p.First} | late: {p.Second[(p.Second.IndexOf(' ', StringComparison.Ordinal) + 1)..]}")];

    private static string Utc(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>One generated history: its events (some late), the checks between them, and when the late ones arrive.</summary>
    private sealed record Scenario(int Seed, int WindowDays, List<Scenario.Step> Events, List<DateTimeOffset> Ticks, DateTimeOffset Arrival)
    {
        public static Scenario Generate(int seed)
        {
            var random = new Random(seed);
            int[] windows = [45, 90, 365];
            var window = windows[random.Next(windows.Length)];
            var events = new List<Step>();
            var left = new Dictionary<string, decimal>(StringComparer.Ordinal);
            var at = Start;
            var count = random.Next(4, 9);
            for (var i = 0; i < count; i++)
            {
                at = at.AddDays(random.Next(1, 30)).AddHours(random.Next(0, 10)).AddMinutes(random.Next(1, 59));
                var refundable = left.Where(o => o.Value > 0).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
                if (refundable.Count > 0 && random.Next(3) == 0)
                {
                    var order = refundable[random.Next(refundable.Count)];
                    var amount = random.Next(3) == 0 ? left[order] : Math.Max(1m, Math.Floor(left[order] * (decimal)(0.1 + random.NextDouble() * 0.8)));
                    left[order] -= amount;
                    events.Add(new Step(at, order, amount, $"e{i}", true, false));
                }
                else
                {
                    (int Low, int High)[] bands = [(100, 1200), (800, 4600), (3000, 16_000), (12_000, 21_000)];
                    var band = bands[random.Next(bands.Length)];
                    var amount = random.Next(band.Low, band.High) + (random.Next(4) == 0 ? 0.5m : 0m);
                    var order = $"O{i}";
                    left[order] = amount;
                    events.Add(new Step(at, order, amount, $"e{i}", false, false));
                }
            }

            var ticks = Enumerable.Range(0, 4).Select(_ => Start.AddDays(random.Next(1, (int)(at - Start).TotalDays + 60)).AddMinutes(7))
                .Where(t => events.TrueForAll(e => e.At != t)).Distinct().Order().ToList();
            var arrival = ticks.Append(at).Max().AddDays(random.Next(0, 20)).AddHours(1);

            // One event late (sometimes two); a late purchase takes its refunds with it (a refund before its purchase is held).
            var late = new HashSet<int> { random.Next(events.Count) };
            if (random.Next(5) == 0)
            {
                late.Add(random.Next(events.Count));
            }

            foreach (var index in late.ToList().Where(i => !events[i].IsRefund))
            {
                late.UnionWith(Enumerable.Range(0, events.Count).Where(i => events[i].IsRefund && events[i].Order == events[index].Order));
            }

            events = [.. events.Select((e, i) => e with { Late = late.Contains(i) })];
            return new Scenario(seed, window, events, ticks, arrival);
        }

        public string Describe() =>
            $"  window {WindowDays} days, arrival {Utc(Arrival)}, ticks {string.Join(" ", Ticks.Select(t => Utc(t)))}{Environment.NewLine}" +
            string.Join(Environment.NewLine, Events.Select(e =>
                $"  {Utc(e.At)} {(e.IsRefund ? "refund" : "buy")} {e.Order} {e.Amount}{(e.Late ? " LATE" : "")}"));

        /// <summary>A purchase or refund of <see cref="Order"/> (CNY), occurring at <see cref="At"/>; <see cref="Late"/>: delivered last.</summary>
        public sealed record Step(DateTimeOffset At, string Order, decimal Amount, string EventId, bool IsRefund, bool Late);
    }

    /// <summary>
    /// A known limit of docs/ledger.md: its name, the fields it may leave different, the seeds it excuses (pinned), and whether it
    /// applies to a scenario given the member in order and with the late events last.
    /// </summary>
    private sealed record KnownLimit(string Name, string[] Fields, int[] Seeds, Func<Scenario, TestMember, TestMember, bool> Applies);
}
