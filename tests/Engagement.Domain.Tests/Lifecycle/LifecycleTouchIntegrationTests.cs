using System.Text.Json;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Lifecycle;

public sealed class LifecycleTouchIntegrationTests
{
    [Fact]
    public void LevelDueAt22LocalIsDeferredAndSentAt09NextMorning()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 22);

        var late = sim.TickOn(30, hour: 22);
        var morning = sim.TickOn(31, hour: 9);

        var deferred = Assert.Single(late.Touches);
        Assert.Equal((TouchDecisions.Deferred, "winback.l1", MemberSim.At(31, 9)), (deferred.Decision, deferred.Kind, deferred.NotBefore));
        Assert.Equal(MemberSim.At(31, 9), late.NextDueAt);
        var sent = Assert.Single(morning.Touches);
        Assert.Equal((TouchDecisions.Sent, deferred.TouchId), (sent.Decision, sent.TouchId));
    }

    [Fact]
    public void WinBackTouchWaitingForTheMorningIsNotSentOnceTheMemberCameBack()
    {
        // L1 falls due at 22:00 and waits for 09:00; the member buys at 08:00: no "we miss you" after the purchase.
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 22);
        var late = sim.TickOn(30, hour: 22);
        Assert.Equal(TouchDecisions.Deferred, Assert.Single(late.Touches).Decision);

        sim.Activity(MemberSim.At(31, 8));
        var morning = sim.TickOn(31, hour: 9);

        Assert.Equal(1, sim.State.Lifecycle.WonBackAtLevel);
        Assert.Empty(morning.Touches);
        Assert.DoesNotContain(sim.State.Touches.Sent, t => t.Kind == "winback.l1");
        var settled = TouchGovernor.Find(sim.State, Assert.Single(late.Touches).TouchId)!;
        Assert.Equal(TouchDecisions.Suppressed, settled.Decision);
        Assert.Contains("active again", settled.Reason, StringComparison.Ordinal);
        Assert.Equal(0, TouchGovernor.CapsSnapshot(sim.State, sim.Options, MemberSim.At(31, 9)).Deferred);
    }

    [Fact]
    public void WinBackTouchWaitingForTheMorningUsesTheFallbackOnceTheMemberOptedOutOfTheFirstChannel()
    {
        // L1 (push, falling back to SMS) falls due at 22:00 and waits for 09:00; at 23:00 the member turns push off.
        // A first attempt at 09:00 would go by SMS, so the retry does too, rather than being suppressed for push.
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 22);
        var late = sim.TickOn(30, hour: 22);
        Assert.Equal((TouchDecisions.Deferred, "push"), (Assert.Single(late.Touches).Decision, Assert.Single(late.Touches).Channel));

        sim.State.Consent["push"] = false;
        var morning = sim.TickOn(31, hour: 9);

        var retried = Assert.Single(morning.Touches);
        Assert.Equal((TouchDecisions.Sent, "sms", Assert.Single(late.Touches).TouchId), (retried.Decision, retried.Channel, retried.TouchId));
        Assert.Equal("sms", Assert.Single(sim.State.Touches.Sent, t => t.Kind == "winback.l1").Channel);

        // And back: opted out of push at the first attempt, in again before the retry: the retry uses push.
        var other = new MemberSim();
        other.State.Consent["push"] = false;
        other.ActivityOn(0, hour: 22);
        Assert.Equal("sms", Assert.Single(other.TickOn(30, hour: 22).Touches).Channel);
        other.State.Consent["push"] = true;
        Assert.Equal((TouchDecisions.Sent, "push"), (Assert.Single(other.TickOn(31, hour: 9).Touches).Decision, Assert.Single(other.Ticks[^1].Touches).Channel));
    }

    [Fact]
    public void NoTouchIsSentDuringQuietHoursWhenTickingEveryHour()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 23);

        for (var hour = 0; hour <= 70 * 24; hour++)
        {
            sim.Tick(MemberSim.At(0, 0).AddHours(hour));
        }

        var sent = sim.SentTouches.ToList();
        Assert.Equal(["winback.l1", "winback.l2", "winback.l3"], sent.Select(t => t.Kind));
        Assert.All(sent, t =>
        {
            var local = t.DecidedAt.ToOffset(MemberSim.Shanghai);
            Assert.InRange(local.Hour, 9, 20);
        });
        Assert.Equal(MemberSim.At(31, 9), sent[0].DecidedAt);
    }

    [Fact]
    public void WinBackTouchUsesTheFallbackChannelWhenTheMemberOptedOutOfTheFirst()
    {
        var sim = new MemberSim();
        sim.State.Consent["push"] = false;
        sim.ActivityOn(0);

        var tick = sim.TickOn(30);

        var touch = Assert.Single(tick.Touches);
        Assert.Equal(("sms", TouchDecisions.Sent), (touch.Channel, touch.Decision));
    }

    [Fact]
    public void WinBackCallIsSuppressedWhenTheMemberOptedOutOfCalls()
    {
        var sim = new MemberSim();
        sim.State.Consent["call"] = false;
        sim.ActivityOn(0);
        sim.TickOn(30);

        var tick = sim.TickOn(38);

        var touch = Assert.Single(tick.Touches);
        Assert.Equal((TouchDecisions.Suppressed, "channel call opted out"), (touch.Decision, touch.Reason));
        Assert.Equal(2, sim.State.Lifecycle.WinBackLevel); // the level still counts; only the channel is closed
    }

    [Fact]
    public void WinBackTouchHeldByTheCapPastItsLevelIsSuppressed()
    {
        var sim = new MemberSim();
        sim.Options.Touches.MarketingPer7Days = 10;
        sim.ActivityOn(0);

        // A daily promotion at 09:30 takes the marketing slot before every 10:00 tick.
        for (var day = 30; day <= 38; day++)
        {
            sim.Decide(MemberSim.Marketing("push", $"promo{day}"), MemberSim.At(day, 9, 30));
            sim.TickOn(day);
        }

        var l1 = sim.AllTouchDecisions.Where(t => t.Kind == "winback.l1").ToList();
        Assert.Equal(9, l1.Count);
        Assert.All(l1.SkipLast(1), t => Assert.Equal((TouchDecisions.Deferred, "marketing cap 1/day reached"), (t.Decision, t.Reason)));
        Assert.Equal(TouchDecisions.Suppressed, l1[^1].Decision);
        Assert.StartsWith("offer expired", l1[^1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.SentTouches, t => t.Kind == "winback.l1");
    }

    [Fact]
    public void StateStaysBoundedAfterAYearOfDailyTicks()
    {
        var sim = new MemberSim();
        for (var day = 0; day < 365; day++)
        {
            // Active every 50 days, so win-back episodes start, get won back and go dormant over the year.
            if (day % 50 == 0)
            {
                sim.ActivityOn(day, hour: 12);
            }

            sim.Decide(MemberSim.Marketing(day % 2 == 0 ? "push" : "sms", $"daily{day}", MemberSim.At(day + 3)), MemberSim.At(day, 11));
            sim.Decide(MemberSim.Service("push", $"lot{day}"), MemberSim.At(day, 12));
            var tick = sim.TickOn(day, hour: 10);
            TouchGovernor.MarkPublished(sim.State, TouchGovernor.PendingPublish(sim.State).Select(t => t.TouchId));
            Assert.NotNull(tick);
        }

        Assert.True(sim.State.Lifecycle.Transitions.Count <= sim.Options.Lifecycle.MaxTransitions);
        Assert.True(sim.State.Touches.Decisions.Count <= sim.Options.Touches.MaxRecordedDecisions);
        Assert.True(sim.State.Touches.Sent.Count <= sim.Options.Touches.MaxSentRecords);
        Assert.All(sim.State.Touches.Sent, t => Assert.True(t.DecidedAt >= MemberSim.At(364) - TimeSpan.FromDays(sim.Options.Touches.KeepSentDays)));
        var json = JsonSerializer.Serialize(new { sim.State.Lifecycle, sim.State.Touches });
        Assert.True(json.Length < 120_000, $"lifecycle + touches serialise to {json.Length} chars");
        Assert.True(sim.State.Lifecycle.Counters.Episodes >= 5);
    }

    [Fact]
    public void LifecycleAndTouchStatesRoundTripThroughSystemTextJson()
    {
        var sim = new MemberSim();
        sim.State.Consent["sms"] = false;
        sim.ActivityOn(0);
        sim.TickDaily(30, 41);
        sim.Activity(MemberSim.At(41, 15));
        sim.Decide(MemberSim.Marketing(), MemberSim.At(41, 22));
        sim.Decide(MemberSim.Marketing("sms", "x"), MemberSim.At(42));
        sim.State.Touches.BirthdayTouchYear = 2026;

        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var lifecycleJson = JsonSerializer.Serialize(sim.State.Lifecycle, options);
        var touchesJson = JsonSerializer.Serialize(sim.State.Touches, options);
        var lifecycle = JsonSerializer.Deserialize<LifecycleState>(lifecycleJson, options)!;
        var touches = JsonSerializer.Deserialize<TouchState>(touchesJson, options)!;

        Assert.Equal(lifecycleJson, JsonSerializer.Serialize(lifecycle, options));
        Assert.Equal(touchesJson, JsonSerializer.Serialize(touches, options));
        Assert.Equal(2, lifecycle.WonBackAtLevel);
        Assert.Equal(sim.State.Touches.Decisions, touches.Decisions);
        Assert.Contains(touches.Decisions, d => d.Decision == TouchDecisions.Deferred);
        Assert.Contains(touches.Decisions, d => d.Decision == TouchDecisions.Suppressed);
        Assert.Contains("\"stage\":\"active\"", lifecycleJson, StringComparison.Ordinal);

        // A restored state keeps deciding the same way.
        sim.State.Lifecycle = lifecycle;
        sim.State.Touches = touches;
        var retried = Assert.Single(TouchGovernor.RetryDeferred(sim.State, sim.Options, MemberSim.At(42, 9)));
        Assert.Equal(TouchDecisions.Sent, retried.Decision);
    }

    [Fact]
    public void DefaultLifecycleOptionsAreValidAndBrokenOnesAreNamed()
    {
        Assert.Empty(new LifecycleOptions().Validate());

        var broken = new LifecycleOptions { AtRiskAfterDays = 0, ReminderPeriod = TimeSpan.Zero, DormantAfterWinBackDays = 20 };
        broken.Level2.FromDay = 9;

        var errors = broken.Validate();
        Assert.Contains(errors, e => e.Contains("AtRiskAfterDays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ReminderPeriod", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Level2:FromDay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DormantAfterWinBackDays", StringComparison.Ordinal));
    }

    [Fact]
    public void ShorterConfiguredWindowsMoveTheLevels()
    {
        var sim = new MemberSim();
        var o = sim.Options.Lifecycle;
        o.AtRiskAfterDays = 10;
        o.Level1.ToDay = 1;
        o.Level2.FromDay = 2;
        o.Level2.ToDay = 3;
        o.Level3.FromDay = 4;
        o.Level3.ToDay = 5;
        o.DormantAfterWinBackDays = 5;
        Assert.Empty(o.Validate());
        sim.ActivityOn(0);

        var entered = new Dictionary<int, int>();
        for (var day = 1; day <= 20; day++)
        {
            if (sim.TickOn(day).Lifecycle.EnteredWinBackLevel is { } level)
            {
                entered[level] = day;
            }
        }

        Assert.Equal(new Dictionary<int, int> { [1] = 10, [2] = 12, [3] = 14 }, entered);
        Assert.Equal(MemberSim.At(16), sim.State.Lifecycle.DormantAt);
    }
}
