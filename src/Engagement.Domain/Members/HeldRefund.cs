namespace Engagement.Domain.Members;

/// <summary>A refund that arrived before its purchase, waiting (bounded) for it.</summary>
public sealed class HeldRefund
{
    public string EventId { get; set; } = "";

    public string OrderId { get; set; } = "";

    public decimal Amount { get; set; }

    /// <summary>Currency of <see cref="Amount"/>; null means the programme currency.</summary>
    public string? Currency { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset HeldAt { get; set; }

    public string? RegionId { get; set; }

    public string? StoreId { get; set; }

    public string? Channel { get; set; }

    /// <summary>Longest <see cref="SourceText"/> kept (UTF-16 chars): a refund's text is a few hundred; state stays small.</summary>
    public const int MaxSourceTextLength = 2048;

    /// <summary>
    /// Most UTF-8 bytes a kept <see cref="SourceText"/> may take in the stored JSON, escaped (a CJK character is 6 bytes
    /// there, <c>\uXXXX</c>): 1 KiB, so the held refunds at their cap add at most ~20 KiB of text to the member's row.
    /// </summary>
    public const int MaxSourceTextStoredBytes = 1024;

    /// <summary>
    /// True when <paramref name="text"/> is kept as <see cref="SourceText"/>: at most <see cref="MaxSourceTextLength"/>
    /// characters and at most <see cref="MaxSourceTextStoredBytes"/> bytes stored, counted without serialising it and never
    /// under the real figure (an ASCII letter, digit, space or safe punctuation 1 byte; anything else, escaped, 6).
    /// </summary>
    /// <param name="text">The producer's text of the refund.</param>
    public static bool KeepsSourceText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxSourceTextLength)
        {
            return false;
        }

        var bytes = 0;
        foreach (var c in text)
        {
            bytes += c is >= ' ' and < (char)0x7F and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
            if (bytes > MaxSourceTextStoredBytes)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The queue the refund came from; null when not from a queue. Its dead letter's <c>queue</c> (CONTRACT.md §1).</summary>
    public string? SourceQueue { get; set; }

    /// <summary>
    /// The producer's text of the refund, its dead letter's <c>body</c> (CONTRACT.md §1); null when not from a
    /// queue or longer than <see cref="KeepsSourceText"/> allows (then the dead letter carries this record instead).
    /// </summary>
    public string? SourceText { get; set; }

    /// <summary>
    /// The refund's 0-based place in the batch message it came from, with <see cref="SourceBatchSize"/>: its dead letter's
    /// reason names it as the parser's dead letters of a batch do (CONTRACT.md §1); null when it was not part of one
    /// (and in records held before this was kept).
    /// </summary>
    public int? SourceBatchIndex { get; set; }

    /// <summary>How many events that batch message held; null as <see cref="SourceBatchIndex"/>.</summary>
    public int? SourceBatchSize { get; set; }

    /// <summary>
    /// The refunds of <paramref name="held"/> (a member's <see cref="MemberState.HeldRefunds"/>, at most
    /// <see cref="Program.ProgramOptions.MaxHeldRefunds"/>) that wait for order <paramref name="orderId"/> (as sent or as kept,
    /// <see cref="Orders.OrderIds.Same"/>), in held order;
    /// null when there are none or <paramref name="orderId"/> is null (the usual case, no allocation).
    /// </summary>
    public static List<HeldRefund>? ForOrder(IReadOnlyList<HeldRefund> held, string? orderId)
    {
        ArgumentNullException.ThrowIfNull(held);
        List<HeldRefund>? found = null;
        if (orderId is null)
        {
            return found;
        }

        foreach (var h in held)
        {
            if (Orders.OrderIds.Same(h.OrderId, orderId))
            {
                (found ??= []).Add(h);
            }
        }

        return found;
    }

    /// <summary>
    /// The <see cref="RegionId"/> of the refund of <paramref name="held"/> with event id <paramref name="eventId"/> (as sent
    /// or as an order keeps it, <see cref="Orders.OrderIds.Same"/>); null when not there or none given.
    /// </summary>
    public static string? RegionOf(IReadOnlyList<HeldRefund>? held, string eventId) => Find(held, eventId)?.RegionId;

    /// <summary>
    /// The event id as the producer sent it of the refund of <paramref name="held"/> that <paramref name="eventId"/> names
    /// (as sent or as an order keeps it, <see cref="Orders.OrderIds.Key"/>); <paramref name="eventId"/> itself when none
    /// of <paramref name="held"/> (or none given) is that refund.
    /// </summary>
    public static string SentId(IReadOnlyList<HeldRefund>? held, string eventId) => Find(held, eventId)?.EventId ?? eventId;

    private static HeldRefund? Find(IReadOnlyList<HeldRefund>? held, string eventId)
    {
        if (held is not null)
        {
            foreach (var h in held)
            {
                if (Orders.OrderIds.Same(h.EventId, eventId))
                {
                    return h;
                }
            }
        }

        return null;
    }

    /// <summary>The event to replay once the purchase is in.</summary>
    public MemberEvent ToEvent() => new(EventId, MemberEventTypes.Refund, OccurredAt)
    {
        OrderId = OrderId,
        Amount = Amount,
        Currency = Currency,
        RegionId = RegionId,
        StoreId = StoreId,
        Channel = Channel,
        SourceQueue = SourceQueue,
        SourceText = SourceText,
        SourceBatchIndex = SourceBatchIndex,
        SourceBatchSize = SourceBatchSize,
    };
}
