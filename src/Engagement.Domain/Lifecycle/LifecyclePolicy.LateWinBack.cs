using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Lifecycle;

/// <summary>Late activity from before a dormancy that had already been recorded (inside its episode, or before its day 0).</summary>
public static partial class LifecyclePolicy
{
    /// <summary>
    /// The dormancy a late activity at <paramref name="at"/> changes: the member is dormant and the activity happened
    /// before the dormancy took effect (inside its episode, or before the episode's day 0). Null otherwise.
    /// </summary>
    private static (DateTimeOffset DormantAt, DateTimeOffset EpisodeStart, int LevelEntered)? LateWinBackEpisode(
        LifecycleState s, DateTimeOffset at, LifecycleOptions o)
    {
        if (s.Stage != LifecycleStages.Dormant || s.WinBackStartedAt is not null || s.DormantAt is not { } dormantAt || at >= dormantAt)
        {
            return null;
        }

        // The dormancy's own transition names its episode and the level reached; if it was trimmed away, the
        // episode start follows from the schedule and every level is taken as entered.
        var dormancy = LastOf(s, LifecycleTransitionKinds.Dormant, dormantAt);
        var start = dormancy?.EpisodeStartedAt ?? dormantAt - TimeSpan.FromDays(o.DormantAfterWinBackDays + 1);
        var entered = dormancy?.Level is int level && level >= 1 ? level : o.Levels().Count;
        return (dormantAt, start, entered);
    }

    /// <summary>
    /// Activity from a level of an episode (e.g. L3) reaches the engine only after the member was marked dormant (an
    /// offline POS uploading late). In order the activity ended the win-back at that level (CONTRACT.md §1.1, §2): the
    /// member is recorded as won back at that level and active since the activity, and the dormancy is withdrawn
    /// (its counter taken back; a <see cref="LifecycleTransitionKinds.DormantWithdrawn"/> step tells the journal to
    /// take it out of the win-back report), rather than counted as dormancy followed by reactivation.
    /// </summary>
    private static void WonBackBeforeDormancy(
        MemberState state, (DateTimeOffset DormantAt, DateTimeOffset EpisodeStart, int LevelEntered) ended, DateTimeOffset at, DateTimeOffset now, ProgramOptions options)
    {
        var s = state.Lifecycle;
        if (at < ended.EpisodeStart)
        {
            QuietLongerBeforeDormancy(s, ended, at, now, options.Lifecycle);
            return;
        }

        var levelAt = WinBackPolicy.LevelDue(options.Lifecycle, ended.EpisodeStart, at);
        var level = levelAt >= 1 && levelAt < ended.LevelEntered ? levelAt : Math.Max(1, ended.LevelEntered);
        var when = at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        var dormantWhen = ended.DormantAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);

        s.Counters.Dormant = Math.Max(0, s.Counters.Dormant - 1);
        s.DormantAt = null;
        s.WonBackAtLevel = level;
        s.WonBackAt = at;
        CountWonBack(s.Counters, level);
        SetStage(s, LifecycleStages.Active, at);
        AddTransition(s, new LifecycleTransition
        {
            At = ended.DormantAt,
            RecordedAt = now,
            Kind = LifecycleTransitionKinds.DormantWithdrawn,
            FromStage = LifecycleStages.Dormant,
            ToStage = LifecycleStages.Active,
            Level = ended.LevelEntered,
            EpisodeStartedAt = ended.EpisodeStart,
            Note = $"activity at {when} arrived late: won back before the window passed, not dormant from {dormantWhen}",
        });
        AddTransition(s, new LifecycleTransition
        {
            At = at,
            RecordedAt = now,
            Kind = LifecycleTransitionKinds.WonBack,
            FromStage = LifecycleStages.AtRisk,
            ToStage = LifecycleStages.Active,
            Level = level,
            EpisodeStartedAt = ended.EpisodeStart,
            Note = $"arrived late, after the member had been marked dormant from {dormantWhen}",
        });
        Trim(s, options.Lifecycle.MaxTransitions);
    }

    /// <summary>
    /// Activity from before the episode's day 0 reaches the engine after the member was marked dormant (a POS uploading
    /// its month): in order the member was quiet from <paramref name="at"/>, so the same episode ran from
    /// <c>at + AtRiskAfterDays</c> and its dormancy falls later. Not a reactivation and not a second episode: the levels
    /// already entered stay entered (no touch or gift twice). If the moved dormancy is still ahead, the episode runs on
    /// at the level it had reached and the dormancy is withdrawn (the tick records it again when it comes); otherwise the
    /// member stays dormant, from the moved instant.
    /// </summary>
    private static void QuietLongerBeforeDormancy(
        LifecycleState s, (DateTimeOffset DormantAt, DateTimeOffset EpisodeStart, int LevelEntered) ended, DateTimeOffset at, DateTimeOffset now, LifecycleOptions o)
    {
        var start = at + TimeSpan.FromDays(o.AtRiskAfterDays);
        var dormantFrom = WinBackPolicy.DormantFrom(o, start);
        var note = $"activity at {at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)} arrived late: the win-back runs from "
            + $"{start.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)} instead of {ended.EpisodeStart.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)}";
        if (dormantFrom <= now)
        {
            s.DormantAt = dormantFrom;
            s.StageSince = dormantFrom;
            AddTransition(s, new LifecycleTransition
            {
                At = dormantFrom, RecordedAt = now, Kind = LifecycleTransitionKinds.Stage, FromStage = LifecycleStages.Dormant,
                ToStage = LifecycleStages.Dormant, Level = ended.LevelEntered, EpisodeStartedAt = ended.EpisodeStart, Note = note,
            });
            return;
        }

        s.Counters.Dormant = Math.Max(0, s.Counters.Dormant - 1);
        s.DormantAt = null;
        s.WinBackStartedAt = start;
        s.WinBackLevel = Math.Min(ended.LevelEntered, o.Levels().Count);
        SetStage(s, LifecycleStages.AtRisk, start);
        AddTransition(s, new LifecycleTransition
        {
            At = ended.DormantAt, RecordedAt = now, Kind = LifecycleTransitionKinds.DormantWithdrawn, FromStage = LifecycleStages.Dormant,
            ToStage = LifecycleStages.AtRisk, Level = ended.LevelEntered, EpisodeStartedAt = ended.EpisodeStart, Note = note,
        });
        Trim(s, o.MaxTransitions);
    }

    /// <summary>
    /// Activity from an earlier level of an episode that a newer activity already ended arrives late (the member logged
    /// in during L2, then an offline POS uploads a purchase from L1): in order the member came back at that earlier level
    /// (CONTRACT.md §1.1, §2). The win-back moves there: its counters follow, and a
    /// <see cref="LifecycleTransitionKinds.WonBackWithdrawn"/> step takes the later one out of the win-back report
    /// beside a new <see cref="LifecycleTransitionKinds.WonBack"/>. The levels entered meanwhile stay entered (their
    /// touches went out). Nothing when the win-back's own transition is no longer kept.
    /// </summary>
    private static void WonBackEarlier(LifecycleState s, DateTimeOffset at, DateTimeOffset now, LifecycleOptions o)
    {
        if (s.WonBackAt is not { } wonAt || s.WonBackAtLevel is not int wonLevel || at >= wonAt
            || LastOf(s, LifecycleTransitionKinds.WonBack, wonAt) is not { EpisodeStartedAt: { } start } won
            || at < start)
        {
            return;
        }

        var level = WinBackPolicy.LevelDue(o, start, at);
        if (level < 1 || level >= wonLevel)
        {
            return;
        }

        var when = at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        CountWonBack(s.Counters, wonLevel, by: -1);
        CountWonBack(s.Counters, level);
        s.WonBackAtLevel = level;
        s.WonBackAt = at;
        if (s.Stage == LifecycleStages.Active && s.StageSince == wonAt)
        {
            s.StageSince = at;
        }

        AddTransition(s, new LifecycleTransition
        {
            At = wonAt, RecordedAt = now, Kind = LifecycleTransitionKinds.WonBackWithdrawn, FromStage = won.FromStage, ToStage = LifecycleStages.Active,
            Level = wonLevel, EpisodeStartedAt = start, Note = $"activity at {when} from L{level} arrived late: won back there, not at L{wonLevel}",
        });
        AddTransition(s, new LifecycleTransition
        {
            At = at, RecordedAt = now, Kind = LifecycleTransitionKinds.WonBack, FromStage = won.FromStage, ToStage = LifecycleStages.Active,
            Level = level, EpisodeStartedAt = start,
        });
    }

    /// <summary>
    /// The last transition of <paramref name="kind"/> at <paramref name="at"/>, or null. A loop, not a LINQ predicate: its
    /// lambda would capture <paramref name="at"/>, and the caller's closure is made on every activity, matched or not.
    /// </summary>
    private static LifecycleTransition? LastOf(LifecycleState s, string kind, DateTimeOffset at)
    {
        for (var i = s.Transitions.Count - 1; i >= 0; i--)
        {
            var t = s.Transitions[i];
            if (t.Kind == kind && t.At == at)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>
    /// The win-back level the member is at now (CONTRACT.md §4 <c>winBackLevel</c>): 0 unless an episode runs, and 0 while
    /// a postponed episode waits for its day 0 (the member is active then).
    /// </summary>
    /// <param name="s">The member's lifecycle.</param>
    /// <returns>0, or 1–3 while the member is <c>at_risk</c> in an episode.</returns>
    public static int RunningWinBackLevel(LifecycleState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Stage == LifecycleStages.AtRisk ? s.WinBackLevel : 0;
    }

    /// <summary>
    /// Activity from before a running episode's day 0 arrives while quiet since it is still short of
    /// <c>AtRiskAfterDays</c> (an offline POS uploading a purchase from two days before the episode, after L1 and L2 went
    /// out): in order the member was never that quiet, so this is no win-back, and they are active again. But the quiet
    /// spell the touches were sent in goes on: the episode is postponed to its new day 0 (<paramref name="quietFrom"/>)
    /// with the levels whose touches went out kept, so the next ticks do not send the L1 gift and the L2 call a second time
    /// and the counters count one episode (CONTRACT.md §2). Waiting level touches are withdrawn (the member is active now);
    /// a level whose touch was withdrawn unsent (quiet hours, the call cap) is not kept: the resumed episode enters it
    /// again under its new day 0 (the L1 gift is issued only when its touch is sent), not counted twice. A waiting touch
    /// that already holds a coupon (granted when it was deferred, before gifts waited for the send) keeps its level done,
    /// so no second coupon is issued. Activity that happened after the last level was entered ends a postponed episode as
    /// any activity would.
    /// </summary>
    private static void PostponeEpisode(MemberState state, DateTimeOffset start, DateTimeOffset quietFrom, DateTimeOffset at, DateTimeOffset now, ProgramOptions options)
    {
        var s = state.Lifecycle;
        var from = s.Stage;
        var entered = s.WinBackLevel;
        SetStage(s, LifecycleStages.Active, at);
        s.WinBackStartedAt = quietFrom;
        s.WinBackLevelCounted = Math.Max(s.WinBackLevelCounted, entered);
        var firstUnsent = WithdrawWaitingLevelTouches(state, options, at, now)
            .Where(d => d.CouponCode is null && d.Level is int l && l >= 1 && l <= entered)
            .Select(d => d.Level!.Value)
            .DefaultIfEmpty(entered + 1)
            .Min();
        if (firstUnsent <= entered)
        {
            s.WinBackLevel = firstUnsent - 1;
            s.WinBackLevelEnteredAt = s.WinBackLevel == 0 ? null
                : s.Transitions.LastOrDefault(t => t.Level == s.WinBackLevel && t.EpisodeStartedAt == start
                    && t.Kind is LifecycleTransitionKinds.LevelEntered or LifecycleTransitionKinds.LevelReentered)?.At ?? s.WinBackLevelEnteredAt;
        }

        var resumes = quietFrom.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        AddTransition(s, new LifecycleTransition
        {
            At = at, RecordedAt = now, Kind = LifecycleTransitionKinds.Cancelled, FromStage = from, ToStage = LifecycleStages.Active,
            Level = entered, EpisodeStartedAt = start,
            Note = $"activity from before the episode started arrived late: the win-back resumes from {resumes} above L{s.WinBackLevel}"
                + (s.WinBackLevel < entered ? $"; L{s.WinBackLevel + 1} is entered again there, its touch had not gone out" : ""),
        });
        Trim(s, options.Lifecycle.MaxTransitions);
    }

    /// <summary>
    /// Counts a level entered, once per episode: true (and nothing counted) when the episode already counted it, i.e. a
    /// postponed episode enters again a level whose touch was withdrawn unsent (<see cref="PostponeEpisode"/>).
    /// </summary>
    private static bool ReenteredAfterPostponement(LifecycleState s, int level)
    {
        if (level <= s.WinBackLevelCounted)
        {
            return true;
        }

        CountEntered(s.Counters, level);
        s.WinBackLevelCounted = level;
        return false;
    }
}
