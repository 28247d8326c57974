using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>What one lifecycle tick changed and asks for. Already applied to the member state.</summary>
public sealed record LifecycleDecision
{
    /// <summary>The tick's <c>now</c>.</summary>
    public DateTimeOffset DecidedAt { get; init; }

    /// <summary>Stage changes in the order they took effect (a catch-up after downtime may hold several).</summary>
    public IReadOnlyList<StageChange> StageChanges { get; init; } = [];

    /// <summary>The win-back level entered by this tick; null if none.</summary>
    public int? EnteredWinBackLevel { get; init; }

    /// <summary>Levels passed over because ticks were missed; their touches are not sent.</summary>
    public IReadOnlyList<int> SkippedLevels { get; init; } = [];

    /// <summary>Touches the entered level wants; the caller runs them through <see cref="TouchGovernor"/>.</summary>
    public IReadOnlyList<TouchRequest> TouchRequests { get; init; } = [];

    /// <summary>The entered level asks for a personal advisor (L2 by default).</summary>
    public bool AssignAdvisor { get; init; }

    /// <summary>The member turned dormant in this tick.</summary>
    public bool BecameDormant { get; init; }

    /// <summary>The next instant the lifecycle of this member can change without an event; null: only an event can change it.</summary>
    public DateTimeOffset? NextDueAt { get; init; }

    /// <summary>Whether the tick changed the member state.</summary>
    public bool Changed => StageChanges.Count > 0 || EnteredWinBackLevel is not null;
}

/// <summary>A stage change and the instant it took effect by the rules.</summary>
public sealed record StageChange(string From, string To, DateTimeOffset At);
