namespace Engagement.Grains.Members.Effects;

/// <summary>How the member's outbox is drained (<c>Engagement:Member:Outbox</c>).</summary>
public sealed class MemberOutboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Engagement:Member:Outbox";

    /// <summary>The largest <see cref="LedgerBatch"/>: the rows of one table transaction.</summary>
    public const int MaxLedgerBatch = 100;

    /// <summary>
    /// Pending effects above which a member emits everything before it decides its next change: 200 (twice the largest
    /// batch; some 50 KB of stored state, far below the state bound of 256 KiB). Only a receiver failing for a long time
    /// (the ledger archive, the metric sink) lets an outbox grow so far, and a state over the bound is refused before it
    /// is written, so emitting only after the write would leave the member unable to write even after the receiver is back.
    /// </summary>
    public const int EmitFirstAbove = 2 * MaxLedgerBatch;

    /// <summary>
    /// Ledger entries a member keeps pending (in its stored state) before it archives them in one table transaction;
    /// 1 archives after every change. Default 32 (a purchase writes one or two entries, so about one ledger
    /// transaction per 16–32 events instead of one per event). Between 1 and 100 (a table transaction's limit).
    /// Reading the ledger, and deactivation, archive whatever is pending first.
    /// </summary>
    public int LedgerBatch { get; set; } = 32;
}
