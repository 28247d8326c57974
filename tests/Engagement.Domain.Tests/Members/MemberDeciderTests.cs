using System.Text.Json;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Members;

public sealed class MemberDeciderTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void PurchaseQueuesOneArchiveEffectPerLedgerEntryWithIdsFromTheSequence()
    {
        var state = new MemberState { MemberId = "M1" };

        var outcome = MemberDecider.Apply(state, Purchase("O-1", 120m, Start), new ProgramOptions(), Start);

        Assert.True(outcome.StateChanged);
        Assert.Equal(EventStatus.Applied, outcome.Reply.Status);
        Assert.Equal(outcome.Entries.Select(e => "ledger:" + e.Sequence), state.Outbox.Pending.Select(e => e.Id));
        Assert.Equal(outcome.Effects, state.Outbox.Pending);
    }

    [Fact]
    public void DuplicateChangesNothingAndQueuesNothing()
    {
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Purchase("O-1", 120m, Start), options, Start);
        state.Outbox.Confirm([.. state.Outbox.Pending]);

        var outcome = MemberDecider.Apply(state, Purchase("O-1", 120m, Start), options, Start.AddMinutes(1));

        Assert.False(outcome.StateChanged);
        Assert.Equal(EventStatus.Duplicate, outcome.Reply.Status);
        Assert.Equal(0, state.Outbox.Count);
    }

    [Fact]
    public void OutboxSurvivesTheStateJsonRoundTripWithEveryKind()
    {
        var state = new MemberState { MemberId = "M1" };
        state.Outbox.Add(new ArchiveLedgerEntry(new LedgerEntry { Sequence = 7, Kind = LedgerKinds.Points, Delta = 5 }));
        state.Outbox.Add(new PublishTouch(new TouchDecision { TouchId = "t-1", Decision = TouchDecisions.Sent, Channel = "sms" }));
        state.Outbox.Add(new JournalWinBackStep(Start, "winback.level", 1, Start.AddDays(-1)));
        state.Outbox.Add(new DeadLetterRefund(new HeldRefund { EventId = "r-1", OrderId = "O-9", Amount = 3m }, "refund r-1: too much"));
        state.Outbox.Add(new UpsertMemberIndex(new MemberAttributes { Tier = "Gold" }, Start));
        state.Outbox.Add(new ReportCampaignOutcome("C-1", "A", "deferred", "sent"));
        state.Outbox.Add(new ReportCampaignPurchase("C-1", "arm", "A", "e-1", 10m, Conversion: true));

        var read = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;

        Assert.Equal(state.Outbox.Pending.Select(e => e.Id), read.Outbox.Pending.Select(e => e.Id));
        Assert.Equal(state.Outbox.Pending.Select(e => e.GetType()), read.Outbox.Pending.Select(e => e.GetType()));
        Assert.Equal(7, Assert.IsType<ArchiveLedgerEntry>(read.Outbox.Pending[0]).Entry.Sequence);
    }

    [Fact]
    public void AnEmptyOutboxIsNotStored()
    {
        var json = JsonSerializer.Serialize(new MemberState { MemberId = "M1" }, Web);

        Assert.DoesNotContain("outbox", json, StringComparison.Ordinal);
    }

    [Fact]
    public void AddingAnEffectWithAPendingIdReplacesIt()
    {
        var outbox = new MemberOutbox();
        outbox.Add(new UpsertMemberIndex(new MemberAttributes { Tier = "Silver" }, Start));
        var newer = new UpsertMemberIndex(new MemberAttributes { Tier = "Gold" }, Start.AddHours(1));

        outbox.Add(newer);

        Assert.Same(newer, Assert.Single(outbox.Pending));
    }

    [Fact]
    public void TickOfASettledMemberReportsNoChangeAndTheNextDueTime()
    {
        var state = new MemberState { MemberId = "M1" };
        var options = new ProgramOptions();
        MemberDecider.Apply(state, Purchase("O-1", 120m, Start), options, Start);
        MemberDecider.Tick(state, options, Start.AddMinutes(5));

        var again = MemberDecider.Tick(state, options, Start.AddMinutes(6));

        Assert.False(again.StateChanged);
        Assert.NotNull(again.NextDueAt);
    }

    /// <summary>
    /// Pins <see cref="MemberDecider.Tick"/>'s change detection (a fingerprint, no serialising) against the JSON of the
    /// whole member: over two years of daily ticks for members with purchases, refunds, behaviour and a birthday,
    /// every tick whose JSON differs must report a change.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryTickThatChangesTheMemberSaysSo(int seed)
    {
        var random = new Random(seed);
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M" + seed };
        var now = Start;
        var n = 0;
        MemberDecider.Apply(state, new MemberEvent("p-0", MemberEventTypes.ProfileUpdate, now)
        {
            Properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["birthday"] = "1990-03-15" },
        }, options, now);
        var changes = 0;
        for (var day = 0; day < 730; day++)
        {
            now = Start.AddDays(day).AddHours(random.Next(0, 14));
            if (day < 400 && random.Next(4) == 0)
            {
                var order = "O-" + ++n;
                MemberDecider.Apply(state, Purchase(order, random.Next(50, 4000), now.AddMinutes(-random.Next(0, 600))), options, now);
                if (random.Next(5) == 0)
                {
                    MemberDecider.Apply(state, new MemberEvent("r-" + n, MemberEventTypes.Refund, now) { OrderId = random.Next(3) == 0 ? "O-late-" + n : order, Amount = 10m }, options, now);
                }
            }

            if (day < 400 && random.Next(3) == 0)
            {
                MemberDecider.Apply(state, new MemberEvent("b-" + ++n, MemberEventTypes.Login, now.AddHours(-random.Next(0, 30))), options, now);
            }

            state.Outbox.Confirm([.. state.Outbox.Pending]);
            var before = JsonSerializer.Serialize(state, Web);
            var tick = MemberDecider.Tick(state, options, now.AddHours(random.Next(0, 10)));
            var changed = before != JsonSerializer.Serialize(state, Web);
            Assert.True(!changed || tick.StateChanged, $"day {day}: the tick changed the member but reported no change");
            changes += changed ? 1 : 0;
        }

        Assert.True(changes > 10, $"only {changes} ticks changed anything: the load does not exercise the ticks");
    }

    private static MemberEvent Purchase(string orderId, decimal amount, DateTimeOffset at) =>
        new("e-" + orderId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount };
}
