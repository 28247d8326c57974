using System.Diagnostics.Metrics;

namespace Engagement.Contracts.Events;

/// <summary>
/// Counters of the ingestion pipe on Meter <c>Engagement.Ingestion</c>. The member grain calls
/// <see cref="Accepted"/> / <see cref="Duplicate"/> once per applied / repeated event; the dead-letter sink
/// calls <see cref="Poisoned"/> once per dead letter (callers of the sink must not count again).
/// Cumulative totals are readable in-process for tests and the benchmark.
/// </summary>
public static class IngestionMetrics
{
    public const string MeterName = "Engagement.Ingestion";

    /// <summary>The most UTF-16 units a poison counter's <c>reason</c> tag keeps (<see cref="ReasonCategory"/>).</summary>
    public const int MaxReasonCategoryLength = 40;

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> AcceptedCounter = Meter.CreateCounter<long>("engagement.events.accepted", "{event}", "Events applied to a member");
    private static readonly Counter<long> DuplicateCounter = Meter.CreateCounter<long>("engagement.events.duplicate", "{event}", "Events ignored because their eventId was already applied");
    private static readonly Counter<long> PoisonedCounter = Meter.CreateCounter<long>("engagement.events.poisoned", "{event}", "Messages sent to the poison queue");
    private static readonly Counter<long> DeliveryFailedCounter = Meter.CreateCounter<long>("engagement.events.delivery_failed", "{event}", "Deliveries to a consumer that failed and are left on the queue for redelivery");
    private static readonly Counter<long> ReceivedCounter = Meter.CreateCounter<long>("engagement.queue.messages_received", "{message}", "Queue messages received (one receive hands out up to 32)");
    private static readonly Counter<long> DeletedCounter = Meter.CreateCounter<long>("engagement.queue.messages_deleted", "{message}", "Queue messages deleted after every event in them was applied");
    private static readonly Counter<long> ReceivesCounter = Meter.CreateCounter<long>("engagement.queue.receives", "{request}", "Receive requests sent to the queues (each a billed storage transaction), tagged empty=true when one found nothing");
    private static readonly Counter<long> RenewedCounter = Meter.CreateCounter<long>("engagement.queue.visibility_renewals", "{message}", "Visibility renewals of held queue messages (Update Message calls)");

    private static long _accepted;
    private static long _duplicate;
    private static long _poisoned;
    private static long _deliveryFailed;
    private static long _received;
    private static long _deleted;
    private static long _renewed;
    private static long _receives;
    private static long _emptyReceives;

    public static long AcceptedTotal => Interlocked.Read(ref _accepted);

    public static long DuplicateTotal => Interlocked.Read(ref _duplicate);

    public static long PoisonedTotal => Interlocked.Read(ref _poisoned);

    public static long DeliveryFailedTotal => Interlocked.Read(ref _deliveryFailed);

    /// <summary>Queue messages received so far by every receiver in the process.</summary>
    public static long MessagesReceivedTotal => Interlocked.Read(ref _received);

    /// <summary>Queue messages deleted after delivery so far (not counting dead-lettered ones).</summary>
    public static long MessagesDeletedTotal => Interlocked.Read(ref _deleted);

    /// <summary>Receive requests sent to the queues so far, empty or not.</summary>
    public static long ReceivesTotal => Interlocked.Read(ref _receives);

    /// <summary>Receive requests so far that found no message (the cost of polling quiet queues).</summary>
    public static long EmptyReceivesTotal => Interlocked.Read(ref _emptyReceives);

    /// <summary>Visibility renewals of held messages so far: queue operations spent keeping messages invisible.</summary>
    public static long VisibilityRenewalsTotal => Interlocked.Read(ref _renewed);

    public static void Accepted()
    {
        Interlocked.Increment(ref _accepted);
        AcceptedCounter.Add(1);
    }

    public static void Duplicate()
    {
        Interlocked.Increment(ref _duplicate);
        DuplicateCounter.Add(1);
    }

    /// <summary>Counts one dead letter, tagged with the reason's field (<c>memberId</c>, <c>body</c>, <c>delivery</c>) to keep cardinality low.</summary>
    public static void Poisoned(string reason)
    {
        Interlocked.Increment(ref _poisoned);
        PoisonedCounter.Add(1, new KeyValuePair<string, object?>("reason", ReasonCategory(reason)));
    }

    public static void DeliveryFailed()
    {
        Interlocked.Increment(ref _deliveryFailed);
        DeliveryFailedCounter.Add(1);
    }

    /// <summary>Counts <paramref name="count"/> messages handed out by one queue receive.</summary>
    public static void MessagesReceived(int count)
    {
        Interlocked.Add(ref _received, count);
        ReceivedCounter.Add(count);
    }

    /// <summary>Counts one receive request that returned <paramref name="messages"/> messages (0 = an empty poll).</summary>
    public static void Receive(int messages)
    {
        Interlocked.Increment(ref _receives);
        if (messages == 0)
        {
            Interlocked.Increment(ref _emptyReceives);
        }

        ReceivesCounter.Add(1, new KeyValuePair<string, object?>("empty", messages == 0));
    }

    /// <summary>Counts one message deleted after its events were applied.</summary>
    public static void MessageDeleted()
    {
        Interlocked.Increment(ref _deleted);
        DeletedCounter.Add(1);
    }

    /// <summary>Counts one visibility renewal of a held message.</summary>
    public static void VisibilityRenewed()
    {
        Interlocked.Increment(ref _renewed);
        RenewedCounter.Add(1);
    }

    /// <summary>
    /// The field a reason names, as the poison counter's tag: the part before its first colon or space, and of a nested
    /// field only the top-level name (<c>properties.promo-7f3a</c> → <c>properties</c>, <c>items[42].sku</c> →
    /// <c>items</c>), since property keys and indexes come from producers and would make a series each; at most
    /// <see cref="MaxReasonCategoryLength"/> UTF-16 units, cut at a code-point boundary: a surrogate pair (<c>😀</c>) that
    /// straddles the bound is left out whole, never split into a lone surrogate an exporter cannot encode.
    /// </summary>
    public static string ReasonCategory(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "unknown";
        }

        var end = reason.AsSpan().IndexOfAny(":. [");
        var category = end > 0 ? reason[..end] : reason;
        if (category.Length <= MaxReasonCategoryLength)
        {
            return category;
        }

        var cut = MaxReasonCategoryLength;
        if (char.IsHighSurrogate(category[cut - 1]) && char.IsLowSurrogate(category[cut]))
        {
            cut--;
        }

        return category[..cut];
    }
}
