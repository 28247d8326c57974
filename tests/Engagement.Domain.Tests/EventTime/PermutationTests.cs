using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;
using Xunit.Abstractions;

namespace Engagement.Domain.Tests.EventTime;

/// <summary>
/// CONTRACT.md §1.1 as a property: whatever order one member's events arrive in, the member ends with the same points,
/// growth and tier as when they arrive in occurredAt order, and the ledger explains every point and growth value.
/// </summary>
public class PermutationTests(ITestOutputHelper output)
{
    private const int Seeds = 240;
    private const int EventsPerMember = 50;
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnyArrivalOrderOfFiftyMixedEventsEndsLikeInOrderDelivery()
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var events = Generate(seed);
            var inOrder = events.OrderBy(e => e.OccurredAt).ThenBy(e => e.EventId, StringComparer.Ordinal).ToList();
            var shuffled = events.ToArray();
            new Random(seed * 7919).Shuffle(shuffled);

            var expected = Run(inOrder);
            var actual = Run(shuffled);

            if (expected.Outcome != actual.Outcome)
            {
                output.WriteLine($"seed {seed}: in order {expected.Outcome}, shuffled {actual.Outcome}");
                output.WriteLine(string.Join(Environment.NewLine, shuffled.Select(Describe)));
            }

            Assert.True(expected.Outcome == actual.Outcome, $"seed {seed}: in order {expected.Outcome}, shuffled {actual.Outcome}");
            Assert.True(actual.LedgerPoints == actual.Outcome.Points, $"seed {seed}: points ledger sums to {actual.LedgerPoints}, balance {actual.Outcome.Points}");
            Assert.True(actual.LedgerGrowth == actual.Outcome.Growth, $"seed {seed}: growth ledger sums to {actual.LedgerGrowth}, growth {actual.Outcome.Growth}");
        }
    }

    private static (Outcome Outcome, long LedgerPoints, long LedgerGrowth) Run(IEnumerable<MemberEvent> events)
    {
        var member = new TestMember(Now);
        member.Options.LedgerEntriesKept = 10_000;
        foreach (var evt in events)
        {
            var decision = member.Apply(evt);
            Assert.True(decision.Status is EventStatus.Applied or EventStatus.Held, $"{evt.EventId}: {decision.Status} {decision.Reason}");
        }

        var ledger = member.State.Ledger;
        return (
            new Outcome(member.Balance, member.Growth, member.Tier),
            ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta),
            ledger.Where(e => e.Kind == LedgerKinds.Growth).Sum(e => e.Delta));
    }

    /// <summary>
    /// 50 events of one member over the last 6 days (so daily caps bite and nothing ages out): purchases from 0.01 to
    /// 3,000.00 CNY (some crossing V2 and V3), partial and full refunds (summing to at most the order), shares,
    /// reviews and logins, several on one local day.
    /// </summary>
    private static List<MemberEvent> Generate(int seed)
    {
        var random = new Random(seed);
        var events = new List<MemberEvent>(EventsPerMember);
        var orders = new List<(string Id, DateTimeOffset At, decimal Left)>();
        var n = 0;
        DateTimeOffset Instant() => Now.AddMinutes(-random.Next(1, 6 * 24 * 60));
        string Id() => "e" + (++n).ToString("D3", CultureInfo.InvariantCulture);

        while (events.Count < EventsPerMember)
        {
            var roll = random.Next(100);
            if (roll < 30 || orders.Count == 0)
            {
                var amount = random.Next(10) == 0 ? random.Next(1, 100) / 100m : random.Next(100, 300_000) / 100m;
                var order = ("o" + (orders.Count + 1).ToString(CultureInfo.InvariantCulture), Instant(), amount);
                orders.Add(order);
                events.Add(new MemberEvent(Id(), MemberEventTypes.Purchase, order.Item2) { OrderId = order.Item1, Amount = amount });
            }
            else if (roll < 45)
            {
                var index = random.Next(orders.Count);
                var (id, at, left) = orders[index];
                if (left <= 0m)
                {
                    continue;
                }

                var refund = random.Next(3) == 0 ? left : Math.Max(0.01m, decimal.Round(left * random.Next(1, 100) / 100m, 2));
                orders[index] = (id, at, left - refund);
                events.Add(new MemberEvent(Id(), MemberEventTypes.Refund, Min(at.AddMinutes(random.Next(1, 600)), Now)) { OrderId = id, Amount = refund });
            }
            else
            {
                string[] types = [MemberEventTypes.Share, MemberEventTypes.Share, MemberEventTypes.Review, MemberEventTypes.Login, MemberEventTypes.Browse];
                var day = Now.AddDays(-random.Next(0, 3));
                events.Add(new MemberEvent(Id(), types[random.Next(types.Length)], day.AddMinutes(-random.Next(0, 1440))));
            }
        }

        return events;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static string Describe(MemberEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.EventId} {e.Type} {e.OccurredAt:O} {e.OrderId} {e.Amount}");

    private sealed record Outcome(long Points, long Growth, string Tier);
}
