using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;
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
/// README lists as a known limit are counted and excused by a precise predicate (<see cref="KnownLimit"/>), in tier,
/// tierSince, grace and benefit dates only; every other divergence fails the test. Fixed seeds, pinned instants.
/// </summary>
public class TierLateEventOracleTests(ITestOutputHelper output)
{
    private const int Scenarios = 400;
    private static readonly DateTimeOffset Start = TestMember.Shanghai(2026, 1, 5, 10);

    /// <summary>What a known limit may leave different; growth, points balance and the tier entries' sum are always compared.</summary>
    private static readonly string[] Excusable = ["tier", "tierSince", "grace", "benefits"];

    [Fact]
    public void OneOrTwoLateEventsEndLikeInOrderDeliveryOutsideTheKnownLimits()
    {
        var classes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var unexplained = new List<string>();
        for (var seed = 1; seed <= Scenarios; seed++)
        {
            var scenario = Scenario.Generate(seed);
            var differences = Compare(Observe(Run(scenario, late: false)), Observe(Run(scenario, late: true)));
            if (differences.Count == 0)
            {
                continue;
            }

            var limit = KnownLimit(scenario);
            var fields = differences.Select(d => d.Split(' ')[0]).ToList();
            var excused = limit is not null && fields.TrueForAll(f => Excusable.Contains(f, StringComparer.Ordinal));
            var name = $"{(excused ? limit : "unexplained")}: {string.Join(",", fields)}";
            classes[name] = classes.GetValueOrDefault(name) + 1;
            if (!excused)
            {
                unexplained.Add($"seed {seed}: {string.Join("; ", differences)}{Environment.NewLine}{scenario.Describe()}");
            }
        }

        foreach (var (name, count) in classes)
        {
            output.WriteLine($"{count,4} {name}");
        }

        foreach (var line in unexplained.Take(12))
        {
            output.WriteLine(line);
        }

        Assert.True(unexplained.Count == 0, $"{unexplained.Count} of {Scenarios} scenarios diverge outside the known limits; first: {unexplained.FirstOrDefault()}");
    }

    /// <summary>
    /// The README known limit (README, Tiers: "What the tier oracle still finds out of order") a scenario falls in, or
    /// null: the first that applies. A scenario in one may differ in tier, tierSince, grace and benefit dates only.
    /// </summary>
    private static string? KnownLimit(Scenario scenario)
    {
        // Limit 1: late refunds only (of orders delivered on time). Judged in order only in the cases README lists; others
        // (one that blocked a later upgrade or let a later refund drop, a tier lost through a grace between the refund and
        // its arrival, the grant dates of benefits held before a replayed drop) are judged at the arrival.
        if (scenario.Events.Where(e => e.Late).All(e => e.IsRefund))
        {
            return "late refund";
        }

        // Limit 2: a late purchase when some purchase's growth (its own or another's) has left the trailing window by the
        // arrival (the window counts member-local days: a purchase within a day of the window's edge counts as left).
        if (scenario.Events.Exists(e => !e.IsRefund && e.At.AddDays(scenario.WindowDays - 1) < scenario.Arrival))
        {
            return "late purchase, growth aged out";
        }

        // Limit 3: a late purchase on a history with a refund (delivered late or on time).
        if (scenario.Events.Exists(e => e.IsRefund))
        {
            return "late purchase, history with refunds";
        }

        // Limit 4: a late purchase dated before a purchase delivered on time (growth only rose: no refund, nothing aged out):
        // tierSince and the benefits of the tiers below stay dated at the live upgrades.
        if (scenario.Events.Exists(l => l.Late && scenario.Events.Exists(e => !e.Late && e.At > l.At)))
        {
            return "late purchase before a live upgrade";
        }

        return null;
    }

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
}
