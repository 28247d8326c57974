using Engagement.Domain.Lifecycle;

namespace Engagement.Domain.Members;

/// <summary>
/// A cheap, allocation-free summary of everything a time-driven pass (<see cref="MemberDecider.Tick"/>) can change:
/// if a tick leaves it equal, the tick changed nothing and the grain writes nothing. It replaces serialising the
/// whole member to JSON twice per tick; a domain test pins that every state change a tick makes moves it.
/// </summary>
internal readonly record struct MemberFingerprint(
    long NextSequence,
    int Ledger,
    string? Tier,
    DateTimeOffset? TierSince,
    DateTimeOffset? TierGraceStartedAt,
    int Benefits,
    int Orders,
    int OrderSummaries,
    long OrderSummariesDropped,
    long LiveOrderPoints,
    int NoticesSent,
    long PointsDebt,
    int HeldRefunds,
    int GrowthDays,
    long GrowthInDays,
    int BehaviourRecords,
    int CappedDays,
    int EventIdDays,
    LifecycleFingerprint Lifecycle,
    int TouchDecisions,
    int TouchesSent,
    DateTimeOffset? LastTouchAt,
    int? BirthdayTouchYear,
    int Outbox)
{
    public static MemberFingerprint Of(MemberState state)
    {
        long live = 0;
        var notices = 0;
        foreach (var order in state.Orders)
        {
            live += order.Remaining;
            notices += order.NoticeSentAt is null ? 0 : 1;
        }

        long growth = 0;
        foreach (var day in state.GrowthByDay.Values)
        {
            growth += day;
        }

        var touches = state.Touches;
        return new MemberFingerprint(
            state.NextSequence,
            state.Ledger.Count,
            state.Tier,
            state.TierSince,
            state.TierGraceStartedAt,
            state.Benefits.Count,
            state.Orders.Count,
            state.OrderSummaries.Count,
            state.OrderSummariesDropped,
            live,
            notices,
            state.PointsDebt,
            state.HeldRefunds.Count,
            state.GrowthByDay.Count,
            growth,
            state.BehaviourRecords.Count,
            state.CappedActionsByDay?.Count ?? 0,
            state.EventIdsByDay?.Count ?? 0,
            LifecycleFingerprint.Of(state.Lifecycle),
            touches.Decisions.Count,
            touches.Sent.Count,
            touches.Decisions.Count == 0 ? null : touches.Decisions[^1].DecidedAt,
            touches.BirthdayTouchYear,
            state.Outbox.Count);
    }
}

/// <summary>The lifecycle part of <see cref="MemberFingerprint"/>.</summary>
internal readonly record struct LifecycleFingerprint(
    string Stage,
    DateTimeOffset? StageSince,
    int WinBackLevel,
    DateTimeOffset? WinBackStartedAt,
    DateTimeOffset? WinBackLevelEnteredAt,
    DateTimeOffset? WonBackAt,
    DateTimeOffset? DormantAt,
    DateTimeOffset? AdvisorRequestedAt,
    int Transitions,
    DateTimeOffset? LastTransitionRecordedAt,
    int Episodes,
    int Dormant,
    int SkippedLevels)
{
    public static LifecycleFingerprint Of(LifecycleState s) => new(
        s.Stage,
        s.StageSince,
        s.WinBackLevel,
        s.WinBackStartedAt,
        s.WinBackLevelEnteredAt,
        s.WonBackAt,
        s.DormantAt,
        s.AdvisorRequestedAt,
        s.Transitions.Count,
        s.Transitions.Count == 0 ? null : s.Transitions[^1].RecordedAt,
        s.Counters.Episodes,
        s.Counters.Dormant,
        s.Counters.SkippedLevels);
}
