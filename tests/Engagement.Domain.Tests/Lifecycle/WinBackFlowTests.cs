using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Lifecycle;

public sealed class WinBackFlowTests
{
    [Fact]
    public void QuietMemberGetsL1OnDay30L2OnDay38L3OnDay46AndIsDormantAfterDay60()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);

        var levelEnteredOn = new Dictionary<int, int>();
        var stageOn = new Dictionary<int, string>();
        for (var day = 1; day <= 70; day++)
        {
            var tick = sim.TickOn(day);
            if (tick.Lifecycle.EnteredWinBackLevel is { } level)
            {
                levelEnteredOn[level] = day;
            }

            stageOn[day] = sim.State.Lifecycle.Stage;
        }

        Assert.Equal(new Dictionary<int, int> { [1] = 30, [2] = 38, [3] = 46 }, levelEnteredOn);
        Assert.Equal(LifecycleStages.New, stageOn[29]);
        Assert.Equal(LifecycleStages.AtRisk, stageOn[30]);
        Assert.Equal(LifecycleStages.AtRisk, stageOn[60]);
        Assert.Equal(LifecycleStages.Dormant, stageOn[61]);
        Assert.Equal(LifecycleStages.Dormant, stageOn[70]);

        var sent = sim.SentTouches.Select(t => (MemberSim.DayOf(t.DecidedAt), t.Kind, t.Channel, t.Level)).ToList();
        Assert.Equal(
            [(30, "winback.l1", "push", (int?)1), (38, "winback.l2", "call", 2), (46, "winback.l3", "sms", 3)],
            sent);

        var lc = sim.State.Lifecycle;
        Assert.Equal(0, lc.WinBackLevel);
        Assert.Null(lc.WinBackStartedAt);
        Assert.Equal(MemberSim.At(61), lc.DormantAt);
        Assert.Equal(1, lc.Counters.Episodes);
        Assert.Equal((1, 1, 1, 1), (lc.Counters.EnteredLevel1, lc.Counters.EnteredLevel2, lc.Counters.EnteredLevel3, lc.Counters.Dormant));
        Assert.Null(lc.WonBackAtLevel);
        Assert.Equal(
            [LifecycleTransitionKinds.Stage, LifecycleTransitionKinds.LevelEntered, LifecycleTransitionKinds.LevelEntered, LifecycleTransitionKinds.LevelEntered, LifecycleTransitionKinds.Dormant],
            lc.Transitions.Select(t => t.Kind));
    }

    [Fact]
    public void EnteringL2AsksForAnAdvisorAndTheCallTouchIsValidUntilL3()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickOn(30);

        var tick = sim.TickOn(38);

        Assert.True(tick.Lifecycle.AssignAdvisor);
        var request = Assert.Single(tick.Lifecycle.TouchRequests);
        Assert.Equal(("winback.l2", "call", 2), (request.Kind, request.Channel, request.Level));
        Assert.Equal(MemberSim.At(46), request.ValidUntil);
        Assert.Equal(MemberSim.At(38), sim.State.Lifecycle.AdvisorRequestedAt);
    }

    [Fact]
    public void ActivityDuringL2EndsTheFlowAndRecordsWonBackAtL2()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 40);
        Assert.Equal(2, sim.State.Lifecycle.WinBackLevel);

        sim.Activity(MemberSim.At(41, 15));
        sim.TickDaily(41, 70);

        var lc = sim.State.Lifecycle;
        Assert.Equal(2, lc.WonBackAtLevel);
        Assert.Equal(MemberSim.At(41, 15), lc.WonBackAt);
        Assert.Equal(0, lc.WinBackLevel);
        Assert.Equal(1, lc.Counters.WonBackAtLevel2);
        Assert.Equal(LifecycleStages.Active, lc.Stage);
        Assert.DoesNotContain(sim.AllTouchDecisions, t => t.Kind == "winback.l3");
        var won = Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.WonBack);
        Assert.Equal((2, LifecycleStages.AtRisk, LifecycleStages.Active), (won.Level, won.FromStage, won.ToStage));
        Assert.Equal(MemberSim.At(30), won.EpisodeStartedAt);

        // Quiet again from day 41 15:00: a new episode starts 30 days later, not earlier.
        var next = sim.TickOn(71, 16);
        Assert.Equal(1, next.Lifecycle.EnteredWinBackLevel);
        Assert.Equal(2, lc.Counters.Episodes);
    }

    [Fact]
    public void LateActivityFromL1ArrivingAfterL2BeganIsWonBackAtL1()
    {
        // An offline POS: the login happened on day 37 (L1), the upload reaches the engine on day 38 after L2 was entered.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 38);
        Assert.Equal(2, sim.State.Lifecycle.WinBackLevel);

        var decision = MemberEngine.Apply(sim.State, new MemberEvent("login-late-1", MemberEventTypes.Login, MemberSim.At(37, 15)), sim.Options, MemberSim.At(38, 12));

        Assert.Equal(EventStatus.Applied, decision.Status);
        var lc = sim.State.Lifecycle;
        Assert.Equal(1, lc.WonBackAtLevel);
        Assert.Equal((1, 0), (lc.Counters.WonBackAtLevel1, lc.Counters.WonBackAtLevel2));
        var won = Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.WonBack);
        Assert.Equal(1, won.Level);
        Assert.Equal(MemberSim.At(37, 15), won.At);
        Assert.Equal(LifecycleStages.Active, lc.Stage);
    }

    [Fact]
    public void MissedTicksCatchUpToTheCurrentLevelOnly()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);

        var tick = sim.TickOn(40);

        Assert.Equal(2, tick.Lifecycle.EnteredWinBackLevel);
        Assert.Equal([1], tick.Lifecycle.SkippedLevels);
        var request = Assert.Single(tick.Lifecycle.TouchRequests);
        Assert.Equal("winback.l2", request.Kind);
        var touch = Assert.Single(tick.Touches);
        Assert.Equal((TouchDecisions.Sent, "winback.l2"), (touch.Decision, touch.Kind));
        Assert.Equal([new StageChange(LifecycleStages.New, LifecycleStages.AtRisk, MemberSim.At(30))], tick.Lifecycle.StageChanges);
        Assert.Equal(1, sim.State.Lifecycle.Counters.SkippedLevels);
        Assert.Equal(0, sim.State.Lifecycle.Counters.EnteredLevel1);
    }

    [Fact]
    public void SiloDownPastTheWholeWindowGoesStraightToDormantWithoutTouches()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);

        var tick = sim.TickOn(90);

        Assert.True(tick.Lifecycle.BecameDormant);
        Assert.Empty(tick.Touches);
        Assert.Equal([1, 2, 3], tick.Lifecycle.SkippedLevels);
        Assert.Equal(LifecycleStages.Dormant, sim.State.Lifecycle.Stage);
        Assert.Equal(MemberSim.At(61), sim.State.Lifecycle.DormantAt);
        Assert.Equal(
            [new StageChange(LifecycleStages.New, LifecycleStages.AtRisk, MemberSim.At(30)), new StageChange(LifecycleStages.AtRisk, LifecycleStages.Dormant, MemberSim.At(61))],
            tick.Lifecycle.StageChanges);
        Assert.Null(tick.NextDueAt);
    }

    [Fact]
    public void TickingTwiceAtTheSameInstantEmitsTheLevelOnce()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);

        var first = sim.TickOn(30);
        var again = sim.TickOn(30);
        var earlier = sim.TickOn(29);

        Assert.Equal(1, first.Lifecycle.EnteredWinBackLevel);
        Assert.Single(first.Lifecycle.TouchRequests);
        foreach (var repeat in new[] { again, earlier })
        {
            Assert.False(repeat.Lifecycle.Changed);
            Assert.Empty(repeat.Lifecycle.TouchRequests);
            Assert.Empty(repeat.Touches);
        }

        Assert.Single(sim.State.Touches.Sent);
        Assert.Equal(1, sim.State.Lifecycle.Counters.EnteredLevel1);
    }

    [Fact]
    public void RedecidingTheSameLevelTouchAfterACrashDoesNotSendItTwice()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        var tick = sim.TickOn(30);
        var request = Assert.Single(tick.Lifecycle.TouchRequests);

        // The grain crashed after deciding but replays the decision from the same state.
        var replay = sim.Decide(request, MemberSim.At(30, 11));

        Assert.Equal(tick.Touches[0], replay);
        Assert.Single(sim.State.Touches.Sent);
    }

    [Fact]
    public void NextDueAtNamesTheNextBoundary()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.ActivityOn(10);

        Assert.Equal(MemberSim.At(30), sim.TickOn(11).NextDueAt); // new period ends day 30
        Assert.Equal(MemberSim.At(40), sim.TickOn(30).NextDueAt); // active now; quiet reaches 30 days on day 40
        Assert.Equal(LifecycleStages.Active, sim.State.Lifecycle.Stage);
        Assert.Equal(MemberSim.At(48), sim.TickOn(40).NextDueAt); // L1 entered; L2 from day 48
        Assert.Equal(MemberSim.At(56), sim.TickOn(48).NextDueAt);
        Assert.Equal(MemberSim.At(71), sim.TickOn(56).NextDueAt); // L3; dormant after win-back day 30
        Assert.Null(sim.TickOn(71).NextDueAt);
    }

    [Fact]
    public void NewMemberBecomesActiveWhenTheNewPeriodEndsIfStillEngaged()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.ActivityOn(20);

        var tick = sim.TickOn(31);

        Assert.Equal([new StageChange(LifecycleStages.New, LifecycleStages.Active, MemberSim.At(30))], tick.Lifecycle.StageChanges);
        Assert.Equal(MemberSim.At(30), sim.State.Lifecycle.StageSince);
    }

    [Fact]
    public void ActivityAfterDormancyReactivatesWithoutCountingAWinBack()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickOn(90);

        sim.ActivityOn(95);

        var lc = sim.State.Lifecycle;
        Assert.Equal(LifecycleStages.Active, lc.Stage);
        Assert.Null(lc.WonBackAtLevel);
        Assert.Equal(1, lc.Counters.ReactivatedFromDormant);
        Assert.Equal(MemberSim.At(125), LifecyclePolicy.NextDueAt(sim.State, sim.Options));
    }

    [Fact]
    public void ActivityJustAfterTheWinBackWindowEndsBeforeTheTickMarksTheMemberDormantThenReactivatesIt()
    {
        // Quiet since day 0, ticked daily through L3; dormant from day 61 10:00. A purchase at 10:05 is applied before
        // that day's tick (the reminder runs a little late).
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 60);
        Assert.Equal(3, sim.State.Lifecycle.WinBackLevel);

        sim.Activity(MemberSim.At(61, 10, 5));

        var lc = sim.State.Lifecycle;
        Assert.Equal(LifecycleStages.Active, lc.Stage);
        Assert.Null(lc.WonBackAtLevel);
        Assert.Equal((0, 1, 1), (lc.Counters.WonBackAtLevel3, lc.Counters.Dormant, lc.Counters.ReactivatedFromDormant));
        Assert.Equal(MemberSim.At(61), Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.Dormant).At);
    }

    [Fact]
    public void ALateActivityFromL1AfterALoginInL2HadEndedTheEpisodeMovesTheWinBackToL1()
    {
        // Quiet since day 0: L1 from day 31, L2 from day 38. A login on day 40 wins the member back at L2; on day 41 an
        // offline POS uploads a purchase from day 33 (L1). In order the member came back at L1.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        var journal = new List<JournalWinBackStep>();
        for (var day = 1; day <= 40; day++)
        {
            journal.AddRange(MemberDecider.Tick(sim.State, sim.Options, MemberSim.At(day)).Effects.OfType<JournalWinBackStep>());
        }

        Assert.Equal(2, sim.State.Lifecycle.WinBackLevel);
        journal.AddRange(MemberDecider.Apply(sim.State, new MemberEvent("login-l2", MemberEventTypes.Login, MemberSim.At(40, 12)), sim.Options, MemberSim.At(40, 12)).Effects.OfType<JournalWinBackStep>());
        Assert.Equal(2, sim.State.Lifecycle.WonBackAtLevel);

        var late = MemberDecider.Apply(sim.State, new MemberEvent("login-l1", MemberEventTypes.Login, MemberSim.At(33, 15)), sim.Options, MemberSim.At(41, 9));
        journal.AddRange(late.Effects.OfType<JournalWinBackStep>());

        var lc = sim.State.Lifecycle;
        Assert.Equal((1, MemberSim.At(33, 15)), (lc.WonBackAtLevel, lc.WonBackAt));
        Assert.Equal((1, 0, 0), (lc.Counters.WonBackAtLevel1, lc.Counters.WonBackAtLevel2, lc.Counters.WonBackAtLevel3));
        var won = journal.Where(j => j.Kind is LifecycleTransitionKinds.WonBack or LifecycleTransitionKinds.WonBackWithdrawn).Select(j => (j.Kind, j.Level, j.At)).ToList();
        Assert.Equal(
            [(LifecycleTransitionKinds.WonBack, (int?)2, MemberSim.At(40, 12)), (LifecycleTransitionKinds.WonBackWithdrawn, 2, MemberSim.At(40, 12)), (LifecycleTransitionKinds.WonBack, 1, MemberSim.At(33, 15))],
            won);

        // The same upload again changes nothing.
        MemberDecider.Apply(sim.State, new MemberEvent("login-l1", MemberEventTypes.Login, MemberSim.At(33, 15)), sim.Options, MemberSim.At(41, 10));
        Assert.Equal(1, sim.State.Lifecycle.Counters.WonBackAtLevel1);
    }

    [Fact]
    public void ADormancyTheActivityFindsIsJournaledWhenTheEventIsAppliedAfterItsOwnInstant()
    {
        // As above, but the purchase of 10:05 is applied at 10:06: the dormancy it finds is recorded when it is
        // applied, so the win-back journal has it (the report counts it as the member's counters do).
        var sim = new MemberSim();
        sim.ActivityOn(0);
        var journal = new List<JournalWinBackStep>();
        for (var day = 1; day <= 60; day++)
        {
            journal.AddRange(MemberDecider.Tick(sim.State, sim.Options, MemberSim.At(day)).Effects.OfType<JournalWinBackStep>());
        }

        var purchase = new MemberEvent("late-by-a-minute", MemberEventTypes.Login, MemberSim.At(61, 10, 5));
        journal.AddRange(MemberDecider.Apply(sim.State, purchase, sim.Options, MemberSim.At(61, 10, 6)).Effects.OfType<JournalWinBackStep>());

        Assert.Equal(1, sim.State.Lifecycle.Counters.Dormant);
        var dormant = Assert.Single(journal, j => j.Kind == LifecycleTransitionKinds.Dormant);
        Assert.Equal(MemberSim.At(61), dormant.At);
    }

    [Fact]
    public void ActivityFromL3UploadedAfterTheMemberWasMarkedDormantIsAWinBackAtL3AndNoDormancy()
    {
        // Quiet since day 0: L3 on day 46, dormant from day 61. A login on day 58 (during L3) reaches the engine on
        // day 63, from an offline POS. In order the member was won back at L3 on day 58 and never went dormant.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        var journal = new List<JournalWinBackStep>();
        for (var day = 1; day <= 62; day++)
        {
            journal.AddRange(MemberDecider.Tick(sim.State, sim.Options, MemberSim.At(day)).Effects.OfType<JournalWinBackStep>());
        }

        Assert.Equal(LifecycleStages.Dormant, sim.State.Lifecycle.Stage);

        var late = MemberDecider.Apply(sim.State, new MemberEvent("login-late-l3", MemberEventTypes.Login, MemberSim.At(58, 15)), sim.Options, MemberSim.At(63, 12));
        journal.AddRange(late.Effects.OfType<JournalWinBackStep>());

        var lc = sim.State.Lifecycle;
        Assert.Equal(LifecycleStages.Active, lc.Stage);
        Assert.Equal(MemberSim.At(58, 15), lc.StageSince);
        Assert.Equal(3, lc.WonBackAtLevel);
        Assert.Equal(MemberSim.At(58, 15), lc.WonBackAt);
        Assert.Null(lc.DormantAt);
        Assert.Equal((1, 0, 0), (lc.Counters.WonBackAtLevel3, lc.Counters.Dormant, lc.Counters.ReactivatedFromDormant));
        var won = Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.WonBack);
        Assert.Equal((3, MemberSim.At(58, 15), MemberSim.At(30)), (won.Level, won.At, won.EpisodeStartedAt));

        // The journal (the win-back report's source) gets the win at L3 and takes back the dormancy on its own day.
        Assert.Contains(journal, j => j.Kind == LifecycleTransitionKinds.WonBack && j.Level == 3 && j.At == MemberSim.At(58, 15));
        var dormant = Assert.Single(journal, j => j.Kind == LifecycleTransitionKinds.Dormant);
        var withdrawn = Assert.Single(journal, j => j.Kind == LifecycleTransitionKinds.DormantWithdrawn);
        Assert.Equal((dormant.At, dormant.EpisodeStartedAt), (withdrawn.At, withdrawn.EpisodeStartedAt));

        // Quiet again from day 58 15:00: the next episode starts 30 days later.
        Assert.Equal(MemberSim.At(88, 15), LifecyclePolicy.NextDueAt(sim.State, sim.Options));
    }

    [Fact]
    public void ActivityFromBeforeTheEpisodeUploadedAfterDormancyMovesTheEpisodeWithoutASecondOneOrRepeatedLevels()
    {
        // Quiet since day 0: L1 day 30, L2 day 38, L3 day 46, dormant from day 61. On day 65 a POS uploads a purchase of
        // day 10: in order the member was quiet from day 10, at risk from day 40, at L3 from day 56, dormant from day 71.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        var journal = new List<JournalWinBackStep>();
        for (var day = 1; day <= 64; day++)
        {
            journal.AddRange(MemberDecider.Tick(sim.State, sim.Options, MemberSim.At(day)).Effects.OfType<JournalWinBackStep>());
        }

        var late = MemberDecider.Apply(sim.State, new MemberEvent("login-late-d10", MemberEventTypes.Login, MemberSim.At(10)), sim.Options, MemberSim.At(65, 12));
        journal.AddRange(late.Effects.OfType<JournalWinBackStep>());
        Assert.Equal((LifecycleStages.AtRisk, 3), (sim.State.Lifecycle.Stage, sim.State.Lifecycle.WinBackLevel));
        var ticks = new List<MemberTickResult>();
        for (var day = 66; day <= 100; day++)
        {
            var outcome = MemberDecider.Tick(sim.State, sim.Options, MemberSim.At(day));
            ticks.Add(outcome.Reply);
            journal.AddRange(outcome.Effects.OfType<JournalWinBackStep>());
        }

        var lc = sim.State.Lifecycle;
        Assert.Equal(LifecycleStages.Dormant, lc.Stage);
        Assert.Equal(MemberSim.At(71), lc.DormantAt);
        Assert.DoesNotContain(ticks.SelectMany(t => t.Touches), t => t.Kind.StartsWith("winback.", StringComparison.Ordinal));
        Assert.Equal((1, 1, 0, 1), (lc.Counters.Episodes, lc.Counters.Dormant, lc.Counters.ReactivatedFromDormant, lc.Counters.EnteredLevel3));
        var net = journal.Count(j => j.Kind == LifecycleTransitionKinds.Dormant) - journal.Count(j => j.Kind == LifecycleTransitionKinds.DormantWithdrawn);
        Assert.Equal(1, net);
    }

    [Fact]
    public void ActivityFromBeforeTheEpisodeUploadedLongAfterDormancyKeepsTheMemberDormantOnce()
    {
        // A purchase of day 2 uploaded on day 70: in order the member was dormant from day 63 and still is.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 69);

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(2), MemberSim.At(70, 12), sim.Options);
        sim.TickDaily(70, 140);

        var lc = sim.State.Lifecycle;
        Assert.Equal((LifecycleStages.Dormant, MemberSim.At(63)), (lc.Stage, lc.DormantAt));
        Assert.Equal((1, 1, 0), (lc.Counters.Episodes, lc.Counters.Dormant, lc.Counters.ReactivatedFromDormant));
        Assert.Equal(3, sim.SentTouches.Count());
    }

    [Fact]
    public void LateEventsFromBeforeTheLastActivityChangeNothing()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickOn(31);

        sim.Activity(MemberSim.At(-5)); // an old POS batch arrives

        Assert.Equal(1, sim.State.Lifecycle.WinBackLevel);
        Assert.Equal(LifecycleStages.AtRisk, sim.State.Lifecycle.Stage);
        Assert.Equal(MemberSim.At(-5), sim.State.Lifecycle.FirstActivityAt);
    }

    [Fact]
    public void ActivityFromBeforeTheEpisodeArrivingLateCancelsItInsteadOfCountingAWin()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickOn(31);

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(20), MemberSim.At(31, 12), sim.Options);

        var lc = sim.State.Lifecycle;
        Assert.Null(lc.WonBackAtLevel);
        Assert.Equal(LifecycleStages.Active, lc.Stage);
        Assert.Equal(LifecycleTransitionKinds.Cancelled, lc.Transitions[^1].Kind);
        Assert.Equal(MemberSim.At(50), LifecyclePolicy.NextDueAt(sim.State, sim.Options));
    }

    [Fact]
    public void ALateUploadThatCancelsARunningEpisodeDoesNotSendItsGiftOrCallAgainWhenQuietResumes()
    {
        // Quiet since day 0: L1 gift on day 30, L2 call on day 38. On day 39 an offline POS uploads a purchase of day 28:
        // in order the member was never quiet 30 days, so no win, but the quiet spell the gift and the call went out in
        // goes on. When it reaches 30 days (day 58) the win-back resumes above L2: L3 on day 74, dormant from day 89.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 39);

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(28), MemberSim.At(39, 12), sim.Options);
        Assert.Equal(LifecycleStages.Active, sim.State.Lifecycle.Stage);
        Assert.Equal(0, LifecyclePolicy.RunningWinBackLevel(sim.State.Lifecycle));
        sim.TickDaily(40, 90);

        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l1", 30), ("winback.l2", 38), ("winback.l3", 74)], sent);
        var lc = sim.State.Lifecycle;
        Assert.Equal((1, 1, 1, 1), (lc.Counters.Episodes, lc.Counters.EnteredLevel1, lc.Counters.EnteredLevel2, lc.Counters.EnteredLevel3));
        Assert.Equal((LifecycleStages.Dormant, MemberSim.At(89)), (lc.Stage, lc.DormantAt));
        Assert.Null(lc.WonBackAtLevel);
    }

    [Fact]
    public void ActivityAfterAPostponedEpisodesLevelsWentOutEndsItAndTheNextQuietSpellStartsAfresh()
    {
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 39);
        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(28), MemberSim.At(39, 12), sim.Options);

        sim.ActivityOn(45); // a real login, after the gift and the call
        sim.TickDaily(46, 80);

        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l1", 30), ("winback.l2", 38), ("winback.l1", 75)], sent);
        Assert.Equal(2, sim.State.Lifecycle.Counters.Episodes);
        var ended = sim.State.Lifecycle.Transitions.Last(t => t.Kind == LifecycleTransitionKinds.Cancelled);
        Assert.Equal((MemberSim.At(45), "member active again before the postponed episode resumed"), (ended.At, ended.Note));
    }

    [Fact]
    public void ALateUploadThatPostponesAnEpisodeWhoseGiftWasStillWaitingSendsTheGiftWhenTheEpisodeResumes()
    {
        // Quiet since day 0 22:00: L1 entered on day 30 at 22:00, its gift deferred to 09:00 (quiet hours). At 02:00 an
        // offline POS uploads a purchase of day 28: the episode is postponed to day 58 10:00 and the waiting gift withdrawn
        // unsent. The resumed episode enters L1 again on day 58 and its gift goes out then, before
        // the L2 call: the member is never called without having had the wake-up gift.
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 22);
        var entry = sim.TickOn(30, 22);
        Assert.Equal([("winback.l1", TouchDecisions.Deferred)], entry.Touches.Select(t => (t.Kind, t.Decision)).ToList());

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(28), MemberSim.At(31, 2), sim.Options);
        sim.TickDaily(31, 70);

        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l1", 58), ("winback.l2", 66)], sent);
        var lc = sim.State.Lifecycle;
        Assert.Equal((1, 1, 1), (lc.Counters.Episodes, lc.Counters.EnteredLevel1, lc.Counters.EnteredLevel2));
        Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.LevelEntered && t.Level == 1);
        Assert.Single(lc.Transitions, t => t.Kind == LifecycleTransitionKinds.LevelReentered && t.Level == 1 && t.EpisodeStartedAt == MemberSim.At(58));
    }

    [Fact]
    public void ALateUploadThatPostponesAnEpisodeWhoseCallWaitedOnTheCallCapMakesTheCallWhenTheEpisodeResumes()
    {
        // A campaign call on day 37 holds the weekly call cap: the L2 call of day 38 waits. A late upload on day 39 (a
        // purchase of day 28) postpones the episode to day 58 and withdraws the waiting call; L1's gift went out and is
        // kept, L2 is entered again on day 66 and the call goes out, counted once.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 36);
        Assert.Equal(TouchDecisions.Sent, sim.Decide(MemberSim.Marketing(channel: "call", key: "c1"), MemberSim.At(37, 12)).Decision);
        sim.TickDaily(37, 39);
        Assert.Contains(sim.AllTouchDecisions, t => t is { Kind: "winback.l2", Decision: TouchDecisions.Deferred });

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(28), MemberSim.At(39, 12), sim.Options);
        sim.TickDaily(40, 80);

        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l1", 30), ("winback.l2", 66), ("winback.l3", 74)], sent);
        var c = sim.State.Lifecycle.Counters;
        Assert.Equal((1, 1, 1, 1), (c.Episodes, c.EnteredLevel1, c.EnteredLevel2, c.EnteredLevel3));
    }

    [Fact]
    public void APostponedEpisodeWhoseWaitingGiftAlreadyHeldItsCouponDoesNotEnterL1Again()
    {
        // A waiting gift deferred before gifts waited for the send already holds its coupon: the gift was granted, so L1
        // stays done and the resumed episode goes on with the L2 call (no second coupon).
        var sim = new MemberSim();
        sim.ActivityOn(0, hour: 22);
        var waiting = Assert.Single(sim.TickOn(30, 22).Touches);
        TouchGovernor.AttachCoupon(sim.State, waiting.TouchId, "WB-GRANTED");

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(28), MemberSim.At(31, 2), sim.Options);
        sim.TickDaily(31, 70);

        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l2", 66)], sent);
        Assert.Equal((1, 1), (sim.State.Lifecycle.Counters.EnteredLevel1, sim.State.Lifecycle.Counters.EnteredLevel2));
    }

    [Fact]
    public void AMonthLateUploadThatStillLeavesTheMemberQuietMovesTheEpisodeWithoutRepeatingItsLevels()
    {
        // Quiet since day 0: L1 on day 30, L2 on day 38. On day 40 a POS uploads its month: a purchase on day 5.
        // In order the member was quiet from day 5, so at risk from day 35; they still are on day 40. The L1 gift and
        // the L2 call already went out; they are not sent again, and the rest of the ladder runs from day 35.
        var sim = new MemberSim();
        sim.ActivityOn(0);
        sim.TickDaily(1, 40);

        LifecyclePolicy.OnActivity(sim.State, MemberSim.At(5), MemberSim.At(40, 12), sim.Options);

        Assert.Equal(LifecycleStages.AtRisk, sim.State.Lifecycle.Stage);
        Assert.Equal(2, sim.State.Lifecycle.WinBackLevel);
        sim.TickDaily(41, 80);
        var sent = sim.SentTouches.Select(t => (t.Kind, MemberSim.DayOf(t.DecidedAt))).ToList();
        Assert.Equal([("winback.l1", 30), ("winback.l2", 38), ("winback.l3", 51)], sent);
        Assert.Equal(LifecycleStages.Dormant, sim.State.Lifecycle.Stage);
        Assert.Equal(MemberSim.At(66), sim.State.Lifecycle.DormantAt);
        Assert.Equal(1, sim.State.Lifecycle.Counters.Episodes);
    }

    [Fact]
    public void MemberWithoutActivityHasNothingDue()
    {
        var sim = new MemberSim();

        var tick = sim.TickOn(100);

        Assert.False(tick.Lifecycle.Changed);
        Assert.Null(tick.NextDueAt);
        Assert.Equal(LifecycleStages.New, sim.State.Lifecycle.Stage);
    }
}
