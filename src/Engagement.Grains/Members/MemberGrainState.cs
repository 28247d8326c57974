using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Members;

/// <summary>
/// What a member grain persists: the domain's <see cref="MemberState"/> (its pending effects included, in
/// <see cref="MemberState.Outbox"/>) and the lifecycle reminder's schedule.
/// </summary>
public sealed class MemberGrainState
{
    public MemberState Member { get; set; } = new();

    /// <summary>Legacy (before the member outbox): ledger rows not yet archived. Read from old state, moved into the outbox on activation.</summary>
    public List<LedgerEntry> PendingArchive { get; set; } = [];

    /// <summary>Legacy (before the member outbox): win-back steps not yet journaled. Moved into the outbox on activation.</summary>
    public List<LifecycleJournalEntry> PendingJournal { get; set; } = [];

    /// <summary>The period the lifecycle reminder was registered with; a reminder is written only when it changes.</summary>
    public TimeSpan? ReminderPeriod { get; set; }

    /// <summary>When the lifecycle reminder fires next (engine clock); an earlier due moment moves it, a later one waits.</summary>
    public DateTimeOffset? NextReminderAt { get; set; }
}
