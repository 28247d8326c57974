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
    /// batch). Only a receiver failing for a long time (the ledger archive, the metric sink) lets an outbox grow so far,
    /// and a state over the bound is refused before it is written, so emitting only after the write would leave the
    /// member unable to write even after the receiver is back. The outbox is bounded by bytes too
    /// (<see cref="Domain.Members.Effects.OutboxBytes.Bound"/>, 64 KiB of stored JSON), which long effects reach first: 200
    /// spends naming four lots are 87,521 bytes, 38 negative manual adjustments with 200-character Chinese reasons
    /// pass 64 KiB. When the emit leaves the outbox past either, the change is refused (MemberWriteGate.EmitFirstAsync).
    /// </summary>
    public const int EmitFirstAbove = 2 * MaxLedgerBatch;

    /// <summary>
    /// Ledger entries a member keeps pending (in its stored state) before it archives them in one table transaction;
    /// 1 archives after every change. Default 32 (a purchase writes one or two entries, so about one ledger
    /// transaction per 16–32 events instead of one per event). Between 1 and 100 (a table transaction's limit).
    /// Reading the ledger, and deactivation, archive whatever is pending first.
    /// </summary>
    public int LedgerBatch { get; set; } = 32;

    /// <summary>The retry delays when <see cref="RetryDelays"/> is not set: 5 s, 15 s, 1 min, then every 5 min.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <summary>The longest retry delay allowed: one hour (a member idle longer is collected first, and its reminder wakes it).</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an active member waits (real time) before it emits again effects a receiver refused
    /// (<c>MemberOutboxRetry</c>), by failed retries before it; the last one repeats. Not set (or empty):
    /// <see cref="DefaultRetryDelays"/>, 5 s, 15 s, 1 min, then every 5 min. Each must be above zero and at most
    /// <see cref="MaxRetryDelay"/>. Configured as a list: <c>Engagement:Member:Outbox:RetryDelays:0</c> = <c>00:00:05</c>, ...
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary><see cref="RetryDelays"/> when set, <see cref="DefaultRetryDelays"/> otherwise.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;

    /// <summary>True when every one of <see cref="RetryDelays"/> is above zero and at most <see cref="MaxRetryDelay"/>.</summary>
    public bool RetryDelaysValid => RetryDelays is null || Array.TrueForAll(RetryDelays, d => d > TimeSpan.Zero && d <= MaxRetryDelay);
}
