using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Members;

/// <summary>
/// What a member grain persists: the domain's <see cref="MemberState"/> plus the grain's own
/// bookkeeping for effects that must survive a crash (ledger rows not yet archived).
/// </summary>
public sealed class MemberGrainState
{
    public MemberState Member { get; set; } = new();

    /// <summary>
    /// Ledger entries written to state but not yet confirmed in the archive. They are archived after
    /// every durable write and again on the next activation, so a crash loses none (archive rows are idempotent).
    /// </summary>
    public List<LedgerEntry> PendingArchive { get; set; } = [];

    /// <summary>Win-back steps not yet confirmed in the lifecycle journal (same pattern as <see cref="PendingArchive"/>).</summary>
    public List<LifecycleJournalEntry> PendingJournal { get; set; } = [];

    /// <summary>The period the lifecycle reminder was registered with; a reminder is written only when it changes.</summary>
    public TimeSpan? ReminderPeriod { get; set; }

    /// <summary>When the lifecycle reminder fires next (engine clock); an earlier due moment moves it, a later one waits.</summary>
    public DateTimeOffset? NextReminderAt { get; set; }
}
