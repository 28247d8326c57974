namespace Engagement.Azure.Streaming;

/// <summary>
/// One received copy of a queue message held by <see cref="MessageLeases"/>: its latest pop receipt, the sequence numbers
/// (and event ids) of its events, and how many of them are not yet applied or failed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose; a lease is forgotten while its gate may still be released.")]
internal sealed class MessageLease(string messageId, string popReceipt, DateTimeOffset now, long[] sequences, string[] eventIds)
{
    /// <summary>Serialises renew, delete and release of one message: each needs the receipt the one before returned.</summary>
    public readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Events of this copy not yet applied nor failed.</summary>
    public int Outstanding = sequences.Length;

    public string MessageId { get; } = messageId;

    public long[] Sequences { get; } = sequences;

    public string[] EventIds { get; } = eventIds;

    /// <summary>When this copy was received (the receiver's real clock, UTC).</summary>
    public DateTimeOffset HeldSince { get; } = now;

    public string PopReceipt { get; set; } = popReceipt;

    /// <summary>When the visibility was last set (the receiver's real clock, UTC).</summary>
    public DateTimeOffset RenewedAt { get; set; } = now;

    /// <summary>A delivery of one of its events finally failed: no longer renewed, never deleted by this copy.</summary>
    public bool Abandoned { get; set; }

    /// <summary>
    /// The message was received again while this copy was held (its visibility ran out first): the newer copy is the one
    /// renewed and deleted; this one's receipt is stale, but its events in the cache still end, and a failure of one of
    /// them is still the message's (<see cref="MessageFailures"/>).
    /// </summary>
    public bool Superseded { get; set; }
}
