using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Growth;

/// <summary>
/// The running growth total (<see cref="GrowthTotals"/>) against the growth recounted from the sources, over generated
/// event sequences with fixed seeds: purchases (some late), partial refunds, capped behaviours (late ones displacing
/// earners), manual growth adjustments, ticks, time zone changes and repeats, with a short window so it moves, orders
/// are forgotten and behaviour records fold into day buckets within a run.
/// </summary>
public class GrowthTotalsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    public void RunningTotalEqualsTheRecountedGrowthAfterEveryStep(int seed)
    {
        var run = new Run(seed);
        for (var step = 0; step < 400; step++)
        {
            run.Step(run.Member.State);

            // A JSON copy starts without a running total: it recounts from the sources.
            var running = GrowthPolicy.TrailingGrowth(run.Member.State, run.Options, run.Now);
            Assert.Equal(Recounted(run.Member.State, run.Options, run.Now), running);

            // Read again on a later day (the window moved) and back: both exact.
            var later = run.Now.AddDays(run.Random.Next(1, 25));
            Assert.Equal(Recounted(run.Member.State, run.Options, later), GrowthPolicy.TrailingGrowth(run.Member.State, run.Options, later));
            Assert.Equal(running, GrowthPolicy.TrailingGrowth(run.Member.State, run.Options, run.Now));
        }

        Assert.True(run.Member.State.Ledger.Count > 0);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    public void DecisionsAreTheSameWhetherTheTotalRunsOrIsRecountedEveryEvent(int seed)
    {
        // Two members fed the same sequence: one keeps its running total, the other is reloaded from JSON before every
        // step (as a grain reloaded from storage is), so every read it makes recounts. Their ledgers must be equal,
        // growth balances after each entry included.
        var kept = new Run(seed);
        var reloaded = new Run(seed);
        var reloadedState = reloaded.Member.State;
        var tierMoves = 0;
        for (var step = 0; step < 300; step++)
        {
            var before = kept.Member.State.NextSequence;
            kept.Step(kept.Member.State);
            reloadedState = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(reloadedState, Web), Web)!;
            reloaded.Step(reloadedState);
            Assert.Equal(JsonSerializer.Serialize(reloadedState.Ledger, Web), JsonSerializer.Serialize(kept.Member.State.Ledger, Web));
            tierMoves += kept.Member.State.Ledger.Count(e => e.Sequence >= before && e.Kind == Ledger.LedgerKinds.Tier);
        }

        Assert.Equal(Normalized(reloadedState), Normalized(kept.Member.State));
        Assert.True(tierMoves >= 2, $"the sequence should move the tier (moved {tierMoves} times)");
    }

    [Fact]
    public void AnOrderAddedBehindTheTotalsBackIsCounted()
    {
        var member = new TestMember();
        member.Purchase("O-1", 300m);
        Assert.Equal(300, member.Growth);

        // Not through the rules (a tool, a test, a migration): the total sees the order book changed and recounts.
        member.State.Orders.Add(new Domain.Orders.OrderRecord { OrderId = "O-2", At = member.Now, Amount = 200m });
        Assert.Equal(500, member.Growth);

        // Then the rules add their own order and a behaviour record and tell the total: O-2 still counts.
        member.State.Orders.Add(new Domain.Orders.OrderRecord { OrderId = "O-3", At = member.Now, Amount = 50m });
        member.Purchase("O-4", 100m);
        member.Behave(MemberEventTypes.Share);
        Assert.Equal(650 + member.Options.BehaviourGrowth[MemberEventTypes.Share].Growth, member.Growth);
    }

    /// <summary>The state's JSON with its keyed buckets in key order (a long-lived dictionary enumerates in another order than a fresh one).</summary>
    private static string Normalized(MemberState state)
    {
        var days = state.GrowthByDay.OrderBy(d => d.Key).ToList();
        state.GrowthByDay.Clear();
        foreach (var (day, growth) in days)
        {
            state.GrowthByDay[day] = growth;
        }

        state.EventIdsByDay = state.EventIdsByDay?.OrderBy(d => d.Key).ToDictionary();
        return JsonSerializer.Serialize(state, Web);
    }

    private static long Recounted(MemberState state, ProgramOptions options, DateTimeOffset at) =>
        GrowthPolicy.TrailingGrowth(JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!, options, at);

    /// <summary>One generated sequence: each step moves the clock and applies one input to the given state.</summary>
    private sealed class Run
    {
        private static readonly string[] Behaviours = [MemberEventTypes.Share, MemberEventTypes.Login, MemberEventTypes.Review];
        private static readonly string[] Zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"];
        private readonly List<string> _orders = [];
        private readonly List<MemberEvent> _sent = [];
        private int _ids;

        public Run(int seed)
        {
            Random = new Random(seed);
            Member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
            Member.Options.GrowthWindowDays = 20;
            Member.Options.TierGraceDays = 5;
            Member.Options.OrderRetentionDays = 30;
            Member.Options.MaxOrders = 12;
            Member.Options.PointsLifetimeMonths = 1;
            foreach (var (tier, threshold) in new[] { ("V1", 0L), ("V2", 1_000L), ("V3", 3_000L), ("V4", 6_000L) })
            {
                Member.Options.Tiers[tier].Threshold = threshold;
            }
        }

        public Random Random { get; }

        public TestMember Member { get; }

        public ProgramOptions Options => Member.Options;

        public DateTimeOffset Now => Member.Now;

        public void Step(MemberState state)
        {
            Member.Now = Member.Now.AddMinutes(Random.Next(0, 36 * 60));
            var roll = Random.Next(100);
            if (roll < 40)
            {
                var order = "O-" + Next();
                _orders.Add(order);
                Send(state, new MemberEvent(Next(), MemberEventTypes.Purchase, Earlier(roll < 10 ? 10 * 24 : 6))
                {
                    OrderId = order,
                    Amount = Random.Next(20, 1_500) + 0.5m,
                });
            }
            else if (roll < 52 && _orders.Count > 0)
            {
                var order = _orders[Random.Next(_orders.Count)];
                Send(state, new MemberEvent(Next(), MemberEventTypes.Refund, Earlier(2)) { OrderId = order, Amount = Random.Next(1, 400) });
            }
            else if (roll < 80)
            {
                Send(state, new MemberEvent(Next(), Behaviours[Random.Next(Behaviours.Length)], Earlier(roll < 60 ? 9 * 24 : 3)));
            }
            else if (roll < 86)
            {
                MemberDecider.Adjust(state, Next(), AdjustmentPolicy.GrowthKind, Random.Next(-300, 600), "goodwill", Options, Now);
            }
            else if (roll < 92)
            {
                Member.Now = Member.Now.AddDays(Random.Next(0, 3));
                MemberDecider.Tick(state, Options, Now);
            }
            else if (roll < 95)
            {
                Send(state, new MemberEvent(Next(), MemberEventTypes.ProfileUpdate, Now)
                {
                    Properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["timeZone"] = Zones[Random.Next(Zones.Length)] },
                });
            }
            else if (_sent.Count > 0)
            {
                MemberEngine.Apply(state, _sent[Random.Next(_sent.Count)], Options, Now); // a repeat
            }

            state.Outbox.Pending.Clear();
        }

        private void Send(MemberState state, MemberEvent evt)
        {
            _sent.Add(evt);
            MemberDecider.Apply(state, evt, Options, Now);
        }

        private DateTimeOffset Earlier(int hours) => Now.AddMinutes(-Random.Next(0, (hours * 60) + 1));

        private string Next() => "g" + (++_ids).ToString(CultureInfo.InvariantCulture);
    }
}
