using System.Text.Json.Serialization;

namespace Engagement.Domain.Lifecycle;

/// <summary>Lifecycle stage and win-back progress of one member.</summary>
/// <remarks>Plain get/set properties for System.Text.Json; bounded (see <see cref="Transitions"/>).</remarks>
public sealed class LifecycleState
{
    /// <summary><c>new</c>, <c>active</c>, <c>at_risk</c> or <c>dormant</c> (<see cref="LifecycleStages"/>).</summary>
    public string Stage { get; set; } = LifecycleStages.New;

    /// <summary>When the current stage took effect.</summary>
    public DateTimeOffset? StageSince { get; set; }

    /// <summary>
    /// Earliest activity seen; stands in for the registration time while the member state carries none.
    /// </summary>
    public DateTimeOffset? FirstActivityAt { get; set; }

    /// <summary>Latest activity (any applied event but <c>complaint</c>); quiet time counts from here.</summary>
    public DateTimeOffset? LastActivityAt { get; set; }

    /// <summary>
    /// 0 when no win-back runs; 1–3 while one does, and the levels a postponed episode already entered while the member
    /// is active before its new day 0 (<see cref="WinBackStartedAt"/> then lies ahead; see <c>LifecyclePolicy.RunningWinBackLevel</c>).
    /// </summary>
    public int WinBackLevel { get; set; }

    /// <summary>
    /// Day 0 of the running (or postponed) win-back episode; null when none runs. Also the episode's touch dedupe key.
    /// </summary>
    public DateTimeOffset? WinBackStartedAt { get; set; }

    /// <summary>When the current win-back level was entered.</summary>
    public DateTimeOffset? WinBackLevelEnteredAt { get; set; }

    /// <summary>
    /// The highest level the current (or last) episode counted in <see cref="Counters"/>. Above <see cref="WinBackLevel"/>
    /// only while a postponed episode waits to enter again the levels whose touches were withdrawn unsent: entering
    /// them again is not a second entry (<see cref="LifecycleTransitionKinds.LevelReentered"/>). Not written while 0, so a
    /// member never in win-back stays small.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int WinBackLevelCounted { get; set; }

    /// <summary>Level at which the last win-back episode ended with activity; null if none did yet.</summary>
    public int? WonBackAtLevel { get; set; }

    /// <summary>When the member was last won back (the activity's time).</summary>
    public DateTimeOffset? WonBackAt { get; set; }

    /// <summary>When the member last turned dormant.</summary>
    public DateTimeOffset? DormantAt { get; set; }

    /// <summary>When a win-back level last asked for a personal advisor.</summary>
    public DateTimeOffset? AdvisorRequestedAt { get; set; }

    /// <summary>Lifetime counters for the win-back report.</summary>
    public WinBackCounters Counters { get; set; } = new();

    /// <summary>Recent transitions, oldest first, at most <c>LifecycleOptions.MaxTransitions</c>.</summary>
    public List<LifecycleTransition> Transitions { get; set; } = [];
}

/// <summary>Lifetime win-back counters of one member (small, fixed size).</summary>
public sealed class WinBackCounters
{
    public int Episodes { get; set; }

    public int EnteredLevel1 { get; set; }

    public int EnteredLevel2 { get; set; }

    public int EnteredLevel3 { get; set; }

    public int WonBackAtLevel1 { get; set; }

    public int WonBackAtLevel2 { get; set; }

    public int WonBackAtLevel3 { get; set; }

    /// <summary>Episodes that ended in dormancy.</summary>
    public int Dormant { get; set; }

    /// <summary>Activity after dormancy (not a win-back: the window had passed).</summary>
    public int ReactivatedFromDormant { get; set; }

    /// <summary>Levels never entered because ticks were missed (the member went straight to a later level).</summary>
    public int SkippedLevels { get; set; }
}

/// <summary>One lifecycle event for the win-back report.</summary>
public sealed class LifecycleTransition
{
    /// <summary>When it took effect by the rules (e.g. the exact instant quiet reached 30 days).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>When the engine noticed and recorded it (a tick's or event's <c>now</c>).</summary>
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary><see cref="LifecycleTransitionKinds"/>: stage, winback.level, winback.level.reentered, winback.won, winback.cancelled, winback.dormant, winback.dormant.withdrawn.</summary>
    public string Kind { get; set; } = "";

    public string? FromStage { get; set; }

    public string? ToStage { get; set; }

    /// <summary>Win-back level concerned, if any.</summary>
    public int? Level { get; set; }

    /// <summary>Day 0 of the win-back episode concerned, if any.</summary>
    public DateTimeOffset? EpisodeStartedAt { get; set; }

    public string? Note { get; set; }
}

/// <summary>Kinds of <see cref="LifecycleTransition"/>.</summary>
public static class LifecycleTransitionKinds
{
    public const string Stage = "stage";
    public const string LevelEntered = "winback.level";

    /// <summary>
    /// A postponed episode enters again, under its new day 0, a level whose touch was still waiting (quiet hours, a cap)
    /// and was withdrawn unsent when the episode was postponed. Not a second entry: not counted, not in the win-back report.
    /// </summary>
    public const string LevelReentered = "winback.level.reentered";
    public const string WonBack = "winback.won";
    public const string Cancelled = "winback.cancelled";
    public const string Dormant = "winback.dormant";

    /// <summary>
    /// A dormancy recorded earlier is taken back: activity from inside its episode arrived late (the member was won
    /// back, not dormant). <c>At</c> is the withdrawn dormancy's instant.
    /// </summary>
    public const string DormantWithdrawn = "winback.dormant.withdrawn";

    /// <summary>
    /// A win-back recorded earlier is taken back because activity from an earlier level of the same episode arrived late
    /// (the member came back at that level, recorded by a new <see cref="WonBack"/>). <c>At</c> and <c>Level</c> are the
    /// withdrawn win-back's.
    /// </summary>
    public const string WonBackWithdrawn = "winback.won.withdrawn";
}
