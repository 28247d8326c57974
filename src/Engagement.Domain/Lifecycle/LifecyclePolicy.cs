using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>Stage changes and win-back, decided from <c>now</c>.</summary>
/// <remarks>
/// Stages (CONTRACT.md §2): <c>new</c> for <c>NewMemberDays</c> after registration, then <c>active</c>;
/// <c>at_risk</c> once quiet reaches <c>AtRiskAfterDays</c>, which also starts a win-back episode (day 0);
/// <c>dormant</c> once the episode's window passes without activity. Any activity ends a running episode
/// ("won back at level N") and makes the member <c>active</c> (or keeps them <c>new</c>).
/// Ticks are idempotent and catch up: a tick enters only the level due at <c>now</c>, once per episode.
/// </remarks>
public static partial class LifecyclePolicy
{
    /// <summary>Called by the member engine for every applied event that counts as activity (all but complaint).</summary>
    /// <remarks>
    /// An event that happened no later than the last known activity (late or replayed) tells nothing new about
    /// quiet time and changes nothing. Activity that happened before a running episode started (a late event)
    /// cancels the episode rather than counting as a win-back: the member was never quiet that long. The levels it already
    /// entered stay entered: the episode is postponed to the new day 0 (<see cref="PostponeEpisode"/>), so the gift and
    /// the call are not sent again when quiet reaches <c>AtRiskAfterDays</c> since the late activity.
    /// Activity from before the episode that arrives so late that the member has been quiet for <c>AtRiskAfterDays</c>
    /// since it anyway does not cancel the episode: it moves its day 0 (<see cref="MoveEpisodeStart"/>).
    /// Activity that arrives late from an earlier level of the running episode (an offline POS uploading after the
    /// next level's tick) is won back at the level it happened in (CONTRACT.md §1.1, §2), not the level reached since.
    /// So is activity from inside an episode that arrives after the member was already marked dormant: the member was
    /// won back, never dormant (<see cref="WonBackBeforeDormancy"/>); activity from before such an episode's day 0 moves the
    /// episode and its dormancy instead of counting a reactivation and a second episode.
    /// </remarks>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="at">The activity's <c>occurredAt</c>.</param>
    /// <param name="now">When the engine applies it.</param>
    /// <param name="options">The programme rules (level days; the touch rules for withdrawing waiting win-back touches).</param>
    public static void OnActivity(MemberState state, DateTimeOffset at, DateTimeOffset now, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var s = state.Lifecycle;
        if (s.FirstActivityAt is null || at < s.FirstActivityAt)
        {
            s.FirstActivityAt = at;
        }

        if (s.LastActivityAt is { } last && at <= last)
        {
            WonBackEarlier(s, at, now, options.Lifecycle);
            return;
        }

        // The episode's window ended before this activity, and the tick that would have marked the member dormant has
        // not run yet (a reminder a little late, a backlog after an outage): the dormancy comes first, at its own
        // instant, and the activity reactivates a dormant member. Taken as a win-back at the last level, it counted a
        // member the flow had already lost (CONTRACT.md §2: dormant once the win-back window passed without activity).
        if (s.WinBackStartedAt is { } open && s.Stage != LifecycleStages.Dormant && at >= WinBackPolicy.DormantFrom(options.Lifecycle, open))
        {
            AdvanceRecordedAt(state, options, at, recordedAt: now);
        }

        s.LastActivityAt = at;
        s.StageSince ??= at;
        var quietFrom = at + TimeSpan.FromDays(options.Lifecycle.AtRiskAfterDays);
        if (s.WinBackStartedAt is { } running && at < running && quietFrom <= now)
        {
            MoveEpisodeStart(s, running, quietFrom, at, now);
        }
        else if (s.WinBackStartedAt is { } early && at < early && s.WinBackLevel >= 1 && s.WinBackLevelEnteredAt is { } sentAt && at < sentAt)
        {
            PostponeEpisode(state, early, quietFrom, at, now, options);
        }
        else if (s.WinBackStartedAt is { } start)
        {
            var level = s.WinBackLevel;
            var levelAt = WinBackPolicy.LevelDue(options.Lifecycle, start, at);
            if (levelAt >= 1 && levelAt < level)
            {
                level = levelAt;
            }

            var won = at >= start && level >= 1;
            var postponed = s.Stage != LifecycleStages.AtRisk; // PostponeEpisode: the member was active, the episode not yet resumed
            if (won)
            {
                s.WonBackAtLevel = level;
                s.WonBackAt = at;
                CountWonBack(s.Counters, level);
            }

            var from = s.Stage;
            SetStage(s, LifecycleStages.Active, at);
            AddTransition(s, new LifecycleTransition
            {
                At = at,
                RecordedAt = now,
                Kind = won ? LifecycleTransitionKinds.WonBack : LifecycleTransitionKinds.Cancelled,
                FromStage = from,
                ToStage = LifecycleStages.Active,
                Level = level,
                EpisodeStartedAt = start,
                Note = won ? null : postponed ? "member active again before the postponed episode resumed" : "activity from before the episode started arrived late",
            });
            s.WinBackStartedAt = null;
            s.WinBackLevel = 0;
            s.WinBackLevelEnteredAt = null;
            WithdrawWaitingLevelTouches(state, options, at, now);
        }
        else if (LateWinBackEpisode(s, at, options.Lifecycle) is { } ended)
        {
            WonBackBeforeDormancy(state, ended, at, now, options);
        }
        else if (s.Stage is LifecycleStages.Dormant or LifecycleStages.AtRisk)
        {
            if (s.Stage == LifecycleStages.Dormant)
            {
                s.Counters.ReactivatedFromDormant++;
            }

            RecordStage(s, LifecycleStages.Active, at, now, null);
        }
    }

    /// <summary>
    /// Applies every stage change and win-back level due at <paramref name="now"/> to the member state and says
    /// what changed. Idempotent: a second tick at the same (or an earlier) instant changes nothing.
    /// </summary>
    public static LifecycleDecision Advance(MemberState state, ProgramOptions options, DateTimeOffset now) => AdvanceRecordedAt(state, options, now, now);

    /// <summary>
    /// <see cref="Advance(MemberState, ProgramOptions, DateTimeOffset)"/> judged at <paramref name="now"/> (an activity's
    /// <c>occurredAt</c> that finds the window ended) but recorded at <paramref name="recordedAt"/>, when the engine
    /// applies it: the win-back journal takes the steps recorded at the applying instant.
    /// </summary>
    private static LifecycleDecision AdvanceRecordedAt(MemberState state, ProgramOptions options, DateTimeOffset now, DateTimeOffset recordedAt)
    {
        var s = state.Lifecycle;
        var o = options.Lifecycle;
        var changes = new List<StageChange>();
        var skipped = new List<int>();
        var requests = new List<TouchRequest>();
        int? entered = null;
        var assignAdvisor = false;
        var becameDormant = false;

        if (s.LastActivityAt is { } last)
        {
            var quietFrom = last + TimeSpan.FromDays(o.AtRiskAfterDays);
            var newUntil = (MemberProfile.RegisteredAt(state) ?? last) + TimeSpan.FromDays(o.NewMemberDays);

            if (s.Stage == LifecycleStages.New && now >= newUntil && now < quietFrom)
            {
                changes.Add(RecordStage(s, LifecycleStages.Active, newUntil, recordedAt, "new-member period over"));
            }

            if (s.Stage != LifecycleStages.Dormant && now >= quietFrom)
            {
                if (s.WinBackStartedAt is null)
                {
                    s.WinBackStartedAt = quietFrom;
                    s.WinBackLevel = 0;
                    s.WinBackLevelCounted = 0;
                    s.Counters.Episodes++;
                    if (s.Stage != LifecycleStages.AtRisk)
                    {
                        changes.Add(RecordStage(s, LifecycleStages.AtRisk, quietFrom, recordedAt, $"no activity for {o.AtRiskAfterDays} days"));
                    }
                }
                else if (s.Stage != LifecycleStages.AtRisk)
                {
                    // A postponed episode (PostponeEpisode) reaches its day 0: the same episode, above the levels it sent.
                    changes.Add(RecordStage(s, LifecycleStages.AtRisk, quietFrom, recordedAt, $"no activity for {o.AtRiskAfterDays} days; win-back resumes above L{s.WinBackLevel}"));
                }

                var start = s.WinBackStartedAt.Value;
                var due = WinBackPolicy.LevelDue(o, start, now);
                if (due == WinBackPolicy.DormantLevel)
                {
                    skipped.AddRange(Enumerable.Range(s.WinBackLevel + 1, Math.Max(0, o.Levels().Count - s.WinBackLevel)));
                    s.Counters.SkippedLevels += skipped.Count;
                    var dormantFrom = WinBackPolicy.DormantFrom(o, start);
                    var from = s.Stage;
                    SetStage(s, LifecycleStages.Dormant, dormantFrom);
                    changes.Add(new StageChange(from, LifecycleStages.Dormant, dormantFrom));
                    AddTransition(s, new LifecycleTransition
                    {
                        At = dormantFrom,
                        RecordedAt = recordedAt,
                        Kind = LifecycleTransitionKinds.Dormant,
                        FromStage = from,
                        ToStage = LifecycleStages.Dormant,
                        Level = s.WinBackLevel,
                        EpisodeStartedAt = start,
                        Note = skipped.Count > 0 ? SkippedNote(skipped) : null,
                    });
                    s.DormantAt = dormantFrom;
                    s.Counters.Dormant++;
                    s.WinBackStartedAt = null;
                    s.WinBackLevel = 0;
                    s.WinBackLevelEnteredAt = null;
                    becameDormant = true;
                }
                else if (due > s.WinBackLevel)
                {
                    // Missed ticks: go to the level due now only; the earlier levels' windows have passed.
                    skipped.AddRange(Enumerable.Range(s.WinBackLevel + 1, due - s.WinBackLevel - 1));
                    s.Counters.SkippedLevels += skipped.Count(l => l > s.WinBackLevelCounted);
                    var again = ReenteredAfterPostponement(s, due);
                    s.WinBackLevel = due;
                    s.WinBackLevelEnteredAt = now;
                    entered = due;
                    requests.Add(WinBackPolicy.RequestFor(state, o, start, due));
                    if (!again && o.Levels()[due - 1].AssignAdvisor)
                    {
                        assignAdvisor = true;
                        s.AdvisorRequestedAt = now;
                    }

                    AddTransition(s, new LifecycleTransition
                    {
                        At = now,
                        RecordedAt = recordedAt,
                        Kind = again ? LifecycleTransitionKinds.LevelReentered : LifecycleTransitionKinds.LevelEntered,
                        FromStage = s.Stage,
                        ToStage = s.Stage,
                        Level = due,
                        EpisodeStartedAt = start,
                        Note = again ? "its touch was withdrawn unsent when the episode was postponed" : skipped.Count > 0 ? SkippedNote(skipped) : null,
                    });
                }
            }
        }

        Trim(s, o.MaxTransitions);
        return new LifecycleDecision
        {
            DecidedAt = now,
            StageChanges = changes,
            EnteredWinBackLevel = entered,
            SkippedLevels = skipped,
            TouchRequests = requests,
            AssignAdvisor = assignAdvisor,
            BecameDormant = becameDormant,
            NextDueAt = NextDueAt(state, options),
        };
    }

    /// <summary>
    /// The next instant the lifecycle can change without an event (new period ends, quiet reaches the at-risk
    /// mark, next level, dormancy); null when only an event can change it (dormant, or never active).
    /// </summary>
    public static DateTimeOffset? NextDueAt(MemberState state, ProgramOptions options)
    {
        var s = state.Lifecycle;
        var o = options.Lifecycle;
        if (s.LastActivityAt is not { } last || s.Stage == LifecycleStages.Dormant)
        {
            return null;
        }

        if (s.WinBackStartedAt is { } start)
        {
            if (s.Stage != LifecycleStages.AtRisk)
            {
                return start; // postponed: it resumes at its new day 0
            }

            return s.WinBackLevel >= 1 && s.WinBackLevel < o.Levels().Count
                ? WinBackPolicy.LevelStart(o, start, s.WinBackLevel + 1)
                : s.WinBackLevel >= 1 ? WinBackPolicy.DormantFrom(o, start) : start;
        }

        var quietFrom = last + TimeSpan.FromDays(o.AtRiskAfterDays);
        if (s.Stage == LifecycleStages.New)
        {
            var newUntil = (MemberProfile.RegisteredAt(state) ?? last) + TimeSpan.FromDays(o.NewMemberDays);
            return newUntil < quietFrom ? newUntil : quietFrom;
        }

        return quietFrom;
    }

    /// <summary>
    /// Activity from before the episode started arrived so late that the member has been quiet long enough since it
    /// anyway (an offline POS uploading its month): in order the episode would have started at <paramref name="quietFrom"/>
    /// and would be running now. It runs on from that day 0; the levels already entered stay entered, so no touch and no
    /// gift is sent twice, and the remaining levels and dormancy follow the corrected schedule.
    /// </summary>
    private static void MoveEpisodeStart(LifecycleState s, DateTimeOffset start, DateTimeOffset quietFrom, DateTimeOffset at, DateTimeOffset now)
    {
        s.WinBackStartedAt = quietFrom;
        if (s.Stage == LifecycleStages.AtRisk && s.StageSince == start)
        {
            s.StageSince = quietFrom;
        }

        AddTransition(s, new LifecycleTransition
        {
            At = quietFrom,
            RecordedAt = now,
            Kind = LifecycleTransitionKinds.Stage,
            FromStage = s.Stage,
            ToStage = s.Stage,
            Level = s.WinBackLevel,
            EpisodeStartedAt = quietFrom,
            Note = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"activity at {at:yyyy-MM-dd'T'HH:mm:ssK} arrived late: quiet since then, the win-back runs from {quietFrom:yyyy-MM-dd'T'HH:mm:ssK} instead of {start:yyyy-MM-dd'T'HH:mm:ssK}"),
        });
    }

    /// <summary>
    /// A level's touch still waiting (quiet hours, a cap) when the member comes back is not sent after it: the
    /// win-back it belonged to has ended (CONTRACT.md §2, activity at any level ends it).
    /// </summary>
    private static IReadOnlyList<TouchDecision> WithdrawWaitingLevelTouches(MemberState state, ProgramOptions options, DateTimeOffset at, DateTimeOffset now)
    {
        var kinds = options.Lifecycle.Levels().Select(l => l.Kind).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return TouchGovernor.WithdrawDeferred(
            state,
            d => d.CampaignId is null && d.Level is not null && kinds.Contains(d.Kind),
            $"win-back ended: member active again at {TouchGovernor.Local(at, TouchGovernor.ZoneOf(state, options))}",
            options,
            now);
    }

    private static StageChange RecordStage(LifecycleState s, string to, DateTimeOffset at, DateTimeOffset now, string? note)
    {
        var from = s.Stage;
        SetStage(s, to, at);
        AddTransition(s, new LifecycleTransition
        {
            At = at,
            RecordedAt = now,
            Kind = LifecycleTransitionKinds.Stage,
            FromStage = from,
            ToStage = to,
            EpisodeStartedAt = s.WinBackStartedAt,
            Note = note,
        });
        return new StageChange(from, to, at);
    }

    private static void SetStage(LifecycleState s, string stage, DateTimeOffset at)
    {
        s.Stage = stage;
        s.StageSince = at;
    }

    private static void AddTransition(LifecycleState s, LifecycleTransition transition) => s.Transitions.Add(transition);

    private static void Trim(LifecycleState s, int max)
    {
        var excess = s.Transitions.Count - Math.Max(1, max);
        if (excess > 0)
        {
            s.Transitions.RemoveRange(0, excess);
        }
    }

    private static string SkippedNote(List<int> skipped) =>
        "missed ticks; skipped " + string.Join(", ", skipped.Select(l => "L" + l.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static void CountEntered(WinBackCounters c, int level)
    {
        switch (level)
        {
            case 1: c.EnteredLevel1++; break;
            case 2: c.EnteredLevel2++; break;
            default: c.EnteredLevel3++; break;
        }
    }

    private static void CountWonBack(WinBackCounters c, int level, int by = 1)
    {
        switch (level)
        {
            case 1: c.WonBackAtLevel1 = Math.Max(0, c.WonBackAtLevel1 + by); break;
            case 2: c.WonBackAtLevel2 = Math.Max(0, c.WonBackAtLevel2 + by); break;
            default: c.WonBackAtLevel3 = Math.Max(0, c.WonBackAtLevel3 + by); break;
        }
    }
}
