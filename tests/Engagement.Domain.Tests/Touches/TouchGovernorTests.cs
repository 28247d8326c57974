using Engagement.Domain.Members.Effects;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Lifecycle;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Touches;

public sealed class TouchGovernorTests
{
    private static readonly DateTimeOffset Monday10 = MemberSim.At(0, 10);

    [Fact]
    public void TouchDecidedAt22LocalIsDeferredTo09NotSent()
    {
        var sim = new MemberSim();

        var decision = sim.Decide(MemberSim.Marketing(), MemberSim.At(0, 22));

        Assert.Equal(TouchDecisions.Deferred, decision.Decision);
        Assert.Equal(MemberSim.At(1, 9), decision.NotBefore);
        Assert.Equal("quiet hours 21:00–09:00 Asia/Shanghai", decision.Reason);
        Assert.Empty(sim.State.Touches.Sent);
    }

    [Fact]
    public void QuietHoursAreReadInTheMembersOwnTimeZone()
    {
        var sim = new MemberSim();
        sim.State.TimeZone = "Europe/Berlin"; // 10:00 in Shanghai is 03:00 in Berlin in January

        var decision = sim.Decide(MemberSim.Marketing(), Monday10);

        Assert.Equal(TouchDecisions.Deferred, decision.Decision);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1)), decision.NotBefore);
        Assert.Contains("Europe/Berlin", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondMarketingTouchTheSameDayIsDeferredToTheNextMorning()
    {
        var sim = new MemberSim();
        Assert.Equal(TouchDecisions.Sent, sim.Decide(MemberSim.Marketing(key: "a"), Monday10).Decision);

        var second = sim.Decide(MemberSim.Marketing(key: "b"), MemberSim.At(0, 15));

        Assert.Equal(TouchDecisions.Deferred, second.Decision);
        Assert.Equal("marketing cap 1/day reached", second.Reason);
        Assert.Equal(MemberSim.At(1, 9), second.NotBefore); // midnight is in quiet hours
    }

    [Fact]
    public void CappedTouchWhoseOfferEndsBeforeTheCapAllowsIsSuppressed()
    {
        var sim = new MemberSim();
        sim.Decide(MemberSim.Marketing(key: "a"), Monday10);

        var second = sim.Decide(MemberSim.Marketing(key: "b", validUntil: MemberSim.At(0, 23)), MemberSim.At(0, 15));

        Assert.Equal(TouchDecisions.Suppressed, second.Decision);
        Assert.StartsWith("marketing cap 1/day reached", second.Reason, StringComparison.Ordinal);
        Assert.Null(second.NotBefore);
    }

    [Fact]
    public void ExpiredOfferIsSuppressed()
    {
        var sim = new MemberSim();

        var decision = sim.Decide(MemberSim.Marketing(validUntil: MemberSim.At(0, 9)), Monday10);

        Assert.Equal(TouchDecisions.Suppressed, decision.Decision);
        Assert.StartsWith("offer expired", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RollingSevenDayCapAllowsThreeMarketingTouchesPerSevenDays()
    {
        var sim = new MemberSim();
        for (var day = 0; day < 3; day++)
        {
            Assert.Equal(TouchDecisions.Sent, sim.Decide(MemberSim.Marketing(key: $"d{day}"), MemberSim.At(day, 10)).Decision);
        }

        var fourth = sim.Decide(MemberSim.Marketing(key: "d3"), MemberSim.At(3, 10));

        Assert.Equal(TouchDecisions.Deferred, fourth.Decision);
        Assert.Equal("marketing cap 3 per 7 days reached", fourth.Reason);
        Assert.Equal(MemberSim.At(7, 10), fourth.NotBefore); // the day-0 touch leaves the window

        Assert.Empty(TouchGovernor.RetryDeferred(sim.State, sim.Options, MemberSim.At(6, 10)));
        var retried = Assert.Single(TouchGovernor.RetryDeferred(sim.State, sim.Options, MemberSim.At(7, 10)));
        Assert.Equal((TouchDecisions.Sent, fourth.TouchId, 2), (retried.Decision, retried.TouchId, retried.Attempt));
        Assert.Empty(TouchGovernor.DueDeferred(sim.State, MemberSim.At(30)));
    }

    [Fact]
    public void SmsIsCappedAtOneADayEvenWhenMarketingAllowsMore()
    {
        var sim = new MemberSim();
        sim.Options.Touches.MarketingPerDay = 10;
        sim.Options.Touches.MarketingPer7Days = 10;
        sim.Decide(MemberSim.Marketing("sms", "a"), Monday10);

        var second = sim.Decide(MemberSim.Marketing("sms", "b"), MemberSim.At(0, 11));
        var push = sim.Decide(MemberSim.Marketing("push", "c"), MemberSim.At(0, 12));

        Assert.Equal((TouchDecisions.Deferred, "channel sms cap 1/day reached"), (second.Decision, second.Reason));
        Assert.Equal(TouchDecisions.Sent, push.Decision);
    }

    [Fact]
    public void PushIsCappedAtTwoADay()
    {
        var sim = new MemberSim();
        sim.Options.Touches.MarketingPerDay = 10;
        sim.Options.Touches.MarketingPer7Days = 10;

        var decisions = Enumerable.Range(0, 3).Select(i => sim.Decide(MemberSim.Marketing("push", $"p{i}"), MemberSim.At(0, 10 + i))).ToList();

        Assert.Equal([TouchDecisions.Sent, TouchDecisions.Sent, TouchDecisions.Deferred], decisions.Select(d => d.Decision));
        Assert.Equal("channel push cap 2/day reached", decisions[2].Reason);
        Assert.Equal(MemberSim.At(1, 9), decisions[2].NotBefore);
    }

    [Fact]
    public void CallIsCappedAtOneAWeek()
    {
        var sim = new MemberSim();
        sim.Options.Touches.MarketingPerDay = 10;
        sim.Options.Touches.MarketingPer7Days = 10;
        sim.Decide(MemberSim.Marketing("call", "a"), Monday10);

        var second = sim.Decide(MemberSim.Marketing("call", "b"), MemberSim.At(3, 10));

        Assert.Equal((TouchDecisions.Deferred, "channel call cap 1/week reached"), (second.Decision, second.Reason));
        Assert.Equal(MemberSim.At(7, 10), second.NotBefore);
    }

    [Fact]
    public void OptedOutChannelIsSuppressed()
    {
        var sim = new MemberSim();
        sim.State.Consent["sms"] = false;
        sim.State.Consent["push"] = true;

        var sms = sim.Decide(MemberSim.Marketing("sms", "a"), Monday10);
        var push = sim.Decide(MemberSim.Marketing("push", "b"), Monday10);

        Assert.Equal((TouchDecisions.Suppressed, "channel sms opted out"), (sms.Decision, sms.Reason));
        Assert.Equal(TouchDecisions.Sent, push.Decision);
    }

    [Fact]
    public void ConsentWithdrawnUnderAnotherSpellingOfTheChannelStopsTheTouch()
    {
        // A profile system that once wrote consent.sms=true later writes consent.SMS=false: the member said no.
        var sim = new MemberSim();
        MemberEngine.Apply(sim.State, Profile("p1", "consent.sms", "true", Monday10.AddDays(-2)), sim.Options, Monday10.AddDays(-2));
        MemberEngine.Apply(sim.State, Profile("p2", "consent.SMS", "false", Monday10.AddDays(-1)), sim.Options, Monday10.AddDays(-1));

        var sms = sim.Decide(MemberSim.Marketing("sms", "a"), Monday10);

        Assert.Equal((TouchDecisions.Suppressed, "channel sms opted out"), (sms.Decision, sms.Reason));
        Assert.Equal(new Dictionary<string, bool> { ["sms"] = false }, sim.State.Consent);

        // And the answer after that is the one that counts: opting back in under the first spelling sends again.
        MemberEngine.Apply(sim.State, Profile("p3", "consent.sms", "true", Monday10.AddHours(1)), sim.Options, Monday10.AddHours(1));
        Assert.Equal(TouchDecisions.Sent, sim.Decide(MemberSim.Marketing("sms", "b"), Monday10.AddHours(2)).Decision);
    }

    [Fact]
    public void AnOlderOptInArrivingLateDoesNotUndoANewerOptOutNorAStaffOne()
    {
        // The member opted out at 09:00; an offline POS uploads its 08:00 opt-in afterwards (CONTRACT.md §1.1).
        var sim = new MemberSim();
        MemberEngine.Apply(sim.State, Profile("p2", "consent.sms", "false", Monday10.AddHours(-1)), sim.Options, Monday10);
        var late = MemberEngine.Apply(sim.State, Profile("p1", "consent.SMS", "true", Monday10.AddHours(-2)), sim.Options, Monday10);

        Assert.Equal(EventStatus.Applied, late.Status);
        Assert.Contains("set by a later change", late.Reason, StringComparison.Ordinal);
        Assert.Equal((TouchDecisions.Suppressed, "channel sms opted out"), (sim.Decide(MemberSim.Marketing("sms", "a"), Monday10).Decision, sim.Decide(MemberSim.Marketing("sms", "a"), Monday10).Reason));

        // Staff opt the member out of push at 10:00; a push opt-in that occurred at 09:30 and arrives later changes nothing,
        // one that occurred after it does.
        MemberDecider.SetConsent(sim.State, new Dictionary<string, bool> { ["push"] = false }, Monday10);
        MemberEngine.Apply(sim.State, Profile("p3", "consent.push", "true", Monday10.AddMinutes(-30)), sim.Options, Monday10.AddMinutes(5));
        Assert.False(sim.State.Consent["push"]);
        MemberEngine.Apply(sim.State, Profile("p4", "consent.push", "true", Monday10.AddMinutes(10)), sim.Options, Monday10.AddMinutes(10));
        Assert.True(sim.State.Consent["push"]);
    }

    [Fact]
    public void ATouchStillWaitingInTheOutboxIsWithheldWhenItsChannelIsOptedOutBeforeItGoesOut()
    {
        // An SMS decided sent at 10:00 waits in the outbox (its queue send failed); staff opt the member out of SMS.
        var sim = new MemberSim();
        var sms = sim.Decide(MemberSim.Marketing("sms", "stuck"), Monday10);
        var push = sim.Decide(MemberSim.Service("push", "lot"), Monday10);
        Assert.Equal((TouchDecisions.Sent, TouchDecisions.Sent), (sms.Decision, push.Decision));
        Assert.True(MemberDecider.QueueSentTouches(sim.State));

        MemberDecider.SetConsent(sim.State, new Dictionary<string, bool> { ["sms"] = false }, Monday10.AddMinutes(30));

        var waiting = sim.State.Outbox.Pending.OfType<PublishTouch>().Select(p => p.Touch.TouchId).ToList();
        Assert.Equal([push.TouchId], waiting);
        var latest = TouchGovernor.Find(sim.State, sms.TouchId)!;
        Assert.Equal(TouchDecisions.Sent, latest.Decision);
        Assert.Contains("opted out before the send was confirmed", latest.Reason, StringComparison.Ordinal);

        // It may have gone out before the failure: the caps still count it, so no second marketing touch today.
        Assert.Equal(TouchDecisions.Deferred, sim.Decide(MemberSim.Marketing("push", "later"), Monday10.AddHours(1)).Decision);

        // The same through a profile_update: the push service notice waiting too is withheld (opt-out binds service touches).
        MemberDecider.Apply(sim.State, Profile("p-out", "consent.push", "false", Monday10.AddMinutes(40)), sim.Options, Monday10.AddMinutes(41));
        Assert.DoesNotContain(sim.State.Outbox.Pending, e => e is PublishTouch);
    }

    [Fact]
    public void AMembersConsentHoldsABoundedNumberOfChannelsAndKnownOnesStillChange()
    {
        // A producer inventing channel names (the validator refuses them; this holds whatever reaches the rules).
        var sim = new MemberSim();
        MemberEngine.Apply(sim.State, Profile("p0", "consent.sms", "true", Monday10.AddDays(-3)), sim.Options, Monday10.AddDays(-3));
        for (var i = 1; i <= 20; i++)
        {
            MemberEngine.Apply(sim.State, Profile("p" + i, "consent.x" + i, "true", Monday10.AddDays(-2)), sim.Options, Monday10.AddDays(-2));
        }

        Assert.Equal(ProfilePolicy.MaxConsentChannels, sim.State.Consent.Count);
        MemberEngine.Apply(sim.State, Profile("p21", "consent.SMS", "false", Monday10.AddDays(-1)), sim.Options, Monday10.AddDays(-1));
        Assert.False(sim.State.Consent["sms"]);
        Assert.Equal(ProfilePolicy.MaxConsentChannels, sim.State.Consent.Count);
    }

    private static MemberEvent Profile(string eventId, string key, string value, DateTimeOffset at) =>
        new(eventId, MemberEventTypes.ProfileUpdate, at) { Properties = new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value } };

    [Fact]
    public void ServiceTouchBypassesTheMarketingCapButNotOptOut()
    {
        var sim = new MemberSim();
        sim.Decide(MemberSim.Marketing("sms", "a"), Monday10); // marketing 1/day and sms 1/day both used

        var notice = sim.Decide(MemberSim.Service("sms", "lot-1"), MemberSim.At(0, 11));
        sim.State.Consent["sms"] = false;
        var optedOut = sim.Decide(MemberSim.Service("sms", "lot-2"), MemberSim.At(0, 12));

        Assert.Equal((TouchDecisions.Sent, TouchCategories.Service), (notice.Decision, notice.Category));
        Assert.Equal((TouchDecisions.Suppressed, "channel sms opted out"), (optedOut.Decision, optedOut.Reason));
        Assert.Equal(1, TouchGovernor.CapsSnapshot(sim.State, sim.Options, MemberSim.At(0, 13)).MarketingToday);
    }

    [Fact]
    public void ServiceTouchAt2AmWaitsUntil9()
    {
        var sim = new MemberSim();

        var notice = sim.Decide(MemberSim.Service(), MemberSim.At(1, 2));

        Assert.Equal(TouchDecisions.Deferred, notice.Decision);
        Assert.Equal(MemberSim.At(1, 9), notice.NotBefore);
    }

    [Fact]
    public void TouchIdsAreDeterministic()
    {
        var a = TouchIds.For("M1", "winback.l1", null, 1, "20260204T020000Z");
        var b = TouchIds.For("M1", "winback.l1", null, 1, "20260204T020000Z");

        Assert.Equal(a, b);
        Assert.Matches("^t_[0-9a-f]{24}$", a);
        Assert.NotEqual(a, TouchIds.For("M2", "winback.l1", null, 1, "20260204T020000Z"));
        Assert.NotEqual(a, TouchIds.For("M1", "winback.l1", null, 1, "20260305T020000Z"));
        Assert.NotEqual(a, TouchIds.For("M1", "winback.l2", null, 2, "20260204T020000Z"));
        Assert.NotEqual(TouchIds.For("M1", "k", "ab", null, "c"), TouchIds.For("M1", "k", "a", null, "bc"));

        // Pinned: a connector may have stored ids; changing the scheme would resend everything.
        Assert.Equal("t_" + TouchIdsPinned, a);
    }

    private const string TouchIdsPinned = "801255fdbc312e132cd14d4b";

    [Fact]
    public void DecidingASentTouchAgainReturnsTheRecordedDecisionWithoutRecounting()
    {
        var sim = new MemberSim();
        sim.Options.Touches.MarketingPerDay = 5;
        var first = sim.Decide(MemberSim.Marketing("push", "a"), Monday10);

        var again = sim.Decide(MemberSim.Marketing("push", "a"), MemberSim.At(0, 11));
        var other = sim.Decide(MemberSim.Marketing("push", "b"), MemberSim.At(0, 12));

        Assert.Equal(first, again);
        Assert.Equal(TouchDecisions.Sent, other.Decision); // push 2/day: the replay did not count
        Assert.Equal(2, sim.State.Touches.Sent.Count);
        Assert.Equal(2, sim.State.Touches.Decisions.Count);
    }

    [Fact]
    public void DeferredTouchDecidedAgainBeforeItsTimeKeepsItsDecision()
    {
        var sim = new MemberSim();
        var first = sim.Decide(MemberSim.Marketing(), MemberSim.At(0, 22));

        var again = sim.Decide(MemberSim.Marketing(), MemberSim.At(0, 23));
        var due = sim.Decide(MemberSim.Marketing(), MemberSim.At(1, 9));

        Assert.Equal(first, again);
        Assert.Equal((TouchDecisions.Sent, 2), (due.Decision, due.Attempt));
        Assert.Equal(first.TouchId, due.TouchId);
    }

    [Fact]
    public void SentTouchesStayPendingUntilPublished()
    {
        var sim = new MemberSim();
        var sent = sim.Decide(MemberSim.Marketing(), Monday10);

        Assert.Equal([sent.TouchId], TouchGovernor.PendingPublish(sim.State).Select(t => t.TouchId));

        TouchGovernor.MarkPublished(sim.State, [sent.TouchId]);

        Assert.Empty(TouchGovernor.PendingPublish(sim.State));
        Assert.True(TouchGovernor.Find(sim.State, sent.TouchId)!.Published);
    }

    [Fact]
    public void CapsSnapshotShowsTodayTheLastSevenDaysLimitsAndOptOuts()
    {
        var sim = new MemberSim();
        sim.State.Consent["call"] = false;
        sim.Decide(MemberSim.Marketing("push", "a"), MemberSim.At(0));
        sim.Decide(MemberSim.Marketing("sms", "b"), MemberSim.At(1));
        sim.Decide(MemberSim.Service("sms", "lot"), MemberSim.At(1, 11));

        var caps = TouchGovernor.CapsSnapshot(sim.State, sim.Options, MemberSim.At(1, 12));

        Assert.Equal((1, 2, 1, 3), (caps.MarketingToday, caps.MarketingLast7Days, caps.MarketingDailyLimit, caps.MarketingWeeklyLimit));
        Assert.Equal(new Dictionary<string, int> { ["sms"] = 2 }, caps.ChannelToday);
        Assert.Equal(["call"], caps.OptedOutChannels);
        Assert.Equal(3, caps.PendingPublish);
        Assert.Equal("Asia/Shanghai", caps.TimeZone);
        Assert.False(caps.InQuietHours);
    }

    [Fact]
    public void TouchStateStaysBoundedUnderAFloodOfRequests()
    {
        var sim = new MemberSim();
        for (var i = 0; i < 1_000; i++)
        {
            var now = MemberSim.At(i / 10, 10 + (i % 10));
            sim.Decide(MemberSim.Marketing(i % 2 == 0 ? "push" : "sms", $"f{i}", now.AddDays(2)), now);
            sim.Decide(MemberSim.Service("push", $"s{i}", TouchKinds.RedemptionConfirmation), now);
            TouchGovernor.MarkPublished(sim.State, TouchGovernor.PendingPublish(sim.State).Select(t => t.TouchId));
            TouchGovernor.RetryDeferred(sim.State, sim.Options, now);
        }

        Assert.True(sim.State.Touches.Decisions.Count <= sim.Options.Touches.MaxRecordedDecisions);
        Assert.True(sim.State.Touches.Sent.Count <= sim.Options.Touches.MaxSentRecords);
    }

    [Fact]
    public void ATouchThatFindsTheWaitingBoundFullIsSuppressedAndTheTouchesWaitingStayOpen()
    {
        // Three marketing touches at 22:00 (quiet hours) with room for two waiting: the third is settled, not the first dropped.
        var sim = new MemberSim();
        sim.Options.Touches.MaxRecordedDecisions = 2;
        var night = MemberSim.At(0, 22);
        var first = sim.Decide(MemberSim.Marketing("push", "w1", night.AddDays(3)), night);
        var second = sim.Decide(MemberSim.Marketing("push", "w2", night.AddDays(3)), night);
        var third = sim.Decide(MemberSim.Marketing("push", "w3", night.AddDays(3)), night);

        Assert.Equal((TouchDecisions.Deferred, TouchDecisions.Deferred), (first.Decision, second.Decision));
        Assert.Equal(TouchDecisions.Suppressed, third.Decision);
        Assert.Contains("MaxRecordedDecisions", third.Reason, StringComparison.Ordinal);
        Assert.Equal([first.TouchId, second.TouchId], TouchGovernor.DueDeferred(sim.State, MemberSim.At(1, 9)).Select(d => d.TouchId));
        Assert.Contains(TouchGovernor.History(sim.State), d => d.TouchId == third.TouchId && d.Decision == TouchDecisions.Suppressed);

        // A waiting touch retried and deferred again keeps its place.
        var again = sim.Decide(MemberSim.Marketing("push", "w1", night.AddDays(3)), MemberSim.At(1, 9));
        Assert.NotEqual(TouchDecisions.Suppressed, again.Decision);
    }

    [Fact]
    public void DefaultOptionsAreValidAndBrokenOnesAreNamed()
    {
        Assert.Empty(new TouchOptions().Validate());

        var broken = new TouchOptions { MarketingPerDay = -1, KeepSentDays = 3, DefaultTimeZone = "Mars/Olympus" };

        var errors = broken.Validate();
        Assert.Contains(errors, e => e.Contains("MarketingPerDay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("KeepSentDays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Mars/Olympus", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultZoneIsAsiaShanghaiThroughTheProgramme()
    {
        var state = new MemberState();

        Assert.Equal("Asia/Shanghai", TouchGovernor.ZoneOf(state, new ProgramOptions()).Id);
    }
}
