using System.Text.Json.Serialization;
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

    /// <summary>
    /// Legacy (before the member outbox): ledger rows not yet archived. Read from old state, moved into the outbox on
    /// activation; written only while non-empty (never, once moved).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<LedgerEntry>? PendingArchive
    {
        get => _pendingArchive is { Count: > 0 } ? _pendingArchive : null;
        set => _pendingArchive = value;
    }

    /// <summary>Legacy (before the member outbox): win-back steps not yet journaled. Moved into the outbox on activation; written only while non-empty.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<LifecycleJournalEntry>? PendingJournal
    {
        get => _pendingJournal is { Count: > 0 } ? _pendingJournal : null;
        set => _pendingJournal = value;
    }

    /// <summary>The period the lifecycle reminder was registered with; a reminder is written only when it changes.</summary>
    public TimeSpan? ReminderPeriod { get; set; }

    /// <summary>When the lifecycle reminder fires next (engine clock); an earlier due moment moves it, a later one waits.</summary>
    public DateTimeOffset? NextReminderAt { get; set; }

    /// <summary>
    /// Deactivations in a row that left effects pending in <see cref="MemberState.Outbox"/> whose reminder move succeeded,
    /// since it last drained (at most the count of <see cref="MemberOutboxRetry.WakeDelays"/>): stored before the move and
    /// taken back when it failed, unless that write fails too or Orleans' deactivation timeout passed before the move
    /// (storage then keeps it one too high). Picks how soon the lifecycle reminder wakes the member for them
    /// (<see cref="MemberOutboxRetry.WakeDelay"/>). Written only while not 0.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OutboxWakes { get; set; }

    private List<LedgerEntry>? _pendingArchive;

    private List<LifecycleJournalEntry>? _pendingJournal;
}
