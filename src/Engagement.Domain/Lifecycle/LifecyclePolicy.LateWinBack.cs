using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Lifecycle;

/// <summary>Late activity from inside a win-back episode that had already been recorded as ending in dormancy.</summary>
public static partial class LifecyclePolicy
{
    /// <summary>
    /// The dormancy a late activity at <paramref name="at"/> undoes: the member is dormant, and the activity happened inside
    /// the episode that ended in that dormancy (on or after its day 0, before the window passed). Null otherwise.
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
        var dormancy = s.Transitions.LastOrDefault(t => t.Kind == LifecycleTransitionKinds.Dormant && t.At == dormantAt);
        var start = dormancy?.EpisodeStartedAt ?? dormantAt - TimeSpan.FromDays(o.DormantAfterWinBackDays + 1);
        var entered = dormancy?.Level is int level && level >= 1 ? level : o.Levels().Count;
        return at >= start ? (dormantAt, start, entered) : null;
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
}
